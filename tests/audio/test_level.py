"""The audio level computed in C gives aiortc's values, and the sender really uses it once installed."""

from __future__ import annotations

import inspect

import av
import numpy as np
import pytest
from aiortc import rtcrtpsender, rtp

from desktop.audio.aiortc_patches import audio_level as level

AIORTC_LEVEL = rtp.compute_audio_level_dbov  # taken at collection, before tests/conftest.py installs ours


def frame_of(samples: np.ndarray, layout: str) -> av.AudioFrame:
    frame = av.AudioFrame(format="s16", layout=layout, samples=960)
    frame.planes[0].update(samples.astype("<i2").tobytes())
    frame.sample_rate = 48000
    return frame


@pytest.mark.parametrize("amplitude", [0, 1, 30, 1000, 32767])
@pytest.mark.parametrize("layout", ["mono", "stereo"])
def test_the_level_matches_aiortc(amplitude: int, layout: str) -> None:
    channels = 2 if layout == "stereo" else 1
    noise = np.random.default_rng(amplitude).uniform(-amplitude, amplitude, 960 * channels)
    frame = frame_of(noise, layout)
    assert AIORTC_LEVEL is not level.compute_audio_level_dbov
    assert level.compute_audio_level_dbov(frame) == AIORTC_LEVEL(frame)


def test_the_sender_looks_the_function_up_where_it_is_replaced() -> None:
    assert rtp.compute_audio_level_dbov is level.compute_audio_level_dbov
    assert "rtp.compute_audio_level_dbov(" in inspect.getsource(rtcrtpsender.RTCRtpSender)
