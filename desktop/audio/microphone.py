"""The microphone: a PortAudio input stream whose blocks become the call's audio track.

The PortAudio callback copies the block and hands it to the event loop; echo processing, the level and
the push-to-talk gate happen there. While no device delivers (not found, unplugged, still starting) a
pacer sends silence on a monotonic clock with catch-up, so the call goes on; the keeper reopens the
device and the sound card's clock takes over again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Callable
from typing import Any

from desktop.audio import devices, pcm
from desktop.audio.block_track import (
    BLOCK_FRAMES,
    BLOCK_SECONDS,
    SAMPLE_RATE,
    SILENCE,
    BlockTrack,
    OpusBlockTrack,
)
from desktop.audio.echo import CaptureProcessor, PassThrough
from desktop.audio.ports import ProblemHandler
from desktop.audio.stream_keeper import Stream, StreamKeeper

IDLE_CHECK_SECONDS = 0.2


class Microphone:
    def __init__(
        self,
        device_name: str | None = None,
        *,
        processor: CaptureProcessor | None = None,
        encoded: bool = True,
        blocks_per_packet: int = 1,
    ) -> None:
        """`encoded`: the track yields Opus packets (cheapest for a call); False yields PCM frames.
        `blocks_per_packet`: 2 sends 40 ms Opus packets instead of 20 ms ones (the battery saver)."""
        self._device_name = device_name
        self._processor = processor or PassThrough()
        self._opus_track = functools.partial(OpusBlockTrack, blocks_per_packet=blocks_per_packet)
        self._make_track: Callable[[], BlockTrack] = self._opus_track if encoded else BlockTrack
        self._track = self._make_track()
        self._keeper = StreamKeeper(self._open_stream, "input", device_name=device_name)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._open = True
        self._level = 0.0
        self._last_captured = 0.0  # time.monotonic() of the card's latest block
        self._tasks: set[asyncio.Task[None]] = set()

    def set_encoded(self, encoded: bool) -> None:
        """Opus packets (a WebRTC call) or PCM frames (a WebSocket call, which sends PCM): a change
        takes effect before `start()` only, when nobody holds the track yet."""
        make: Callable[[], BlockTrack] = self._opus_track if encoded else BlockTrack
        if make is not self._make_track and not self._tasks:
            self._make_track = make
            self._track.stop()
            self._track = make()

    @property
    def track(self) -> BlockTrack:
        return self._track

    @property
    def level(self) -> float:
        return self._level

    def set_open(self, is_open: bool) -> None:
        self._open = is_open

    def set_problem_handler(self, handler: ProblemHandler) -> None:
        self._keeper.set_problem_handler(handler)

    async def start(self) -> None:
        """Capture (or silence until a device delivers); after `stop()` this makes a new track."""
        if self._tasks:
            return
        if self._track.readyState == "ended":
            self._track = self._make_track()
        self._loop = asyncio.get_running_loop()
        for job in (self._keeper.run(), self._pace_silence()):
            self._tasks.add(asyncio.create_task(job))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        await self._keeper.close()
        self._track.stop()

    def _open_stream(self) -> Stream:
        sd = devices.sounddevice()
        device = devices.resolve("input", self._device_name)
        stream: Stream = sd.RawInputStream(
            device=device.index,
            samplerate=SAMPLE_RATE,
            channels=1,
            dtype="int16",
            blocksize=BLOCK_FRAMES,
            latency="low",
            callback=self._callback,
            finished_callback=self._keeper.finished_callback,
        )
        return stream

    def _callback(self, indata: Any, frames: int, timing: Any, status: Any) -> None:
        """PortAudio thread: copy, stamp, hand over."""
        self._keeper.beat()
        loop = self._loop
        if loop is not None and frames == BLOCK_FRAMES:
            with contextlib.suppress(RuntimeError):  # the loop is closing
                loop.call_soon_threadsafe(self._on_block, bytes(indata), time.monotonic())

    def _on_block(self, raw: bytes, captured_at: float) -> None:
        self._last_captured = captured_at
        block = self._processor.process(raw, captured_at)
        self._level = pcm.rms(block)
        self._track.push(block if self._open else SILENCE, captured_at)

    async def _pace_silence(self) -> None:
        """Silence on a monotonic clock while no device delivers; blocks that fell due are caught up.
        While the card delivers, a look every IDLE_CHECK_SECONDS is enough: the keeper needs longer
        than that to call a stream dead, and each wake-up is a timer event on the app's (qasync) loop."""
        due = time.monotonic()
        while True:
            await asyncio.sleep(IDLE_CHECK_SECONDS if self._keeper.alive else BLOCK_SECONDS)
            now = time.monotonic()
            if self._keeper.alive:
                due = now
                continue
            self._level = 0.0
            due = max(due, self._last_captured + BLOCK_SECONDS)  # the card's last block is time covered
            while due <= now:
                self._track.push(SILENCE, due)
                due += BLOCK_SECONDS
