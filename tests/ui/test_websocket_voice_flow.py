"""The whole app over the WebSocket transport: a spoken meeting request goes through the meeting dialog
and lands in the calendar, exactly as over WebRTC; only the session's config names the transport."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.settings.keychain import KeyStore
from desktop.settings.preferences import Preferences
from desktop.settings.target import Target
from desktop.storage.paths import DATA_DIR_ENV
from desktop.ui.meeting_dialog import MeetingDialog
from tests.ui.harness import (
    API_KEY,
    DEPLOYMENT,
    QUICK_RECONNECT,
    FastSessionFactory,
    running_root,
    wait_until,
)

REQUEST = "Please book a meeting called design review tomorrow at 3 pm for 30 minutes."


class SocketSessionFactory(FastSessionFactory):
    """The app's factory with the session's transport set to the WebSocket."""

    greet = False

    def __init__(self) -> None:
        super().__init__(audio=self._audio, environ={}, reconnect=QUICK_RECONNECT)
        self.microphones: list[SyntheticMicrophone] = []

    def _audio(self, _prefs: Preferences) -> tuple[SyntheticMicrophone, RecordingSpeaker]:
        self.microphones.append(SyntheticMicrophone())
        return self.microphones[-1], RecordingSpeaker()

    async def config(
        self, prefs: Preferences, target: Target, ice_credential: str = "", *, stand_in: bool = True
    ) -> SessionConfig:
        config = await super().config(prefs, target, ice_credential, stand_in=stand_in)
        return dataclasses.replace(config, transport="websocket")


def speech(seconds: float = 0.8) -> bytes:
    """A tone loud enough for the demo server's voice detection (mono s16 48 kHz)."""
    t = np.arange(int(48_000 * seconds)) / 48_000
    return (np.sin(2 * np.pi * 440 * t) * 0.3 * 32767).astype("<i2").tobytes()


def test_a_spoken_meeting_request_over_the_websocket_goes_through_the_dialog(
    qloop: asyncio.AbstractEventLoop,
    qapp: QApplication,
    settings_store: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # Root installs its own

    async def scenario(server: DemoServer) -> None:
        await KeyStore({}).save(ProviderKind.OPENAI, API_KEY)
        prefs = Preferences(ProviderKind.OPENAI, endpoint=server.base_url, deployment=DEPLOYMENT)
        async with running_root(qapp, settings_store, prefs, SocketSessionFactory()) as root:
            await wait_until(lambda: root.pane is not None, limit=20)
            root.window.start.click()
            await wait_until(lambda: bool(server.sessions), limit=20)
            assert server.sessions[-1].websocket  # the call came over the WebSocket, not WebRTC
            factory = root.session_factory
            assert isinstance(factory, SocketSessionFactory)
            await wait_until(lambda: root.controller.state.value == "listening", limit=20)
            server.queue_user_transcript(REQUEST)
            factory.microphones[-1].say(speech())
            await wait_until(lambda: bool(root.window.findChildren(MeetingDialog)), limit=20)
            (dialog,) = [d for d in root.window.findChildren(MeetingDialog) if d.isVisible()]
            dialog.accept_button.click()
            assert root.pane is not None
            pane = root.pane
            await wait_until(
                lambda: any("design review" in m.title.lower() for m in pane.meetings()), limit=20
            )
            await wait_until(
                lambda: "booked" in " ".join(root.window.transcript.bubble_texts()).lower(), limit=20
            )

    async def with_server() -> None:
        server = DemoServer(api_key=API_KEY, deployment=DEPLOYMENT)
        await server.start()
        try:
            await scenario(server)
        finally:
            await server.stop()

    qloop.run_until_complete(with_server())
