"""Digital silence reaches WebRTC's audio-processing module as the faintest noise (desktop/audio/dither.py);
anything with sound in it reaches it untouched."""

from __future__ import annotations

import array

import pytest

from desktop.audio import pcm
from desktop.audio.dither import NOISE_FRAMES, DitheredModule, SilenceDither

FRAME = bytes(960)  # 10 ms of mono s16 at 48 kHz


def test_a_silent_frame_becomes_noise_of_at_most_one_step_that_does_not_repeat_every_frame() -> None:
    dither = SilenceDither(seed=1)
    frames = [dither(FRAME) for _ in range(NOISE_FRAMES)]
    assert all(len(frame) == len(FRAME) and frame != FRAME for frame in frames)
    assert max(pcm.peak(frame) for frame in frames) == 1
    assert len(set(frames)) == NOISE_FRAMES
    assert dither(bytes(1920)) != bytes(1920) and len(dither(bytes(1920))) == 1920  # a stereo reference


def test_a_frame_with_any_sound_passes_as_it_is() -> None:
    dither = SilenceDither(seed=1)
    quiet = array.array("h", [0] * 479 + [1]).tobytes()
    speech = pcm.tone(440, 0.01, 0.3)
    assert dither(quiet) is quiet and dither(speech) is speech


class Recorder:
    def __init__(self) -> None:
        self.captured: list[bytes] = []
        self.played: list[bytes] = []

    def process_stream(self, frame: bytes) -> bytes:
        self.captured.append(frame)
        return frame

    def process_reverse_stream(self, frame: bytes) -> None:
        self.played.append(frame)


def test_the_module_s_two_streams_get_different_noise_for_their_silence() -> None:
    recorder = Recorder()
    module = DitheredModule(recorder)
    tone = pcm.tone(440, 0.01, 0.3)
    for frame in (FRAME, tone, FRAME):
        module.process_reverse_stream(frame)
        module.process_stream(frame)
    assert recorder.played[1] is tone and recorder.captured[1] is tone
    assert FRAME not in recorder.played + recorder.captured
    assert module.process_stream(FRAME) == FRAME  # what the service gets for silence is silence
    assert {recorder.played[0], recorder.played[2]}.isdisjoint({recorder.captured[0], recorder.captured[2]})


@pytest.mark.canceller
@pytest.mark.parametrize("noise_suppression", [True, False])
def test_the_canceller_fed_silence_both_ways_gives_silence(noise_suppression: bool) -> None:
    from desktop.audio.echo import audio_processing_module

    module = audio_processing_module(echo=True, noise_suppression=noise_suppression)
    module.set_reverse_stream_format(48000, 2)
    tone = pcm.tone(440, 0.01, 0.3)
    outs = []
    for n in range(300):
        module.process_reverse_stream(bytes(1920))
        outs.append(module.process_stream(tone if n < 100 else FRAME))
    assert all(out == FRAME for out in outs[100:])
