"""RFC 6465 audio level of an outgoing frame, computed in C instead of aiortc's Python loop.

aiortc computes the level of every frame it sends sample by sample in pure Python: the largest Python
cost of a call (docs/measurements.md, Audio path). This version returns exactly the same values:
`audioop`'s RMS, computed in C, is an integer rounded down, so the exact sum of squares is computed only
in the rare frame whose level would round differently at either end of that unit.
"""

from __future__ import annotations

import math

from av import AudioFrame

from desktop.audio import pcm

MAX_SAMPLE_VALUE = 32767
MIN_AUDIO_LEVEL = -127


def _dbov(energy: float, samples: int) -> int:
    rms = math.sqrt(energy / (samples * MAX_SAMPLE_VALUE * MAX_SAMPLE_VALUE))
    if rms <= 0:
        return MIN_AUDIO_LEVEL
    return round(min(max(20 * math.log10(rms), MIN_AUDIO_LEVEL), 0))


def compute_audio_level_dbov(frame: AudioFrame) -> int:
    """Same result as `aiortc.rtp.compute_audio_level_dbov` (including its quirks: the whole first
    plane is summed, the count is `frame.samples`)."""
    plane = bytes(frame.planes[0])
    if not frame.samples or not pcm.peak(plane):
        return MIN_AUDIO_LEVEL
    floor, count = pcm.rms_floor(plane), pcm.sample_count(plane)
    low = _dbov(floor * floor * count, frame.samples)
    if low == _dbov((floor + 1) * (floor + 1) * count, frame.samples):
        return low
    return _dbov(pcm.energy(plane), frame.samples)

