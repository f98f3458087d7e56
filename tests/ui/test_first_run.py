"""The first launch, through the app's composition root: fresh settings, an empty in-memory keychain
(tests/ui/conftest.py), synthetic sound devices.

Without a key the app runs the built-in demo, says so with a way to the settings, and the demo's
greeting is real speech; once a key is stored it talks to the configured provider instead."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Mapping

import keyring
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from desktop.app.composition import Root
from desktop.app.self_test import SyntheticDevices, tone, visible_dialogs
from desktop.app.session_factory import AppSessionFactory
from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind
from desktop.settings.keychain import SERVICE
from desktop.settings.preferences import Preferences, save_preferences
from desktop.ui.main_window import MainWindow
from tests.ui.harness import wait_until

Scenario = Callable[[Root, SyntheticDevices], Awaitable[None]]


@pytest.fixture(autouse=True)
def no_key_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "VOICE_ASSISTANT_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # the root installs its own: put it back after


def launch(
    qloop: asyncio.AbstractEventLoop,
    qapp: QApplication,
    store: QSettings,
    scenario: Scenario,
    environ: Mapping[str, str] | None = None,
) -> None:
    """The window and the composition root as `desktop.app.launch` makes them, around `scenario`; `environ`
    is the run's environment (none by default)."""

    async def run() -> None:
        devices = SyntheticDevices()
        window = MainWindow()
        window.show()
        root = Root(qapp, window, store, AppSessionFactory(audio=devices, environ=environ or {}))
        running = asyncio.ensure_future(root.run())
        try:
            await scenario(root, devices)
        finally:
            root.quit_requested.set()
            await running
            window.deleteLater()

    qloop.run_until_complete(run())


def test_without_a_key_the_demo_answers_and_says_so(
    qloop: asyncio.AbstractEventLoop, qapp: QApplication, settings_store: QSettings
) -> None:
    async def scenario(root: Root, devices: SyntheticDevices) -> None:
        notice = root.window.notice
        await wait_until(notice.isVisible)
        assert "demo" in notice.message.text() and notice.settings.isVisible()
        root.window.start.click()
        # The greeting is heard as speech, not just shown as text.
        await wait_until(lambda: devices.speaker is not None and devices.speaker.audible_seconds >= 0.5)
        await wait_until(lambda: bool(root.window.transcript.bubble_texts()))
        notice.settings.click()
        await wait_until(lambda: root.window.settings_dialog is not None)
        dialog = root.window.settings_dialog
        assert dialog is not None and dialog.isVisible()
        dialog.reject()

    launch(qloop, qapp, settings_store, scenario)


def test_with_a_stored_key_the_configured_provider_answers(
    qloop: asyncio.AbstractEventLoop, qapp: QApplication, settings_store: QSettings
) -> None:
    async def scenario(root: Root, devices: SyntheticDevices) -> None:
        await wait_until(lambda: root.session_factory.tools is not None)  # announced by now
        assert not root.window.notice.isVisible()
        root.window.start.click()
        await wait_until(lambda: devices.speaker is not None and devices.speaker.audible_seconds >= 0.5)
        # The configured (OpenAI) service took the call, with the stored key (it refuses any other).
        assert [call.dialect.value for call in provider.sessions] == ["ga"]
        assert root.window.notice.isHidden()

    provider = DemoServer(api_key="sk-stored-key-0123456789", deployment="gpt-realtime")
    url = qloop.run_until_complete(provider.start())
    try:
        keyring.set_password(SERVICE, "openai", provider.api_key)
        prefs = Preferences(provider=ProviderKind.OPENAI, endpoint=url, deployment=provider.deployment)
        save_preferences(settings_store, prefs)
        launch(qloop, qapp, settings_store, scenario)
    finally:
        qloop.run_until_complete(provider.stop())


def test_the_demo_proposes_a_meeting_and_waits_for_the_person(
    qloop: asyncio.AbstractEventLoop, qapp: QApplication, settings_store: QSettings
) -> None:
    """The whole flow before any key: a spoken request, the meeting dialog, and meanwhile the talk
    button says the conversation waits for the person, not for the assistant."""

    async def scenario(root: Root, devices: SyntheticDevices) -> None:
        talk = root.window.talk
        waiting = talk.tr("Waiting for your answer in the meeting dialog")
        await wait_until(lambda: root.session_factory.tools is not None)  # the calendar and tools are open
        root.window.start.click()
        await wait_until(lambda: devices.speaker is not None and devices.speaker.audible_seconds >= 0.5)
        assert devices.microphone is not None
        devices.microphone.say(tone(0.8))
        await wait_until(lambda: bool(visible_dialogs(root)))
        await wait_until(lambda: talk.label() == waiting)
        visible_dialogs(root)[0].accept_button.click()
        await wait_until(lambda: talk.label() != waiting)
        assert root.pane is not None
        await wait_until(lambda: len(root.pane.meetings()) == 1)

    launch(qloop, qapp, settings_store, scenario)
