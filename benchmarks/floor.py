"""The CPU floor of a call: what the stack under the app's audio work costs, measured apart.

The audio bench's full-duplex call (audio.py) without the app's audio processing, in two parts:

- the session on the two sound cards: the app's `VoiceSession` against the same far-end process, the
  microphone's own Opus track fed by an input stream whose callback does what the microphone's does
  (copy, stamp, `call_soon_threadsafe`), the decoded frames taken by the same push path and only
  copied, and an output stream whose callback only fills silence. That is aiortc's ICE, DTLS, SRTP and
  RTP work, Opus both ways, the session, sounddevice, PortAudio and ALSA's plugin for PulseAudio;
- the echo canceller on 10 ms frames of noise, reference and capture, as the call feeds it.

Left out is what the app adds: the playout buffer, the echo gate and the reference's timing, levels,
the stream keepers. The bench's call minus this floor is what those cost.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import psutil
from aiortc.mediastreams import MediaStreamTrack

from benchmarks.clicks import clicking_into
from benchmarks.far_end import FarEndProcess, drain_events, session_config
from benchmarks.virtual_devices import VirtualAudio
from desktop.audio import devices, pcm
from desktop.audio.block_track import BLOCK_FRAMES, BLOCK_SECONDS, SAMPLE_RATE, OpusBlockTrack
from desktop.audio.echo import FRAME_SECONDS, audio_processing_module
from desktop.audio.ports import ProblemHandler
from desktop.audio.push_tracks import Following, follow
from desktop.audio.stream_keeper import Stream

SETTLE_SECONDS = 3.0  # the call's start (ICE, DTLS, streams opening) is not part of the floor
CANCELLER_FRAMES = 2000  # 20 s of 10 ms frames


class SessionFloor(NamedTuple):
    percent: float  # share of one core
    frames_heard: int  # the decoded frames the speaker took while measured: audio came in
    clicks_arrived: int  # the microphone's clicks the far end received in the call: audio went out


@dataclass
class Floor:
    session_percent: float  # share of one core: the session on the two sound cards
    canceller_percent: float  # the echo canceller, both directions, in real time
    frames_heard: int
    clicks_arrived: int

    @property
    def total_percent(self) -> float:
        return round(self.session_percent + self.canceller_percent, 1)


def process_cpu_seconds() -> float:
    """User and system time of this process, every thread."""
    return float(sum(psutil.Process().cpu_times()[:2]))


def _open_stream(kind: devices.Kind, callback: Callable[..., None]) -> Stream:
    """A started stream on the default device, in the format and block size the app's use."""
    sd = devices.sounddevice()
    opened = sd.RawInputStream if kind == "input" else sd.RawOutputStream
    with devices.ROUTING:  # as the app opens them (devices.resolve)
        stream: Stream = opened(
            device=devices.resolve(kind, None).index,
            samplerate=SAMPLE_RATE,
            channels=1 if kind == "input" else 2,
            dtype="int16",
            blocksize=BLOCK_FRAMES,
            latency="low",
            callback=callback,
        )
        try:
            stream.start()
        except BaseException:
            stream.close()
            raise
    return stream


class CardMicrophone:
    """The microphone's own Opus track, fed by the sound card with nothing in between."""

    def __init__(self) -> None:
        self._track = OpusBlockTrack()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stream: Stream | None = None

    @property
    def track(self) -> MediaStreamTrack:
        return self._track

    @property
    def level(self) -> float:
        return 0.0

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._stream is None:
            self._stream = _open_stream("input", self._callback)

    async def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()
        self._track.stop()

    def set_open(self, is_open: bool) -> None:
        """Always open: the floor's microphone carries the clicks."""

    def set_problem_handler(self, handler: ProblemHandler) -> None:
        """The floor needs the virtual devices; a problem with them fails the measurement."""

    def _callback(self, indata: Any, frames: int, timing: Any, status: Any) -> None:
        """PortAudio thread: what desktop/audio/microphone.py's callback does, without the keeper's beat."""
        loop = self._loop
        if loop is not None and frames == BLOCK_FRAMES:
            with contextlib.suppress(RuntimeError):  # the loop is closing
                loop.call_soon_threadsafe(self._track.push, bytes(indata), time.monotonic())


