"""`desktop.audio.pcm` against numpy (which the tests may use and the app no longer does)."""

from __future__ import annotations

import av
import numpy as np
import pytest

from desktop.audio import pcm

NOISE = np.random.default_rng(5).normal(0, 6000, 4800).clip(-32768, 32767).astype(np.int16)


def test_levels_match_numpy() -> None:
    data = NOISE.tobytes()
    exact = float(np.sqrt(np.mean(NOISE.astype(np.float64) ** 2)))
    assert pcm.rms_floor(data) == int(exact)
    assert pcm.rms(data) == pytest.approx(exact / 32768, abs=1 / 32768)
    assert pcm.energy(data) == int(np.dot(NOISE.astype(np.int64), NOISE.astype(np.int64)))
    assert pcm.peak(data) == int(np.abs(NOISE.astype(np.int32)).max())
    assert pcm.rms(b"") == 0.0 and pcm.peak(b"") == 0
    assert pcm.peak(np.array([-32768, 5], np.int16).tobytes()) == 32768


@pytest.mark.parametrize("channels", [2, 3])
def test_to_mono_is_the_mean_of_the_channels(channels: int) -> None:
    interleaved = NOISE[: 960 * channels]
    mono = np.frombuffer(pcm.to_mono(interleaved.tobytes(), channels), np.int16)
    expected = interleaved.reshape(-1, channels).astype(np.float64).mean(axis=1)
    assert np.abs(mono - expected).max() < channels  # each scaled channel is rounded down


def test_gain_and_fit() -> None:
    loud = pcm.gain(np.array([20000, -20000, 100], np.int16).tobytes(), 2.0)
    assert np.frombuffer(loud, np.int16).tolist() == [32767, -32768, 200]
    assert pcm.fit(b"\1\0", 6) == b"\1\0" + bytes(4) and pcm.fit(bytes(8), 4) == bytes(4)


def test_resample_keeps_the_duration_and_the_tone() -> None:
    tone = pcm.tone(440, 1.0, 0.5, rate=22050)
    assert pcm.sample_count(tone) == 22050
    resampled = pcm.resample(tone, 22050)
    assert pcm.sample_count(resampled) == 48000
    assert pcm.rms(resampled) == pytest.approx(0.5 / np.sqrt(2), rel=0.02)
    stereo = np.repeat(np.frombuffer(pcm.tone(440, 0.1, 0.5), np.int16), 2).tobytes()
    assert pcm.resample(stereo, 48000, channels=2) == pcm.tone(440, 0.1, 0.5)


def test_frames_round_trip_and_other_formats_convert() -> None:
    data = NOISE[:1920].tobytes()
    frame = pcm.to_frame(data, 48000, "stereo")
    assert frame.samples == 960 and pcm.from_frame(frame) == data
    assert frame.to_ndarray().tobytes() == data
    floats = av.AudioFrame.from_ndarray(np.full((1, 960), 0.5, np.float32), format="flt", layout="mono")
    floats.sample_rate = 48000
    assert np.frombuffer(pcm.from_frame(floats), np.int16).tolist() == [16384] * 960


def test_noise_is_the_same_for_a_seed() -> None:
    assert pcm.noise(960, 8000, seed=3) == pcm.noise(960, 8000, seed=3) != pcm.noise(960, 8000, seed=4)
    assert 6000 < pcm.rms_floor(pcm.noise(960, 8000, seed=3)) < 10000
