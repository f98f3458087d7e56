"""Echo cancellation on the capture path, fed with what the speaker really played.

WebRTC's audio-processing module (AEC3, optional noise suppression) from the `aec-audio-processing`
wheel: 3.6 MB, a direct binding that processes a 10 ms frame in about 0.1 ms here. (`livekit`'s
AudioProcessingModule cancels as well but weighs 30 MB and costs four times as much per frame through
its FFI.) Without the module the microphone is gated while the assistant speaks (half duplex). With a
headset there is no echo to cancel and processing is off. All of this runs on the event loop as blocks
arrive, never inside a PortAudio callback.
"""

from __future__ import annotations

import math
from collections import deque
from typing import NamedTuple, Protocol

import numpy as np

from desktop.audio.block_track import SILENCE

APM_RATES = (8000, 16000, 32000, 48000)
AHEAD_CHUNKS = 50  # a second of 20 ms output callbacks, at most, waiting for a later capture


class PlayedChunk(NamedTuple):
    at: float  # time.monotonic() when the chunk was handed to the device
    pcm: bytes  # interleaved s16 in the output format


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
    """Fallback without a canceller: the microphone is silent while the assistant's audio plays."""

    def __init__(self, played: PlayedAudio) -> None:
        self._played = played

    def process(self, block: bytes, captured_at: float = math.inf) -> bytes:
        self._played.take_played()  # keep nothing: the history is only for a canceller
        return SILENCE if self._played.playing else block


class WebRtcProcessor:
    """Echo cancellation and/or noise suppression by WebRTC's audio-processing module."""

    def __init__(self, played: PlayedAudio, echo: bool = True, noise_suppression: bool = False) -> None:
        from aec_audio_processing import AudioProcessor

        self._played = played
        self._apm = AudioProcessor(
            enable_aec=echo, enable_ns=noise_suppression, enable_agc=False, enable_vad=False
        )
        self._apm.set_stream_format(48000, 1, 48000, 1)
        self._reverse_rate = 0
        self._reverse = np.zeros(0, dtype=np.int16)
        self._ahead: deque[PlayedChunk] = deque(maxlen=AHEAD_CHUNKS)  # played after the last capture

    def process(self, block: bytes, captured_at: float = math.inf) -> bytes:
        self._feed_reference(captured_at)
        half = len(block) // 2  # the module takes 10 ms frames
        return self._apm.process_stream(block[:half]) + self._apm.process_stream(block[half:])

    def _feed_reference(self, captured_at: float) -> None:
        """Feed what was played up to the capture time, in order. When the loop catches up after a
        stall, blocks captured earlier must not be preceded by audio played later: the canceller
        would see the echo path jump and let echo through while it re-learns it."""
        rate, channels = self._played.output_format
        if rate != self._reverse_rate:
            self._apm.set_reverse_stream_format(rate, 1)
            self._reverse_rate = rate
            self._reverse = np.zeros(0, dtype=np.int16)
        self._ahead.extend(self._played.take_played())
        chunks = []
        while self._ahead and self._ahead[0].at <= captured_at:
            chunks.append(_to_mono(self._ahead.popleft().pcm, channels))
        self._reverse = np.concatenate([self._reverse, *chunks])
        step = rate // 100
        whole = len(self._reverse) // step * step
        for start in range(0, whole, step):
            self._apm.process_reverse_stream(self._reverse[start : start + step].tobytes())
        self._reverse = self._reverse[whole:]


def _to_mono(pcm: bytes, channels: int) -> np.ndarray:
    samples = np.frombuffer(pcm, dtype=np.int16)
    if channels == 1:
        return samples
    if channels == 2:  # the usual case, in integers: a float mean of every frame costs five times more
        return ((samples[0::2].astype(np.int32) + samples[1::2]) >> 1).astype(np.int16)
    return samples.reshape(-1, channels).mean(axis=1).astype(np.int16)


def make_processor(played: PlayedAudio, headset: bool, noise_suppression: bool = False) -> CaptureProcessor:
    """The capture processing for the settings: a headset needs no echo cancellation; without the
    module (or at a rate it does not take) half duplex stands in for it."""
    if headset and not noise_suppression:
        return PassThrough()
    fallback: CaptureProcessor = PassThrough() if headset else HalfDuplex(played)
    if played.output_format[0] not in APM_RATES:
        return fallback
    try:
        return WebRtcProcessor(played, echo=not headset, noise_suppression=noise_suppression)
    except (ImportError, OSError):  # the wheel or its shared library is missing on this platform
        return fallback
