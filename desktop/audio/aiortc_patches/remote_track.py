"""The remote track of a call, handing each frame straight to its subscriber (push_tracks.py).

aiortc's `RemoteStreamTrack` is pulled: a task awaits `recv()` for every frame. This one delivers what
aiortc (or the inline decoder, inline_decoding.py) puts on its queue to its subscriber, in the same
turn of the loop; with nobody subscribed it is pulled as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiortc.rtcrtpreceiver import RemoteStreamTrack

from desktop.audio.push_tracks import Item, Listener, Subscription


class _DeliveringQueue(asyncio.Queue[Item]):
    """The remote track's queue: what aiortc (or the inline decoder) puts in goes to the subscriber
    when there is one. aiortc's `put` ends in `put_nowait`, so both routes pass here."""

    def __init__(self, track: PushedRemoteTrack) -> None:
        super().__init__()
        self._track = track

    def put_nowait(self, item: Item) -> None:
        self._track.arrived(item, super().put_nowait)


class PushedRemoteTrack(RemoteStreamTrack):
    def __init__(self, kind: str, id: str | None = None) -> None:
        super().__init__(kind, id)
        self._subscription = Subscription()
        self._queue = _DeliveringQueue(self)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        unsubscribe = self._subscription.subscribe(listener)
        while not self._queue.empty():  # frames that came before the subscriber, in order
            self._subscription.deliver(self._queue.get_nowait())
        return unsubscribe

    def arrived(self, item: Item, enqueue: Callable[[Item], None]) -> None:
        if self._subscription.listener is None:
            enqueue(item)
            return
        if item is None:
            self.stop()  # as `recv()` does when it takes the end from the queue
        self._subscription.deliver(item)
