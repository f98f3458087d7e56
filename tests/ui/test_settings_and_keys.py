"""Preferences through QSettings, the key through the keychain (or this run only), and the dialog."""

from __future__ import annotations

import asyncio
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop.realtime.config import ProviderKind
from desktop.session.events import SessionState
from desktop.settings.keychain import SERVICE, KeyStore
from desktop.settings.preferences import (
    Preferences,
    default_instructions,
    load_preferences,
    save_preferences,
    session_config,
)
from desktop.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import MemoryKeyring
from tests.ui.harness import API_KEY, open_app, opened_app, wait_until

CUSTOM = Preferences(
    provider=ProviderKind.AZURE_PREVIEW,
    endpoint="https://example.openai.azure.com",
    webrtc_url="https://eastus2.realtimeapi-preview.ai.azure.com/v1/realtimertc",
    deployment="my-realtime",
    voice="coral",
    instructions="Be brief.",
    turn_mode="semantic_vad",
    vad_threshold=0.7,
    prefix_padding_ms=250,
    silence_duration_ms=800,
    eagerness="high",
    transcription_model="gpt-4o-transcribe",
    transcription_language="zh",
    input_device="USB mic",
    output_device="Headphones",
    headset=True,
    noise_suppression=False,
    battery_saver=True,
    talk_shortcut="Ctrl+Shift+F9",
)


LIVE = (SessionState.READY, SessionState.LISTENING, SessionState.THINKING, SessionState.ASSISTANT_SPEAKING)


def stored_text(store: QSettings) -> str:
    store.sync()
    return Path(store.fileName()).read_text(encoding="utf-8")


def test_preferences_round_trip_through_qsettings(settings_store: QSettings) -> None:
    assert load_preferences(settings_store) == Preferences()
    save_preferences(settings_store, CUSTOM)
    again = QSettings(settings_store.fileName(), QSettings.Format.IniFormat)
    assert load_preferences(again) == CUSTOM


def test_unreadable_stored_values_fall_back_to_defaults(settings_store: QSettings) -> None:
    settings_store.setValue("provider", "carrier-pigeon")
    settings_store.setValue("vad_threshold", "loud")
    settings_store.setValue("turn_mode", "telepathy")
    assert load_preferences(settings_store) == Preferences()


def test_session_config_carries_the_preferences_and_no_key() -> None:
    config = session_config(CUSTOM)
    assert (config.provider, config.deployment) == (ProviderKind.AZURE_PREVIEW, "my-realtime")
    assert config.api_key == ""  # the key is the target's business (desktop.settings.target)
    assert config.turn_detection.mode == "semantic_vad" and config.turn_detection.eagerness == "high"
    ptt = session_config(Preferences(turn_mode="push_to_talk"))
    assert ptt.push_to_talk and ptt.turn_detection.mode == "none"
    assert ptt.instructions == default_instructions()


def test_the_dialog_shows_and_returns_every_preference(qtbot: QtBot) -> None:
    dialog = SettingsDialog(CUSTOM, "secret", keychain_works=True, devices=(["USB mic"], ["Speakers"]))
    qtbot.addWidget(dialog)
    assert dialog.values() == CUSTOM
    assert dialog.entered_key() == "secret" and dialog.api_key.echoMode() == dialog.api_key.EchoMode.Password
    assert dialog.webrtc_url.isEnabled()  # preview only
    dialog.provider.setCurrentIndex(dialog.provider.findData("openai"))
    assert not dialog.webrtc_url.isEnabled()
    assert not dialog.key_warning.isVisibleTo(dialog)


def test_without_the_echo_canceller_the_audio_page_says_what_that_means(
    qtbot: QtBot, no_canceller: None
) -> None:
    dialog = SettingsDialog(Preferences(), "", keychain_works=True)  # asks whether it is installed
    qtbot.addWidget(dialog)
    assert not dialog.audio.half_duplex_note.isHidden() and "muted" in dialog.audio.half_duplex_note.text()
    assert not dialog.audio.noise_suppression.isEnabled()  # the same module does it
    assert not dialog.audio.noise_suppression.isChecked()  # nothing suppresses noise without it
    assert dialog.values().noise_suppression  # the stored choice stays for when it is installed
    with_it = SettingsDialog(Preferences(), "", keychain_works=True, echo_canceller=True)
    qtbot.addWidget(with_it)
    assert with_it.audio.half_duplex_note.isHidden() and with_it.audio.noise_suppression.isEnabled()


