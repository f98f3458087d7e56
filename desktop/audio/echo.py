"""Echo cancellation on the capture path, fed with what the speaker really played.

WebRTC's audio-processing module (AEC3, optional noise suppression) from `aec-audio-processing`: small,
a direct binding, cheap per 10 ms frame. It has wheels for Windows x64 only, so elsewhere it is the
optional `echo` extra (desktop/audio/canceller.py). (`livekit`'s AudioProcessingModule, with wheels
everywhere, cancels as well for a little more CPU per frame, but it brings numpy and a large library
that take the packaged app past its budget; README "Echo cancellation"; the figures:
docs/measurements.md, Echo cancellation.) Without the module the microphone is muted while the
assistant can be heard (half duplex). With a headset there is no echo to cancel and processing is
off. All of this runs on the event loop as blocks arrive, never inside a PortAudio callback.

The canceller learns one echo path: the delay from a frame of reference to its echo in the capture.
It must see that delay stay put, so both streams are fed in the order the sound card played and
captured them, 10 ms at a time. The time stamps the callbacks take are not that order: on starved
cores a callback runs late and several come in a burst, and the canceller then sees the echo path jump
about and lets echo through while it re-learns it. `Cadence` recovers the card's own regular timing
from them, which keeps the cancellation up under that load (docs/measurements.md, Echo cancellation).
The reference goes in as the speaker played it, stereo bytes: the module mixes it down itself, and
mixing it down here first would save next to nothing (docs/measurements.md, Echo cancellation).
"""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Any, NamedTuple, Protocol

from desktop.audio import canceller, pcm
from desktop.audio.block_track import SAMPLE_RATE, SILENCE
from desktop.audio.dither import DitheredModule

FRAME_SECONDS = 0.01  # the module takes 10 ms frames
AHEAD_CHUNKS = 50  # a second of 20 ms output callbacks, at most, waiting for a later capture
LATE_WINDOW = 100  # 10 ms frames (a second) over which the earliest phase is the card's own
RESTART_SECONDS = 0.5  # a stamp this much later than the cadence: the stream was reopened or stalled
# What an echo in the block may come from: the last 0.4 s handed to the speaker (output latency,
# the room, input latency and a late capture callback), in 10 ms frames. Longer keeps the person
# muted after the assistant stops (or is interrupted) for no echo at all.
ECHO_WINDOW = 40
FAR_SILENT = 0.001  # reference RMS (-60 dBFS) below which nothing audible was played
EVIDENCE_BLOCKS = 50  # a second of 20 ms blocks while the assistant was audible
CANCELLED_ENERGY = 0.01  # the canceller took out 20 dB or more of that: it was echo
SETTLING_BLOCKS = 100  # two seconds: the canceller converges and stops suppressing the near end
COUPLING_DECAY = 0.998  # per block of such evidence: a louder echo seen is forgotten in ~10 s
NEAR_END_MARGIN = 2.0  # a block 6 dB louder than the loudest echo could be has the person in it


class PlayedChunk(NamedTuple):
    at: float  # time.monotonic() when the chunk was handed to the device
    pcm: bytes  # interleaved s16 in the output format
    first_frame: int = -1  # where it starts among all frames the speaker handed over; -1: not counted


class PlayedAudio(Protocol):
    """What the speaker offers the canceller: its output format and the chunks it handed over."""

    @property
    def output_format(self) -> tuple[int, int]:
        """(sample rate, channels) of the played chunks."""
        ...

    @property
    def playing(self) -> bool: ...

    def take_played(self) -> list[PlayedChunk]: ...


class CaptureProcessor(Protocol):
    def process(self, block: bytes, captured_at: float = math.inf) -> bytes:
        """A 20 ms mono s16 block at 48 kHz in, the same shape out. `captured_at` is the capture
        callback's `time.monotonic()`: a canceller takes the reference played up to then."""
        ...


class PassThrough:
    """Headset: nothing from the speaker reaches the microphone."""

    def process(self, block: bytes, captured_at: float = math.inf) -> bytes:
        return block


class HalfDuplex:
    """Fallback without a canceller: the microphone is silent while the assistant's audio plays, and
    until its echo can have died away (ECHO_WINDOW after the last audible chunk was handed over: the
    device's buffer and the room delay it past the end of `playing`)."""

    def __init__(self, played: PlayedAudio) -> None:
        self._played = played
        self._audible_at = -math.inf  # when the last audible chunk was handed to the device

    def process(self, block: bytes, captured_at: float = math.inf) -> bytes:
        for chunk in self._played.take_played():  # only their times and levels are kept
            if pcm.rms(chunk.pcm) >= FAR_SILENT:
                self._audible_at = max(self._audible_at, chunk.at)
        captured = min(captured_at, time.monotonic())
        echo_due = captured < self._audible_at + ECHO_WINDOW * FRAME_SECONDS
        return SILENCE if self._played.playing or echo_due else block


