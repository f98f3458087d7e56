"""Behaving stand-ins for a microphone and a speaker, used by tests, the self-test and benchmarks.

The microphone paces its 20 ms frames by a monotonic clock with catch-up (as a sound card would),
so aiortc sends audio in real time; the speaker really reads the remote track and records what it got.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import time
import wave
from pathlib import Path

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from desktop.audio import pcm
from desktop.audio.ports import ProblemHandler

RATE = 48_000
FRAME_SAMPLES = 960  # 20 ms
FRAME_BYTES = FRAME_SAMPLES * 2
SILENCE_RMS = 0.01


def load_pcm(source: bytes | str | Path) -> bytes:
    """Mono s16 48 kHz bytes from raw PCM in that format, or from any 16-bit WAV file."""
    if isinstance(source, bytes):
        return source
    with wave.open(str(source), "rb") as wav:
        channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    if width != 2:
        raise ValueError(f"{source}: only 16-bit WAV files are supported")
    return pcm.resample(raw, rate, RATE, channels)


class _PacedTrack(MediaStreamTrack):
    kind = "audio"

    def __init__(self, microphone: SyntheticMicrophone) -> None:
        super().__init__()
        self._microphone = microphone
        self._pts = 0
        self._start: float | None = None

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        # Sleep until this frame is due; when late, return at once so the stream catches up.
        delay = self._start + self._pts / RATE - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME_SAMPLES)
        frame.planes[0].update(self._microphone.next_chunk())
        frame.sample_rate = RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, RATE)
        self._pts += FRAME_SAMPLES
        return frame


class SyntheticMicrophone:
    """An AudioInput that speaks queued PCM when open, and silence otherwise."""

    def __init__(self) -> None:
        self._queue = bytearray()
        self._open = True
        self._level = 0.0
        self._drained = asyncio.Event()
        self._drained.set()
        self._track = _PacedTrack(self)
        self.speech_frames_sent = 0

    @property
    def track(self) -> MediaStreamTrack:
        return self._track

    @property
    def level(self) -> float:
        return self._level

    @property
    def is_open(self) -> bool:
        return self._open

    async def start(self) -> None:
        if self._track.readyState == "ended":  # a new call after a hang-up needs a live track
            self._track = _PacedTrack(self)

    async def stop(self) -> None:
        self._track.stop()

    def set_open(self, is_open: bool) -> None:
        self._open = is_open

    def set_problem_handler(self, handler: ProblemHandler) -> None:
        return None  # nothing here can go wrong the way a device can

    def say(self, speech: bytes | str | Path) -> float:
        """Queue speech (mono s16 48 kHz bytes or a WAV path); returns its duration in seconds."""
        data = load_pcm(speech)
        self._queue.extend(data)
        self._drained.clear()
        return len(data) / 2 / RATE

    async def wait_spoken(self) -> None:
        """Until everything queued has been sent."""
        await self._drained.wait()

    def next_chunk(self) -> bytes:
        if not self._open or not self._queue:
            self._level = 0.0
            return bytes(FRAME_BYTES)
        chunk = bytes(self._queue[:FRAME_BYTES]).ljust(FRAME_BYTES, b"\0")
        del self._queue[:FRAME_BYTES]
        if not self._queue:
            self._drained.set()
        self.speech_frames_sent += 1
        self._level = pcm.rms(chunk)
        return chunk


class RecordingSpeaker:
    """An AudioOutput that reads the remote track as fast as it comes and records what it heard."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._level = 0.0
        self.received_seconds = 0.0
        self.audible_seconds = 0.0  # non-silent audio received
        self.flushes = 0
        self.tracks_attached = 0
        self._heard = asyncio.Event()

    @property
    def level(self) -> float:
        return self._level

    @property
    def played_seconds(self) -> float:
        return self.received_seconds

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def attach(self, track: MediaStreamTrack) -> None:
        self.tracks_attached += 1
        task = asyncio.get_running_loop().create_task(self._read(track), name="recording-speaker")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def flush(self) -> None:
        self.flushes += 1

    def set_problem_handler(self, handler: ProblemHandler) -> None:
        return None

    async def wait_audible(self, seconds: float) -> None:
        """Until at least `seconds` of non-silent audio have arrived."""
        while self.audible_seconds < seconds:
            self._heard.clear()
            await self._heard.wait()

    async def _read(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, av.AudioFrame):
                continue
            duration = frame.samples / (frame.sample_rate or RATE)
            self.received_seconds += duration
            self._level = pcm.rms(pcm.from_frame(frame))
            if self._level > SILENCE_RMS:
                self.audible_seconds += duration
                self._heard.set()
