"""Tracks that hand each frame straight to a subscriber instead of waiting to be pulled.

aiortc's consumers pull: a task of their own awaits `track.recv()`. Every frame that crosses such a
pull costs a future, a wake-up of the waiting task and, under qasync, a Qt wake-up: 50 times a second
per direction, for nothing, where both ends are ours. A `PushSource` calls its one subscriber with
each frame (None when the track ends) on the event loop, in the producer's own turn. While nobody
subscribes it is an ordinary track, so aiortc, tests and recorders pull from it as before. `follow`
is how a consumer takes frames from any track: pushed where the track can, pulled by a task otherwise.

The tracks that push: the microphone's (block_track.py) and, once aiortc is patched, the remote track
of every call (aiortc_patches/remote_track.py), into which the inline decoder writes decoded audio.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.frame import Frame
from av.packet import Packet

log = logging.getLogger(__name__)

Item = Frame | Packet | None  # None: the track has ended
Listener = Callable[[Item], None]
REPORT_EVERY = 500  # failed deliveries between two log lines (10 s of 20 ms frames)


@runtime_checkable
class PushSource(Protocol):
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """From now on, frames go to `listener` instead of `recv()`. Returns the unsubscribe."""
        ...


class FailureLog:
    """Failures of a per-frame step, logged without flooding: the first with its traceback, then one
    line every REPORT_EVERY (a step that fails on every frame fails 50 times a second)."""

    def __init__(self, what: str) -> None:
        self._what = what
        self.count = 0

    def record(self) -> None:
        """Call from an `except` block."""
        self.count += 1
        if self.count % REPORT_EVERY == 1:
            log.exception("%s (%d so far)", self._what, self.count)


class Subscription:
    """The one listener of a push source, called safely: whatever it raises is logged and the frame
    dropped, since the producer is someone else's turn (aiortc's transport, for received audio)."""

    def __init__(self) -> None:
        self.listener: Listener | None = None
        self._failures = FailureLog("a frame could not be delivered")

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        if self.listener is not None:
            raise RuntimeError("this track already has a subscriber")
        self.listener = listener

        def unsubscribe() -> None:
            if self.listener is listener:
                self.listener = None

        return unsubscribe

    def deliver(self, item: Item) -> None:
        if self.listener is None:
            return
        try:
            self.listener(item)
        except Exception:
            self._failures.record()


class Following:
    """A consumer taking a track's frames (`follow`); `close()` stops it."""

    def __init__(self, unsubscribe: Callable[[], None] | None, task: asyncio.Task[None] | None) -> None:
        self._unsubscribe = unsubscribe
        self._task = task

    def stop(self) -> None:
        """Takes no more frames (a reading task is cancelled; `close()` also waits for it to end)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._task is not None:
            self._task.cancel()

    async def close(self) -> None:
        self.stop()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def follow(track: MediaStreamTrack, listener: Listener, name: str) -> Following:
    """Every frame of `track` to `listener`, then None: subscribed where the track pushes, else read
    by a task called `name` (on the running loop)."""
    if isinstance(track, PushSource):
        return Following(track.subscribe(listener), None)
    return Following(None, asyncio.get_running_loop().create_task(_pull(track, listener), name=name))


async def _pull(track: MediaStreamTrack, listener: Listener) -> None:
    subscription = Subscription()  # the same guard as a pushed frame gets
    subscription.subscribe(listener)
    try:
        while True:
            subscription.deliver(await track.recv())
    except MediaStreamError:
        pass
    finally:
        subscription.deliver(None)