class SilentSpeaker:
    """Takes each decoded frame of the remote track as the speaker does and only copies it; the sound
    card is fed silence."""

    def __init__(self) -> None:
        self.frames_heard = 0
        self._following: Following | None = None
        self._stream: Stream | None = None

    @property
    def level(self) -> float:
        return 0.0

    @property
    def played_seconds(self) -> float:
        return self.frames_heard * BLOCK_SECONDS

    async def start(self) -> None:
        if self._stream is None:
            self._stream = _open_stream("output", _fill_silence)

    async def stop(self) -> None:
        following, self._following = self._following, None
        stream, self._stream = self._stream, None
        try:
            if following is not None:
                await following.close()
        finally:
            if stream is not None:
                stream.close()

    def attach(self, track: MediaStreamTrack) -> None:
        if self._following is not None:
            self._following.stop()  # a new track after a reconnect replaces the old one
        self._following = follow(track, self._take, "floor-speaker")

    def flush(self) -> None:
        """Nothing is buffered."""

    def set_problem_handler(self, handler: ProblemHandler) -> None:
        """The floor needs the virtual devices; a problem with them fails the measurement."""

    def _take(self, frame: Any) -> None:
        if frame is not None:  # None: the track ended
            pcm.from_frame(frame)
            self.frames_heard += 1


def _fill_silence(outdata: Any, frames: int, timing: Any, status: Any) -> None:
    outdata[:] = bytes(len(outdata))


async def session_floor(audio: VirtualAudio, seconds: float, settle: float = SETTLE_SECONDS) -> SessionFloor:
    """The session on the sound cards, clicks both ways as in the bench's call (no canceller figure)."""
    from desktop.session.voice_session import VoiceSession

    far = await FarEndProcess.start(0.0)
    speaker = SilentSpeaker()
    session = VoiceSession(session_config(far), CardMicrophone(), speaker)
    draining = asyncio.create_task(drain_events(session))
    try:
        await session.connect()
        await far.ask(f"clicks {settle + seconds + 2}")
        with clicking_into(audio, settle + seconds + 2):
            await asyncio.sleep(settle)
            heard_before, started, cpu_before = speaker.frames_heard, time.monotonic(), process_cpu_seconds()
            await asyncio.sleep(seconds)
            cpu = (process_cpu_seconds() - cpu_before) / (time.monotonic() - started) * 100
        report = await far.ask("report")
    finally:
        try:
            await session.hang_up()
        finally:
            draining.cancel()
            await asyncio.gather(draining, return_exceptions=True)
            await far.stop()
    return SessionFloor(cpu, speaker.frames_heard - heard_before, len(report["clicks_arrived"]))


def canceller_floor() -> float:
    """CPU % of the echo canceller in real time: a reference and a capture frame per 10 ms, at the
    call's formats (mono capture, the speaker's stereo as reference)."""
    apm = audio_processing_module(echo=True, noise_suppression=False)
    apm.set_reverse_stream_format(SAMPLE_RATE, 2)
    samples = int(SAMPLE_RATE * FRAME_SECONDS)
    capture = pcm.noise(samples, 1000, seed=5)
    reference = pcm.noise(samples * 2, 4000, seed=6)
    for _ in range(100):  # past the first allocations
        apm.process_reverse_stream(reference)
        apm.process_stream(capture)
    started = time.thread_time()  # this thread's: the loop's keep running beside it
    for _ in range(CANCELLER_FRAMES):
        apm.process_reverse_stream(reference)
        apm.process_stream(capture)
    return (time.thread_time() - started) / (CANCELLER_FRAMES * FRAME_SECONDS) * 100


async def measure_floor(audio: VirtualAudio, seconds: float) -> Floor:
    """On the loop under test, with the virtual devices as the defaults."""
    session = await session_floor(audio, seconds)
    canceller = await asyncio.to_thread(canceller_floor)
    return Floor(round(session.percent, 1), round(canceller, 1), session.frames_heard, session.clicks_arrived)
