"""Microphone, speaker and device lookup against the virtual PulseAudio devices."""

from __future__ import annotations

import asyncio
import itertools
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from desktop.audio import devices as device_list
from desktop.audio.block_track import BLOCK_FRAMES
from desktop.audio.devices import AudioUnavailable
from desktop.audio.microphone import Microphone
from desktop.audio.notices import notice
from desktop.audio.ports import AudioInput, AudioOutput
from desktop.audio.speaker import Speaker
from desktop.audio.synthetic import SyntheticMicrophone
from tests.audio.conftest import VirtualAudio, wait_until


def loud(samples: np.ndarray) -> bool:
    return bool(np.sqrt(np.mean(samples.astype(np.float64) ** 2)) > 300)


class PortAudioMissing:
    """An import hook that fails the way sounddevice does when libportaudio cannot be loaded."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> None:
        if name == "sounddevice":
            raise OSError("PortAudio library not found")


def test_missing_portaudio_is_a_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [PortAudioMissing(), *sys.meta_path])
    with pytest.raises(AudioUnavailable, match="PortAudio is not installed"):
        device_list.list_devices("input")


def test_no_microphone_is_a_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoDevices:
        PortAudioError = OSError
        default = SimpleNamespace(device=(-1, -1))

        @staticmethod
        def query_devices(kind: str | None = None) -> list[dict[str, object]]:
            if kind is not None:
                raise OSError("no default")
            return []

    monkeypatch.setattr(device_list, "sounddevice", NoDevices)
    with pytest.raises(AudioUnavailable, match=r"^No microphone was found\.$"):
        device_list.resolve("input", None)


def test_the_classes_fit_the_ports() -> None:
    microphone: AudioInput = Microphone()
    speaker: AudioOutput = Speaker()  # mypy checks both assignments against the contracts
    assert microphone.level == 0 and speaker.played_seconds == 0


@pytest.mark.audio
def test_devices_are_listed_and_found(devices: VirtualAudio) -> None:
    inputs = device_list.list_devices("input")
    assert any(d.is_default for d in inputs)
    assert device_list.resolve("input", None).is_default
    outputs = device_list.list_devices("output")
    named = device_list.resolve("output", outputs[0].name)
    assert named.name == outputs[0].name
    with pytest.raises(AudioUnavailable, match="is not connected"):
        device_list.resolve("input", "A headset that is not there")


@pytest.mark.audio
async def test_speech_into_the_virtual_mic_comes_out_of_the_track(
    devices: VirtualAudio, speech_wav: Path
) -> None:
    microphone = Microphone(encoded=False)  # PCM frames, to look at
    await microphone.start()
    frames = []
    try:
        await wait_until(lambda: microphone._keeper.alive)
        player = devices.play_into_mic(speech_wav)
        for _ in range(150):  # 3 s
            frames.append(await asyncio.wait_for(microphone.track.recv(), 5))
        player.wait(timeout=10)
        microphone.set_open(False)
        closed = [await asyncio.wait_for(microphone.track.recv(), 5) for _ in range(10)]
    finally:
        await microphone.stop()
    pts = [int(f.pts or 0) for f in frames + closed]
    assert pts == list(range(pts[0], pts[0] + BLOCK_FRAMES * len(pts), BLOCK_FRAMES))
    assert all(f.samples == BLOCK_FRAMES and f.sample_rate == 48000 for f in frames)
    assert sum(loud(f.to_ndarray()) for f in frames) > 25  # a second and more of speech
    assert not any(loud(f.to_ndarray()) for f in closed)


@pytest.mark.audio
async def test_the_speaker_plays_into_the_virtual_speaker_and_flushes_at_once(
    devices: VirtualAudio, speech_wav: Path
) -> None:
    voice = SyntheticMicrophone()
    speaker = Speaker()
    speaker.attach(voice.track)
    await speaker.start()
    try:
        await wait_until(lambda: speaker._keeper.alive)
        voice.say(speech_wav)
        await wait_until(lambda: speaker.playing)
        recorded = await asyncio.to_thread(devices.record_speaker, 1.5)
        assert loud(np.frombuffer(recorded, dtype=np.int16))
        assert speaker.level > 0
        await wait_until(lambda: speaker.played_seconds > 0.5)
        speaker.flush()
        assert speaker.buffered_seconds == 0
    finally:
        await speaker.stop()


@pytest.mark.audio
async def test_unplugging_reports_keeps_sending_and_resumes(devices: VirtualAudio, speech_wav: Path) -> None:
    problems: list[str] = []
    recoveries: list[str] = []

    def told(sentence: str, *, recovered: bool = False) -> None:
        (recoveries if recovered else problems).append(sentence)

    microphone, speaker = Microphone(encoded=False), Speaker()
    for part in (microphone, speaker):
        part.set_problem_handler(told)
        await part.start()
    voice = SyntheticMicrophone()
    speaker.attach(voice.track)
    try:
        await wait_until(lambda: microphone._keeper.alive and speaker._keeper.alive)
        devices.unplug()
        await wait_until(lambda: len(problems) == 2)
        assert notice("input", "lost") in problems
        outage = [await asyncio.wait_for(microphone.track.recv(), 2) for _ in range(20)]  # silence, paced
        assert not any(loud(f.to_ndarray()) for f in outage)
        devices.plug()
        await wait_until(lambda: microphone._keeper.alive and speaker._keeper.alive, 15)
        player = devices.play_into_mic(speech_wav)
        voice.say(speech_wav)
        back = [await asyncio.wait_for(microphone.track.recv(), 5) for _ in range(100)]
        player.kill()
        assert any(loud(f.to_ndarray()) for f in back)
        resumed_at = speaker.played_seconds
        await wait_until(lambda: speaker.played_seconds > resumed_at + 0.5)
        pts = [int(f.pts or 0) for f in outage + back]
        assert all(b > a for a, b in itertools.pairwise(pts))
        assert len(problems) == 2  # one sentence per device and outage
        await wait_until(lambda: len(recoveries) == 2)
        assert sorted(recoveries) == ["The microphone is back.", "The speaker is back."]
    finally:
        await microphone.stop()
        await speaker.stop()