def test_the_default_instructions_are_stored_as_empty(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Preferences(instructions="Custom"), "", keychain_works=True)
    qtbot.addWidget(dialog)
    dialog.instructions.setPlainText(default_instructions())
    assert dialog.values().instructions == ""


def test_the_key_goes_to_the_keychain_never_to_qsettings(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, memory_keyring: MemoryKeyring
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store, stored_key=None) as app:
            app.controller.apply_settings(app.controller.prefs, "sk-brand-new-key-0123456789")
            await wait_until(lambda: bool(memory_keyring.entries))
            assert memory_keyring.entries[(SERVICE, "openai")] == "sk-brand-new-key-0123456789"
            assert "brand-new" not in stored_text(settings_store)
            assert not app.window.notice.isVisible()

    qloop.run_until_complete(scenario())


def test_without_a_keychain_the_key_is_kept_for_this_run_only(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    keyring.set_keyring(fail.Keyring())

    async def scenario() -> None:
        async with opened_app(settings_store, stored_key=None) as app:
            app.controller.apply_settings(app.controller.prefs, API_KEY)
            await wait_until(lambda: app.window.notice.isVisible())
            assert "this run" in app.window.notice.message.text()
            loaded = await app.keys.load(ProviderKind.OPENAI)
            assert (loaded.value, loaded.source) == (API_KEY, "this run")
            assert API_KEY not in stored_text(settings_store)
            # And the dialog says so next to the key field.
            app.controller.open_settings()
            await wait_until(lambda: app.window.settings_dialog is not None)
            dialog = app.window.settings_dialog
            assert dialog is not None and dialog.key_warning.isVisibleTo(dialog)
            dialog.reject()
            # The key kept in memory works: the call connects.
            app.window.start.click()
            await wait_until(lambda: app.controller.state in LIVE)

    qloop.run_until_complete(scenario())


def test_environment_key_wins_over_the_keychain(qloop: asyncio.AbstractEventLoop) -> None:
    async def scenario() -> None:
        keys = KeyStore({"AZURE_OPENAI_API_KEY": "from-env"})
        await keys.save(ProviderKind.AZURE, "stored")
        loaded = await keys.load(ProviderKind.AZURE)
        assert (loaded.value, loaded.source) == ("from-env", "environment")
        assert (await keys.load(ProviderKind.OPENAI)).source == "none"

    qloop.run_until_complete(scenario())


def test_test_connection_shows_each_step(qloop: asyncio.AbstractEventLoop, settings_store: QSettings) -> None:
    async def scenario() -> None:
        app = await open_app(settings_store)
        steps: list[str] = []
        finished: list[str] = []
        app.controller.checkStep.connect(steps.append)
        app.controller.checkFinished.connect(finished.append)
        try:
            app.controller.test_connection(app.controller.prefs, API_KEY)
            await wait_until(lambda: bool(finished))
            assert finished[0].startswith("✓") and len(steps) == 5 and all(s.startswith("✓") for s in steps)
            finished.clear()
            app.controller.test_connection(app.controller.prefs, "wrong-key-0123456789")
            await wait_until(lambda: bool(finished))
            assert finished[0].startswith("✗") and "wrong-key" not in finished[0]
        finally:
            await app.close()

    qloop.run_until_complete(scenario())


def test_a_chainer_without_backends_counts_as_no_keychain(
    qloop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyring.backends import chainer

    monkeypatch.setattr(chainer.ChainerBackend, "backends", property(lambda _self: []))
    keyring.set_keyring(chainer.ChainerBackend())

    async def scenario() -> None:
        keys = KeyStore({})
        assert not await keys.probe()
        assert await keys.save(ProviderKind.AZURE, "kept-in-memory") == "this run"
        assert (await keys.load(ProviderKind.AZURE)).value == "kept-in-memory"

    qloop.run_until_complete(scenario())
