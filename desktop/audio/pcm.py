"""Operations on 16-bit signed PCM in native byte order held in bytes (PyAV's and PortAudio's s16).

The sample maths is the standard library's `audioop` (C, cheap enough for every frame), so the app
needs no numpy at run time (numpy and its OpenBLAS would weigh on the bundle and on memory:
docs/measurements.md, Audio path).
Rate changes go through PyAV's resampler (libswresample), which the app ships anyway.
"""

from __future__ import annotations

import array
import math
import random
import warnings
from collections.abc import Iterable

import av

# audioop is deprecated in 3.11-3.12 and removed from the standard library in 3.13, where the
# maintained `audioop-lts` package provides the same module. Imported here only, warning silenced once.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

WIDTH = 2  # bytes per sample
FULL_SCALE = 32768
RATE = 48_000
_CHANNELS = {"mono": 1, "stereo": 2}


def sample_count(pcm: bytes) -> int:
    """Samples in the buffer (all channels together)."""
    return len(pcm) // WIDTH


def fit(pcm: bytes, size: int) -> bytes:
    """Exactly `size` bytes: cut, or padded with silence."""
    return pcm[:size].ljust(size, b"\0")


def rms(pcm: bytes) -> float:
    """Root mean square level, 0..1 of full scale; 0.0 when empty."""
    return audioop.rms(pcm, WIDTH) / FULL_SCALE if pcm else 0.0


def rms_floor(pcm: bytes) -> int:
    """The root mean square in sample units, rounded down (the true value is below this plus one)."""
    return audioop.rms(pcm, WIDTH) if pcm else 0


def energy(pcm: bytes) -> int:
    """The exact sum of squared samples. Pure Python, far slower than `audioop` (docs/measurements.md,
    Audio path): for rare cases only."""
    return sum(x * x for x in array.array("h", pcm))


def peak(pcm: bytes) -> int:
    """The largest absolute sample, 0..32768."""
    return audioop.max(pcm, WIDTH) if pcm else 0


def to_mono(pcm: bytes, channels: int) -> bytes:
    """Interleaved samples to mono, the mean of the channels (rounded down)."""
    if channels == 1:
        return pcm
    if channels == 2:
        return audioop.tomono(pcm, WIDTH, 0.5, 0.5)
    samples = array.array("h", pcm)
    mixed = audioop.mul(samples[0::channels].tobytes(), WIDTH, 1 / channels)
    for channel in range(1, channels):
        scaled = audioop.mul(samples[channel::channels].tobytes(), WIDTH, 1 / channels)
        mixed = audioop.add(mixed, scaled, WIDTH)
    return mixed


def gain(pcm: bytes, factor: float) -> bytes:
    """Every sample times `factor`, clipped to the 16-bit range."""
    return audioop.mul(pcm, WIDTH, factor)


def resample(pcm: bytes, rate: int, to_rate: int = RATE, channels: int = 1) -> bytes:
    """Interleaved samples at `rate` to mono at `to_rate` (one whole clip: the resampler is flushed)."""
    pcm = to_mono(pcm, channels)
    if rate == to_rate or not pcm:
        return pcm
    resampler = av.AudioResampler(format="s16", layout="mono", rate=to_rate)
    frame = to_frame(pcm, rate)
    return b"".join(from_frame(out) for out in [*resampler.resample(frame), *resampler.resample(None)])


def from_frame(frame: av.AudioFrame) -> bytes:
    """The frame's samples as interleaved s16 bytes (other sample formats are converted)."""
    if frame.format.name != "s16":
        converter = av.AudioResampler(format="s16", layout=frame.layout.name, rate=frame.sample_rate)
        return b"".join(from_frame(out) for out in converter.resample(frame))
    size = frame.samples * len(frame.layout.channels) * WIDTH
    return bytes(memoryview(frame.planes[0])[:size])  # the plane may be padded beyond the samples


def to_frame(pcm: bytes, rate: int = RATE, layout: str = "mono") -> av.AudioFrame:
    """An s16 frame holding these interleaved samples (no timestamp set)."""
    channels = _CHANNELS.get(layout) or len(av.AudioLayout(layout).channels)  # the lookup is per frame
    frame = av.AudioFrame(format="s16", layout=layout, samples=len(pcm) // (WIDTH * channels))
    frame.planes[0].update(pcm)
    frame.sample_rate = rate
    return frame


def tone(hz: int, seconds: float, amplitude: float, rate: int = RATE) -> bytes:
    """A sine wave, `amplitude` 0..1 of full scale."""
    scale = amplitude * (FULL_SCALE - 1)
    step = 2 * math.pi * hz / rate
    period = rate // math.gcd(hz, rate)  # samples after which the wave repeats exactly
    cycle = _pack(int(math.sin(step * n) * scale) for n in range(period))
    size = int(rate * seconds) * WIDTH
    return (cycle * (size // len(cycle) + 1))[:size]


def noise(samples: int, sigma: float, seed: int) -> bytes:
    """Gaussian noise with this standard deviation (in sample units), clipped, the same for a seed."""
    draw = random.Random(seed).gauss
    return _pack(max(-32000, min(32000, int(draw(0, sigma)))) for _ in range(samples))


def _pack(samples: Iterable[int]) -> bytes:
    return array.array("h", samples).tobytes()
