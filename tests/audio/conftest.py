"""Fixtures for the audio tests: the virtual PulseAudio devices and a spoken request."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from benchmarks.virtual_devices import VirtualAudio, missing_tool, virtual_audio


async def wait_until(condition: Callable[[], bool], seconds: float = 8.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


@pytest.fixture(scope="package")  # the daemon and its environment stay inside tests/audio
def pulse() -> Iterator[VirtualAudio]:
    tool = missing_tool()
    if tool is not None:
        pytest.skip(f"{tool} is not installed (Debian packages pulseaudio, pulseaudio-utils)")
    with virtual_audio() as audio:
        yield audio


@pytest.fixture
def devices(pulse: VirtualAudio) -> VirtualAudio:
    """The virtual devices, plugged in (a previous test may have pulled them)."""
    pulse.plug()
    return pulse


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    path = tmp_path_factory.mktemp("speech") / "request.wav"
    text = "Please book a meeting with Anna tomorrow at ten, and tell me what is on my calendar."
    subprocess.run(["espeak-ng", "-w", str(path), text], check=True, timeout=30)
    return path