class Cadence:
    """The sound card's regular timing of a stream of equal blocks, from the callbacks' stamps.

    A callback can run late but never early, so over the last second the earliest phase (stamp minus
    the blocks' nominal offset) is the card's: block n is due at that phase + n periods. A stamp far
    later than that means the stream stopped and started again (reopened, or an underrun long enough
    to count): the cadence starts over from it.
    """

    def __init__(self, period: float) -> None:
        self._period = period
        self._count = 0
        # The minimum of the last LATE_WINDOW phases without scanning them (it is asked for four times
        # per 20 ms): (block number, phase) pairs with rising phases, the minimum first. A new phase
        # drops the larger ones before it, which can never be the minimum again.
        self._earliest: deque[tuple[int, float]] = deque()

    def due(self, stamp: float) -> float:
        """When the block stamped `stamp` (the next one of the stream) was really played/captured."""
        phase = stamp - self._count * self._period
        if self._earliest and phase - self._earliest[0][1] > RESTART_SECONDS:
            self._earliest.clear()
        while self._earliest and self._earliest[-1][1] >= phase:
            self._earliest.pop()
        self._earliest.append((self._count, phase))
        if self._earliest[0][0] <= self._count - LATE_WINDOW:
            self._earliest.popleft()
        self._count += 1
        return self._earliest[0][1] + (self._count - 1) * self._period


class EchoGate:
    """The second line behind the canceller: silence while nothing but echo can be in the block.

    When the echo path changes (an underrun in the sound server, a loaded machine delaying a stream)
    the canceller lets echo through while it re-learns it (docs/measurements.md, Echo cancellation),
    and one loud 20 ms block is enough for a voice detector. When, over the last second in which the
    assistant was audible, the canceller took out nearly all of the microphone's energy, that energy
    was echo: its level relative to what was played is the echo's coupling. A block then passes only
    when it is clearly louder than the echo could be (the person talking over the assistant).
    During the first two audible seconds of a call the canceller is still converging: it lets echo
    through, and it also suppresses the person's voice, deeply enough and long enough to pass for echo
    (docs/measurements.md, Echo cancellation), so the gate is closed and learns nothing then. After
    that it stays open until echo is seen (never, with a headset or no speaker in reach).
    """

    def __init__(self) -> None:
        self._played: deque[float] = deque(maxlen=ECHO_WINDOW)
        self._recent: deque[tuple[float, float, float]] = deque(maxlen=EVIDENCE_BLOCKS)
        self._sums = [0.0, 0.0, 0.0]  # of `_recent`: heard, left by the canceller, played (energies)
        self._coupling = 0.0  # echo level over played level; 0: no echo seen yet
        self._audible = 0  # blocks with the assistant audible, since the call began

    def played(self, frame: bytes) -> None:
        self._played.append(pcm.rms(frame))

    def admit(self, raw: bytes, cancelled: bytes) -> bytes:
        far = max(self._played, default=0.0)
        if far < FAR_SILENT:
            return cancelled
        before, after = pcm.rms(raw), pcm.rms(cancelled)
        block = (before * before, after * after, far * far)
        if len(self._recent) == EVIDENCE_BLOCKS:
            self._sums = [total - old for total, old in zip(self._sums, self._recent[0], strict=True)]
        self._recent.append(block)
        self._sums = [total + new for total, new in zip(self._sums, block, strict=True)]
        self._audible += 1
        heard, left, played = self._sums
        settled = self._audible > SETTLING_BLOCKS + EVIDENCE_BLOCKS  # all of `_recent` after settling
        if settled and left < heard * CANCELLED_ENERGY:
            # the loudest echo seen lately counts: the path is unsteady
            self._coupling = max(self._coupling * COUPLING_DECAY, math.sqrt(heard / played))
        if not self._coupling:  # closed while the canceller settles; then open until echo is seen
            return SILENCE if self._audible <= SETTLING_BLOCKS else cancelled
        return SILENCE if before < self._coupling * far * NEAR_END_MARGIN else cancelled


def audio_processing_module(echo: bool, noise_suppression: bool) -> Any:
    """WebRTC's module as the capture path uses it: mono 48 kHz in and out, no gain control, no VAD
    (the service detects voice), digital silence fed as the faintest noise (dither.py: the module
    slows down tens of times on zeros). ImportError or OSError where the wheel or its library is missing."""
    from aec_audio_processing import AudioProcessor

    apm = AudioProcessor(enable_aec=echo, enable_ns=noise_suppression, enable_agc=False, enable_vad=False)
    apm.set_stream_format(SAMPLE_RATE, 1, SAMPLE_RATE, 1)
    return DitheredModule(apm)


