"""Every way of starting the app installs aiortc's patches before its first peer connection: the
window (through its session factory, which every call, check and demo server of the window waits
for), `--check`, and `python -m desktop.demo`. The test session installs them itself
(tests/conftest.py), so each entry point is watched calling `install` rather than asked afterwards."""

from __future__ import annotations

import asyncio
import sys

import pytest

import desktop.demo.__main__ as demo_command
from desktop.app import main as command_line
from desktop.app.session_factory import AppSessionFactory
from desktop.audio import aiortc_patches


@pytest.fixture
def installs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each call of `aiortc_patches.install`, which still installs (a no-op, already installed)."""
    calls: list[str] = []
    real = aiortc_patches.install

    def install() -> None:
        calls.append("install")
        real()

    monkeypatch.setattr(aiortc_patches, "install", install)
    return calls


def test_the_window_installs_them_before_its_first_call(installs: list[str]) -> None:
    async def preload_then_config_waits() -> None:
        factory = AppSessionFactory()
        await factory.preload()  # right after the window is shown
        await factory._patch_aiortc()  # config()'s first step: waits for the same installation

    asyncio.run(preload_then_config_waits())
    assert installs == ["install"]


def test_the_connection_check_installs_them(installs: list[str]) -> None:
    assert command_line(["--check", "--provider", "demo"]) == 0
    assert installs == ["install"]


def test_the_demo_server_command_installs_them(
    installs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def serve(_args: object) -> None:  # the server itself is tested in tests/demo
        return None

    monkeypatch.setattr(demo_command, "serve", serve)
    monkeypatch.setattr(sys, "argv", ["python -m desktop.demo", "--port", "0"])
    demo_command.main()
    assert installs == ["install"]
