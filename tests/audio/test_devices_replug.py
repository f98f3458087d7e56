"""A device chosen by name, unplugged and plugged back during the call, on the virtual PulseAudio
devices: what a Linux desktop does. The sound server's devices are chosen by their description and
reached through ALSA's `pulse` device with PULSE_SINK/PULSE_SOURCE; unplugging one moves its streams
to the default device (the call carries on there, and the person is told), unplugging the last one
kills them; plugging it back reopens the stream on it, found without restarting PortAudio."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from desktop.audio import devices, stream_keeper
from desktop.audio.block_track import BLOCK_FRAMES
from desktop.audio.notices import notice
from desktop.audio.stream_keeper import Stream, StreamKeeper
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
        self.keeper = StreamKeeper(self._open, kind, device_name=name, retry_seconds=0.3)
        self.keeper.set_problem_handler(lambda sentence, *, recovered=False: self.problems.append(sentence))

    def _open(self) -> Stream:
        sd = devices.sounddevice()
        device = devices.resolve(self.kind, self.name)
        make: Any = sd.RawOutputStream if self.kind == "output" else sd.RawInputStream
        stream: Stream = make(
            device=device.index, samplerate=48000, channels=2 if self.kind == "output" else 1,
            dtype="int16", blocksize=BLOCK_FRAMES, latency="low", callback=self._callback,
            finished_callback=self.keeper.finished_callback,
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
    monkeypatch.setattr(stream_keeper, "WATCH_SECONDS", 0.5)


@asynccontextmanager
async def kept(kind: devices.Kind, name: str) -> AsyncIterator[Named]:
    """The named device's stream, delivering, kept open until the block ends."""
    part = Named(kind, name)
    task = asyncio.create_task(part.keeper.run())
    try:
        await wait_until(lambda: part.keeper.alive, 15)
        yield part
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await part.keeper.close()


async def replug(audio: VirtualAudio, part: Named, unplug: Callable[[], None], told: str) -> None:
    """Unplugs, waits to be `told` so, plugs back and waits for "… is back"."""
    unplug()
    await said(part, told, 15)
    audio.plug()
    await said(part, notice(part.kind, "back", part.name), 20)


async def said(part: Named, text: str, seconds: float) -> None:
    await wait_until(lambda: any(text in sentence for sentence in part.problems), seconds)


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
    async with kept("output", "Virtual Speaker") as speaker:
        devices.pactl("set-default-sink", "vmic_sink")  # the "laptop speaker" it falls back to
        await replug(devices, speaker, lambda: devices.unplug_device("vspeaker"), "disconnected")
        # Moved, it plays on the default; but an underrun there (two busy cores) makes libasound's
        # `pulse` plugin create the stream anew on the named sink, which is gone: then it was lost.
        assert speaker.problems[0] in (
            "The speaker “Virtual Speaker” was disconnected; the system's default speaker is used "
            "until it is back.",
            "The speaker “Virtual Speaker” was disconnected; the call goes on, and you hear the "
            "assistant when it is back.",
        )
        heard = await asyncio.to_thread(devices.record_speaker, 0.5)
        assert max(heard[1::2]) > 0x10  # the tone plays on the named speaker again


async def test_a_named_microphone_that_died_is_reopened_when_it_is_back(
    devices: VirtualAudio, speech_wav: Path
) -> None:
    async with kept("input", "Virtual Microphone") as microphone:
        # Every device: the stream dies, nothing to fall back to, so it is not said to be moved.
        lost = "The microphone “Virtual Microphone” was disconnected; the call goes on, but you are not"
        await replug(devices, microphone, devices.unplug, lost)
        assert not any("default" in sentence for sentence in microphone.problems)
        start = len(microphone.peaks)
        player = devices.play_into_mic(speech_wav)
        try:
            await wait_until(lambda: any(p > 0x10 for p in microphone.peaks[start:]), 15)
        finally:
            player.kill()
            player.wait()


async def test_a_sound_server_that_cannot_answer_is_not_an_unplugged_device(
    devices: VirtualAudio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = tmp_path / "calls"
    failing = tmp_path / "pactl"
    failing.write_text(f"#!/bin/sh\necho >> {calls}\necho 'Connection failure: Timeout' >&2\nexit 1\n")
    failing.chmod(0o755)
    async with kept("output", "Virtual Speaker") as speaker:
        monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
        # Rounds enough for a device seen missing to have been said to be moved (STALL_SECONDS).
        rounds = int(stream_keeper.STALL_SECONDS / stream_keeper.WATCH_SECONDS) + 2
        await wait_until(lambda: calls.exists() and calls.read_text().count("\n") >= rounds, 15)
        assert speaker.problems == []
