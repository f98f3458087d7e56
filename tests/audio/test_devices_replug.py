"""A device chosen by name, unplugged and plugged back during the call, on the virtual PulseAudio
devices: what a Linux desktop does. The sound server's devices are chosen by their description and
reached through ALSA's `pulse` device with PULSE_SINK/PULSE_SOURCE; unplugging one moves its streams
to the default device (the call carries on there, and the person is told), unplugging the last one
kills them; plugging it back reopens the stream on it, found without restarting PortAudio."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from desktop.audio import devices, keeper
from desktop.audio.block_track import BLOCK_FRAMES
from desktop.audio.keeper import Stream, StreamKeeper
from tests.audio.conftest import VirtualAudio, wait_until

pytestmark = pytest.mark.audio

TONE = (b"\x00\x20\x00\x20" + b"\x00\xe0\x00\xe0") * (BLOCK_FRAMES // 2)  # a loud square wave, stereo


class Named:
    """A PortAudio stream on a device chosen by name, kept by a StreamKeeper as the microphone and
    speaker do; the capture callback notes how loud each block was."""

    def __init__(self, kind: devices.Kind, name: str) -> None:
        self.kind, self.name = kind, name
        self.problems: list[str] = []
        self.peaks: list[int] = []
        self.keeper = StreamKeeper(self._open, "lost", retry_seconds=0.3, kind=kind, device_name=name)
        self.keeper.set_problem_handler(lambda sentence, *, recovered=False: self.problems.append(sentence))

    def _open(self) -> Stream:
        sd = devices.sounddevice()
        device = devices.resolve(self.kind, self.name)
        make: Any = sd.RawOutputStream if self.kind == "output" else sd.RawInputStream
        stream: Stream = make(
            device=device.index, samplerate=48000, channels=2 if self.kind == "output" else 1,
            dtype="int16", blocksize=BLOCK_FRAMES, latency="low", callback=self._callback,
            finished_callback=self.keeper.finished,
        )  # fmt: skip
        return stream

    def _callback(self, data: Any, frames: int, timing: Any, status: Any) -> None:
        self.keeper.beat()
        if self.kind == "output":
            data[:] = TONE[: len(data)]
        else:
            self.peaks.append(max(bytes(data)[1::2]))  # high bytes: a rough peak, enough to tell


@pytest.fixture(autouse=True)
def quick_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keeper, "WATCH_SECONDS", 0.5)


async def keep(part: Named, tasks: set[asyncio.Task[None]]) -> None:
    tasks.add(asyncio.create_task(part.keeper.run()))
    await wait_until(lambda: part.keeper.alive, 15)


def test_the_sound_servers_devices_are_listed_by_their_description(devices: VirtualAudio) -> None:
    outputs = {d.name: d for d in devices_of("output")}
    inputs = {d.name: d for d in devices_of("input")}
    assert outputs["Virtual Speaker"].server_name == "vspeaker"
    assert inputs["Virtual Microphone"].server_name == "vmic"
    assert not any(name.endswith(".monitor") or "Monitor" in name for name in inputs)
    assert "default" in outputs and "pulse" in inputs  # PortAudio's own stay choosable


def devices_of(kind: devices.Kind) -> list[devices.Device]:
    return devices.list_devices(kind)


async def test_a_named_speaker_moved_to_the_default_comes_back_to_it(devices: VirtualAudio) -> None:
    speaker = Named("output", "Virtual Speaker")
    tasks: set[asyncio.Task[None]] = set()
    try:
        await keep(speaker, tasks)
        devices.pactl("set-default-sink", "vmic_sink")  # the "laptop speaker" it falls back to
        devices.unplug_device("vspeaker")
        await wait_until(lambda: len(speaker.problems) == 1, 15)
        assert speaker.problems[0] == (
            "The speaker “Virtual Speaker” was disconnected; the system's default speaker is used "
            "until it is back."
        )
        devices.plug()
        await wait_until(lambda: len(speaker.problems) == 2, 20)
        assert speaker.problems[1] == "The speaker “Virtual Speaker” is back."
        heard = await asyncio.to_thread(devices.record_speaker, 0.5)
        assert max(heard[1::2]) > 0x10  # the tone plays on the named speaker again
    finally:
        await stop(speaker, tasks)


async def test_a_named_microphone_that_died_is_reopened_when_it_is_back(
    devices: VirtualAudio, speech_wav: Path
) -> None:
    microphone = Named("input", "Virtual Microphone")
    tasks: set[asyncio.Task[None]] = set()
    try:
        await keep(microphone, tasks)
        devices.unplug()  # every device: the stream dies, nothing to fall back to
        await wait_until(lambda: len(microphone.problems) == 1, 15)
        assert microphone.problems[0] == (
            "The microphone “Virtual Microphone” was disconnected; the call goes on, but you are not "
            "heard until it is back."
        )
        devices.plug()
        await wait_until(lambda: len(microphone.problems) == 2, 20)
        assert microphone.problems[1] == "The microphone “Virtual Microphone” is back."
        start = len(microphone.peaks)
        player = devices.play_into_mic(speech_wav)
        try:
            await wait_until(lambda: any(p > 0x10 for p in microphone.peaks[start:]), 15)
        finally:
            player.kill()
            player.wait()
    finally:
        await stop(microphone, tasks)


async def stop(part: Named, tasks: set[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await part.keeper.close()