class WebRtcProcessor:
    """Echo cancellation and/or noise suppression by WebRTC's audio-processing module."""

    def __init__(self, played: PlayedAudio, echo: bool = True, noise_suppression: bool = False) -> None:
        self._played = played
        self._echo = echo
        self._apm = audio_processing_module(echo, noise_suppression)
        self._channels = 0
        self._frame_bytes = 0
        self._played_cadence = Cadence(FRAME_SECONDS)
        self._captured_cadence = Cadence(FRAME_SECONDS)
        self._ahead: deque[tuple[float, bytes]] = deque()  # reference frames not yet due, with times
        self._next_frame = -1  # the first frame of the next chunk, when none is missing
        self._gate = EchoGate()

    def process(self, block: bytes, captured_at: float = math.inf) -> bytes:
        """Two 10 ms capture frames, each after the reference frames the card played before it."""
        if not self._echo:
            self._played.take_played()  # noise suppression alone needs no reference
            half = len(block) // 2
            return self._apm.process_stream(block[:half]) + self._apm.process_stream(block[half:])
        self._take_reference()
        out = []
        half = len(block) // 2
        for start, stamp in ((0, captured_at - FRAME_SECONDS), (half, captured_at)):
            due = self._captured_cadence.due(stamp) if stamp < math.inf else math.inf
            while self._ahead and self._ahead[0][0] <= due:
                self._apm.process_reverse_stream(self._ahead.popleft()[1])
            out.append(self._apm.process_stream(block[start : start + half]))
        return self._gate.admit(block, b"".join(out))

    def _take_reference(self) -> None:
        """Split what the speaker handed over into 10 ms frames, each with the time it was due.
        At most AHEAD_CHUNKS stay waiting (the oldest are played then, in order)."""
        _, channels = self._played.output_format
        if channels != self._channels:
            self._apm.set_reverse_stream_format(SAMPLE_RATE, channels)
            self._channels = channels
            self._frame_bytes = int(SAMPLE_RATE * FRAME_SECONDS) * 2 * channels
            self._ahead.clear()
        size = self._frame_bytes
        for chunk in self._played.take_played():
            self._stand_in_for_missing(chunk)
            for n, start in enumerate(range(0, len(chunk.pcm) - size + 1, size)):
                self._queue_reference(chunk.at + n * FRAME_SECONDS, chunk.pcm[start : start + size])
        while len(self._ahead) > 2 * AHEAD_CHUNKS:
            self._apm.process_reverse_stream(self._ahead.popleft()[1])

    def _queue_reference(self, stamp: float, frame: bytes) -> None:
        self._ahead.append((self._played_cadence.due(stamp), frame))
        self._gate.played(frame)  # handed over, so soon heard

    def _stand_in_for_missing(self, chunk: PlayedChunk) -> None:
        """Silence for chunks the speaker handed over but dropped from its history before they were
        taken (the loop stalled longer than the history lasts): the reference keeps the card's sample
        count, so the echo path the canceller learnt, and the cadence's frame count, stay put."""
        if chunk.first_frame < 0:
            return
        frames_per_frame = self._frame_bytes // (2 * self._channels)
        missing = (chunk.first_frame - self._next_frame) // frames_per_frame if self._next_frame >= 0 else 0
        for k in range(min(missing, 2 * AHEAD_CHUNKS), 0, -1):
            self._queue_reference(chunk.at - k * FRAME_SECONDS, bytes(self._frame_bytes))
        self._next_frame = chunk.first_frame + len(chunk.pcm) // (2 * self._channels)


def make_processor(played: PlayedAudio, headset: bool, noise_suppression: bool = False) -> CaptureProcessor:
    """The capture processing for the settings: a headset needs no echo cancellation; without the
    module (or when the speaker plays at a rate the module cannot pair with the microphone's) half
    duplex stands in for it, and the log says so once."""
    if headset and not noise_suppression:
        return PassThrough()
    fallback: CaptureProcessor = PassThrough() if headset else HalfDuplex(played)
    if played.output_format[0] != SAMPLE_RATE:
        return _falling_back(fallback, f"the speaker plays at {played.output_format[0]} Hz")
    try:
        return WebRtcProcessor(played, echo=not headset, noise_suppression=noise_suppression)
    except (ImportError, OSError) as error:  # not installed (the `echo` extra), or its library is missing
        return _falling_back(fallback, f"{type(error).__name__}: {error}")


def _falling_back(fallback: CaptureProcessor, reason: str) -> CaptureProcessor:
    if isinstance(fallback, HalfDuplex):
        canceller.say_half_duplex(reason)
    return fallback
