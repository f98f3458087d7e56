"""An audio track fed with 20 ms blocks by whoever owns the clock (a sound card, a silence pacer).

aiortc sends whenever `recv()` returns, so `recv()` waits for the next block; the track never paces
itself. `pts` counts samples from the first frame on and is never reset, whatever the source.
"""

from __future__ import annotations

import asyncio
import fractions
from collections.abc import Callable

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame

SAMPLE_RATE = 48000
BLOCK_FRAMES = 960  # 20 ms
BLOCK_SECONDS = BLOCK_FRAMES / SAMPLE_RATE
SILENCE = bytes(BLOCK_FRAMES * 2)
TIME_BASE = fractions.Fraction(1, SAMPLE_RATE)

FrameObserver = Callable[[int, float], None]  # (pts, when the block was captured), for measurements


class BlockTrack(MediaStreamTrack):
    kind = "audio"

    def __init__(self, depth: int = 5) -> None:
        super().__init__()
        self._depth = depth  # blocks kept when nobody reads; older ones go, so delay stays bounded
        self._queue: asyncio.Queue[tuple[bytes, float]] = asyncio.Queue()
        self._pts = 0
        self.observer: FrameObserver | None = None

    def push(self, block: bytes, captured_at: float) -> None:
        """A mono s16 block of BLOCK_FRAMES samples (call on the event loop)."""
        while self._queue.qsize() >= self._depth:
            self._queue.get_nowait()
        self._queue.put_nowait((block, captured_at))

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        block, captured_at = await self._queue.get()
        frame = AudioFrame(format="s16", layout="mono", samples=BLOCK_FRAMES)
        frame.planes[0].update(block)
        frame.sample_rate = SAMPLE_RATE
        frame.time_base = TIME_BASE
        frame.pts = self._pts
        if self.observer is not None:
            self.observer(self._pts, captured_at)
        self._pts += BLOCK_FRAMES
        return frame
