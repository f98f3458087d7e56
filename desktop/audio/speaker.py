"""The speaker: plays the remote track through a PortAudio output stream.

Decoded frames of the remote track (s16 stereo 48 kHz) are turned into the device's format and written
into the playout buffer, as the track pushes them (push_tracks.py) or, from a track that must be pulled, by a
reader task; the PortAudio callback copies from it, pads an underrun with silence, and keeps a
short history of exactly what it handed over (the echo canceller's reference, the level, `playing`).
A callback PortAudio flags as following an output underflow is one of a burst whose audio does not
reach the device in order: it plays silence and is no part of that history (docs/measurements.md,
Speaker blocks of 10 ms).

`observer` is a hook for measuring (the audio benchmark; the app sets none): it sees every chunk
`take_played` hands over, on the loop, never in the PortAudio callback.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from aiortc.mediastreams import MediaStreamTrack
from av import AudioFrame, AudioResampler

from desktop.audio import devices, pcm
from desktop.audio.block_track import BLOCK_FRAMES, SAMPLE_RATE
from desktop.audio.echo import PlayedChunk
from desktop.audio.playout import PlayoutBuffer
from desktop.audio.ports import ProblemHandler
from desktop.audio.push_tracks import Following, follow
from desktop.audio.stream_keeper import Stream, StreamKeeper

RECENT_SECONDS = 0.1  # audio played this recently still counts as `playing`
AUDIBLE_PEAK = 64  # about -54 dBFS: the services send silence between replies, which is not `playing`
HISTORY_SECONDS = 1.0  # of played chunks kept for the canceller; nobody reading it costs nothing more
# 10 ms callbacks: PortAudio's ALSA host runs the device in periods of 1.5 blocks, and with 20 ms blocks
# the playout buffer had to ride out 40 ms bursts (docs/measurements.md, Speaker blocks of 10 ms).
SPEAKER_BLOCK_FRAMES = BLOCK_FRAMES // 2
PlayedObserver = Callable[[PlayedChunk], None]


class Speaker:
    def __init__(
        self,
        device_name: str | None = None,
        *,
        channels: int = 2,
        latency: float | str = "low",
        block_frames: int = SPEAKER_BLOCK_FRAMES,
    ) -> None:
        self._device_name = device_name
        self._channels = channels
        self._latency = latency  # PortAudio's suggested output latency: "low", "high" or seconds
        self._block_frames = block_frames
        self._buffer = PlayoutBuffer(SAMPLE_RATE, channels)
        self._keeper = StreamKeeper(self._open_stream, "output", device_name=device_name)
        self._track: MediaStreamTrack | None = None
        self._history: deque[PlayedChunk] = deque(maxlen=int(HISTORY_SECONDS * SAMPLE_RATE / block_frames))
        self._last_chunk = b""
        self._audible_until = 0.0  # when the last audible audio written so far will have been played
        self._played_frames = 0
        self._handed_frames = 0  # all frames handed to the device, silence included
        self._keeper_task: asyncio.Task[None] | None = None
        self._following: Following | None = None
        self.observer: PlayedObserver | None = None
        self.device_underflows = 0  # callbacks PortAudio flagged: the device ran dry before them

    @property
    def output_format(self) -> tuple[int, int]:
        return SAMPLE_RATE, self._channels

    @property
    def level(self) -> float:
        return pcm.rms(self._last_chunk)

    @property
    def played_seconds(self) -> float:
        return self._played_frames / SAMPLE_RATE

    @property
    def underruns(self) -> int:
        """Times playback ran dry mid-stream (the buffer, not the device, ran out)."""
        return self._buffer.underruns

    @property
    def trimmed_seconds(self) -> float:
        """Audio dropped to keep the delay low (cap, drift trimming)."""
        return self._buffer.dropped_seconds

    @property
    def buffered_seconds(self) -> float:
        return self._buffer.buffered_seconds

    @property
    def playing(self) -> bool:
        """Audible audio is queued or was handed to the device within the last RECENT_SECONDS."""
        return time.monotonic() < self._audible_until + RECENT_SECONDS

    def take_played(self) -> list[PlayedChunk]:
        chunks = []
        with contextlib.suppress(IndexError):
            while True:
                chunks.append(self._history.popleft())
        if self.observer is not None:
            for chunk in chunks:
                self.observer(chunk)
        return chunks

    def set_problem_handler(self, handler: ProblemHandler) -> None:
        self._keeper.set_problem_handler(handler)

    def flush(self) -> None:
        self._buffer.clear()
        self._audible_until = min(self._audible_until, time.monotonic())

    def attach(self, track: MediaStreamTrack) -> None:
        self._track = track
        if self._keeper_task is not None:
            self._start_reader()

    async def start(self) -> None:
        if self._keeper_task is None:
            self._keeper_task = asyncio.create_task(self._keeper.run())
            self._start_reader()

    async def stop(self) -> None:
        await self._stop_following()
        if self._keeper_task is not None:
            self._keeper_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper_task
            self._keeper_task = None
        await self._keeper.close()
        self._buffer.clear()

    def _start_reader(self) -> None:
        if self._following is not None:
            self._following.stop()  # a new track after a reconnect replaces the old one
        self._buffer.clear()
        if self._track is not None:
            self._following = follow(self._track, _FrameWriter(self._channels, self._write), "speaker")

    async def _stop_following(self) -> None:
        following, self._following = self._following, None
        if following is not None:
            await following.close()

    def _write(self, samples: bytes) -> None:
        self._buffer.write(samples)
        if pcm.peak(samples) > AUDIBLE_PEAK:
            self._audible_until = time.monotonic() + self._buffer.buffered_seconds

    def _open_stream(self) -> Stream:
        sd = devices.sounddevice()
        device = devices.resolve("output", self._device_name)
        stream: Stream = sd.RawOutputStream(
            device=device.index,
            samplerate=SAMPLE_RATE,
            channels=self._channels,
            dtype="int16",
            blocksize=self._block_frames,
            latency=self._latency,
            callback=self._callback,
            finished_callback=self._keeper.finished_callback,
        )
        return stream

    def _callback(self, outdata: Any, frames: int, timing: Any, status: Any) -> None:
        """PortAudio thread: copy from the buffer, pad with silence, remember what was handed over."""
        self._keeper.beat()
        if status.output_underflow:  # one of a burst after the device ran dry: not played in order
            self.device_underflows += 1
            outdata[:] = bytes(len(outdata))
            return
        out = memoryview(outdata).cast("B")
        n = self._buffer.read_into(out)
        if n < len(out):
            out[n:] = bytes(len(out) - n)
        if n:
            self._played_frames += n // self._buffer.frame_bytes
        chunk = bytes(out)
        self._history.append(PlayedChunk(time.monotonic(), chunk, self._handed_frames))
        self._handed_frames += frames
        self._last_chunk = chunk


class _FrameWriter:
    """Frames of one remote track, in the speaker's format. Decoded Opus is already s16 stereo 48 kHz
    and is written as it is; other formats go through one resampler (bound to the first frame's
    format, so a new track gets a new writer)."""

    def __init__(self, channels: int, write: Callable[[bytes], None]) -> None:
        self._layout = "stereo" if channels == 2 else "mono"
        self._resampler = AudioResampler(format="s16", layout=self._layout, rate=SAMPLE_RATE)
        self._write = write

    def __call__(self, frame: Any) -> None:
        if not isinstance(frame, AudioFrame):  # None: the track ended
            return
        as_played = frame.format.name == "s16" and frame.layout.name == self._layout
        if as_played and frame.sample_rate == SAMPLE_RATE:
            self._write(pcm.from_frame(frame))
            return
        frame.pts = None  # concealed and merged frames carry irregular stamps; order is enough
        for out in self._resampler.resample(frame):
            self._write(pcm.from_frame(out))
