"""One microphone track feeding every call of a session, one branch per call.

aiortc stops the track it was given when a call closes, and a renewal runs two calls side by side
for a moment; so no call gets the microphone's own track. Each call gets a branch that only the
fan-out feeds, and that branch alone ends with its call. A branch keeps at most a few
frames: a call that reads slowly loses old audio rather than building up delay. A source that pushes
(desktop/audio/push_tracks.py, the microphone's track) hands each frame to the fan-out, which offers it to
the branches; any other source is read by a task of the fan-out's own.
"""

from __future__ import annotations

import asyncio
from typing import TypeAlias

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.frame import Frame
from av.packet import Packet
from av.stream import Stream

from desktop.audio.push_tracks import Following, follow

BRANCH_FRAMES = 10  # 200 ms of 20 ms frames

# What a track's recv() returns (a string: av's Packet takes no subscript at run time).
Media: TypeAlias = "Frame | Packet[Stream]"


class _Branch(MediaStreamTrack):
    def __init__(self, fanout: TrackFanout, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self._fanout: TrackFanout | None = fanout
        self._queue: asyncio.Queue[Media | None] = asyncio.Queue(maxsize=BRANCH_FRAMES)
        self.reading = False  # frames are only kept once the call's sender reads: no backlog at start

    def offer(self, frame: Media | None) -> None:
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(frame)

    async def recv(self) -> Media:
        if self.readyState != "live":
            raise MediaStreamError
        self.reading = True
        frame = await self._queue.get()
        if frame is None:
            self.stop()
            raise MediaStreamError
        return frame

    def stop(self) -> None:
        super().stop()
        if self._fanout is not None:
            self._fanout.discard(self)
            self._fanout = None


class TrackFanout:
    def __init__(self, source: MediaStreamTrack) -> None:
        self._source = source
        self._branches: set[_Branch] = set()
        self._following: Following | None = None

    def branch(self) -> MediaStreamTrack:
        branch = _Branch(self, self._source.kind)
        self._branches.add(branch)
        if self._following is None:
            self._following = follow(self._source, self._deliver, "track-fanout")
        return branch

    def discard(self, branch: _Branch) -> None:
        self._branches.discard(branch)

    def _deliver(self, frame: Media | None) -> None:
        """A frame for every branch whose call reads; None (the source ended) for all."""
        for branch in list(self._branches):
            if branch.reading or frame is None:
                branch.offer(frame)

    async def close(self) -> None:
        """Ends every branch and stops taking the source's frames (the source itself is not stopped)."""
        if self._following is not None:
            await self._following.close()
            self._following = None
        self._deliver(None)  # wakes a call still waiting for a frame
        for branch in list(self._branches):
            branch.stop()
