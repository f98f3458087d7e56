"""RFC 6465 audio level of an outgoing frame, computed with numpy instead of aiortc's Python loop.

aiortc computes the level of every frame it sends sample by sample in pure Python (about 0.4 ms per
20 ms frame here, 2 % of a core for one microphone: the largest Python cost of a call). `install()`
swaps in this vectorised version, which returns exactly the same values.
"""

from __future__ import annotations

import math

import numpy as np
from aiortc import rtp
from av import AudioFrame

MAX_SAMPLE_VALUE = 32767
MIN_AUDIO_LEVEL = -127


def compute_audio_level_dbov(frame: AudioFrame) -> int:
    """Same result as `aiortc.rtp.compute_audio_level_dbov` (including its quirks: the whole first
    plane is summed, the count is `frame.samples`)."""
    samples = np.frombuffer(bytes(frame.planes[0]), dtype=np.int16).astype(np.int64)
    energy = float(np.dot(samples, samples))
    rms = math.sqrt(energy / (frame.samples * MAX_SAMPLE_VALUE * MAX_SAMPLE_VALUE))
    if rms <= 0:
        return MIN_AUDIO_LEVEL
    return round(min(max(20 * math.log10(rms), MIN_AUDIO_LEVEL), 0))


def install() -> None:
    """aiortc's sender looks the function up in `aiortc.rtp` for every frame: replacing it there is
    enough. Written against aiortc 1.16; tests/audio/test_level.py fails if the hook stops working."""
    rtp.compute_audio_level_dbov = compute_audio_level_dbov


def installed() -> bool:
    return rtp.compute_audio_level_dbov is compute_audio_level_dbov
