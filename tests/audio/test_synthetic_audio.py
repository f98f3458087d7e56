"""The synthetic microphone behaves like a sound card: paced 20 ms frames, continuous pts."""

from __future__ import annotations

import fractions
import wave
from pathlib import Path

import av
import numpy as np

from desktop.audio.synthetic import FRAME_SAMPLES, RATE, SyntheticMicrophone, load_pcm


def _tone(seconds: float) -> bytes:
    t = np.arange(int(RATE * seconds)) / RATE
    return (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2").tobytes()


async def test_frames_are_continuous_and_speech_only_when_open() -> None:
    microphone = SyntheticMicrophone()
    assert microphone.say(_tone(0.05)) == 0.05
    microphone.set_open(False)
    frames = [await microphone.track.recv() for _ in range(2)]
    microphone.set_open(True)
    frames += [await microphone.track.recv() for _ in range(4)]
    await microphone.wait_spoken()
    for index, frame in enumerate(frames):
        assert isinstance(frame, av.AudioFrame)
        assert frame.samples == FRAME_SAMPLES and frame.sample_rate == RATE
        assert frame.pts == index * FRAME_SAMPLES and frame.time_base == fractions.Fraction(1, RATE)
    loud = [bool(np.abs(f.to_ndarray()).max() > 0) for f in frames if isinstance(f, av.AudioFrame)]
    assert loud == [False, False, True, True, True, False]
    await microphone.stop()


def test_wav_files_are_resampled_to_mono_48k(tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(24000)
        wav.writeframes(np.zeros(24000 * 2, dtype="<i2").tobytes())
    assert len(load_pcm(path)) == RATE * 2  # one second, mono, 2 bytes a sample
