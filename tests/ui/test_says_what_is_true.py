"""What the window says the call connects to is where the call goes: one answer
(`desktop.settings.target`) feeds the notice, the call and Test connection, environment overrides
included; a malformed endpoint is one sentence, before anything is sent. The configured
services are demo servers, reached for real."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace

import keyring
import pytest
from PySide6.QtCore import QLocale, QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.app.composition import Root
from desktop.app.launch import install_translators
from desktop.app.self_test import SyntheticDevices
from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind
from desktop.session.events import SessionState
from desktop.settings.keychain import SERVICE
from desktop.settings.preferences import Preferences, save_preferences
from desktop.settings.target import Target
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.target_notice import target_notice
from tests.ui.harness import API_KEY, opened_app, wait_until
from tests.ui.test_first_run import launch

ENV_KEY = "azure-env-key-0123456789abcdef"
ENV_DEPLOYMENT = "env-deployment"
AZURE_MINT = "POST /openai/v1/realtime/client_secrets"


def azure_environment(endpoint: str, **more: str) -> dict[str, str]:
    return {
        "VOICE_ASSISTANT_PROVIDER": "azure",
        "AZURE_OPENAI_ENDPOINT": endpoint,
        "AZURE_OPENAI_DEPLOYMENT": ENV_DEPLOYMENT,
        "AZURE_OPENAI_API_KEY": ENV_KEY,
        **more,
    }


@pytest.fixture(autouse=True)
def keep_the_excepthook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # the root installs its own: put it back after


@pytest.mark.parametrize("stored", ["fresh", "openai-elsewhere"])
def test_the_environments_service_is_announced_and_called(
    qloop: asyncio.AbstractEventLoop, qapp: QApplication, settings_store: QSettings, stored: str
) -> None:
    """The reported case: provider and key from the environment. The window does not claim the demo,
    names what the environment set, and the call (greeting and all) comes from that service."""
    configured = DemoServer(api_key=ENV_KEY, deployment=ENV_DEPLOYMENT)
    elsewhere = DemoServer(api_key=API_KEY)  # what the settings name, which the environment beats
    url = qloop.run_until_complete(configured.start())
    stored_url = qloop.run_until_complete(elsewhere.start())
    if stored == "openai-elsewhere":
        keyring.set_password(SERVICE, "openai", API_KEY)
        prefs = Preferences(provider=ProviderKind.OPENAI, endpoint=stored_url, deployment="gpt-realtime")
        save_preferences(settings_store, prefs)

    async def scenario(root: Root, devices: SyntheticDevices) -> None:
        notice = root.window.notice
        await wait_until(notice.isVisible)
        said = notice.message.text()
        assert "demo" not in said and "Azure OpenAI" in said and "AZURE_OPENAI_ENDPOINT" in said
        assert ENV_KEY not in said and not notice.settings.isVisible()  # the settings do not change it
        root.window.start.click()
        await wait_until(lambda: devices.speaker is not None and devices.speaker.audible_seconds >= 0.5)
        assert [call.session_config["model"] for call in configured.sessions] == [ENV_DEPLOYMENT]
        assert AZURE_MINT in configured.requests and not elsewhere.requests
        assert not root.window.banner.isVisible()

    try:
        launch(qloop, qapp, settings_store, scenario, environ=azure_environment(url))
    finally:
        qloop.run_until_complete(configured.stop())
        qloop.run_until_complete(elsewhere.stop())


def test_without_any_key_the_demo_is_announced_even_when_the_environment_names_azure(
    qloop: asyncio.AbstractEventLoop, qapp: QApplication, settings_store: QSettings
) -> None:
    """The other side of the same answer: no key anywhere, so the demo answers, and says so."""
    environ = {"VOICE_ASSISTANT_PROVIDER": "azure", "AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com"}

    async def scenario(root: Root, devices: SyntheticDevices) -> None:
        await wait_until(root.window.notice.isVisible)
        assert "demo" in root.window.notice.message.text()
        root.window.start.click()
        await wait_until(lambda: devices.speaker is not None and devices.speaker.audible_seconds >= 0.5)

    launch(qloop, qapp, settings_store, scenario, environ=environ)


def _malformed(url: str) -> list[str]:
    """Endpoints that cannot work, most of them pointing at the demo server had they been sent."""
    return [
        "not a url",
        url.replace("http://", "http:/"),
        url.replace("http://", "ftp://"),
        "https://",
        f"{url}/my resource",
        f"{url}/?api-version=2025-08-28",
    ]


@pytest.mark.parametrize("which", range(6), ids=["words", "one-slash", "ftp", "no-host", "space", "query"])
def test_a_malformed_endpoint_is_one_sentence_before_anything_is_sent(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, which: int
) -> None:
    environ: dict[str, str] = {}

    async def scenario() -> None:
        async with opened_app(settings_store, environ=environ) as app:
            bad = _malformed(app.server.base_url)[which]
            environ.update(azure_environment(bad))
            app.controller.announce_provider()
            notice, banner = app.window.notice, app.window.banner
            await wait_until(notice.isVisible)
            told = notice.message.text()
            assert told.startswith(f"The endpoint is not a valid URL: '{bad}' (")
            # The environment gave it: the notice names the variable and does not offer the settings.
            assert told.endswith("It is set by the environment variable AZURE_OPENAI_ENDPOINT: change or "
                                 "unset it and start the app again (the settings do not change it).")
            assert not notice.settings.isVisible()
            app.window.start.click()
            await wait_until(lambda: app.controller.state is SessionState.FAILED)
            await wait_until(banner.isVisible)
            said = banner.message.text()
            assert said.startswith(f"The endpoint is not a valid URL: '{bad}' (")
            assert "Could not reach" not in said and ENV_KEY not in said and banner.settings.isVisible()
            assert not app.server.requests  # nothing was sent

    qloop.run_until_complete(scenario())


def test_test_connection_goes_where_the_call_would(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    """Settings → Test connection with the environment's overrides: the check reaches the environment's
    service with its key, and the dialog says which variables override it."""
    configured = DemoServer(api_key=ENV_KEY, deployment=ENV_DEPLOYMENT)

    async def scenario() -> None:
        url = await configured.start()
        async with opened_app(settings_store, environ=azure_environment(url)) as app:
            finished: list[str] = []
            app.controller.checkFinished.connect(finished.append)
            app.controller.test_connection(app.controller.prefs, "")
            await wait_until(lambda: bool(finished))
            assert finished[0].startswith("✓"), finished
            assert AZURE_MINT in configured.requests and not app.server.requests
            app.controller.open_settings()
            await wait_until(lambda: app.window.settings_dialog is not None)
            dialog = app.window.settings_dialog
            assert dialog is not None and dialog.environment_note.isVisibleTo(dialog)
            assert "AZURE_OPENAI_ENDPOINT" in dialog.environment_note.text()
            assert dialog.entered_key() == API_KEY  # the stored key, never the environment's
            dialog.reject()
        await configured.stop()

    qloop.run_until_complete(scenario())


def test_the_dialog_flags_a_malformed_url_on_ok_and_test(qtbot: QtBot) -> None:
    prefs = Preferences(provider=ProviderKind.AZURE, endpoint="not a url", deployment="d")
    dialog = SettingsDialog(prefs, "k", keychain_works=True)
    qtbot.addWidget(dialog)
    dialog.show()
    tests: list[object] = []
    dialog.testRequested.connect(lambda *args: tests.append(args))
    dialog.tabs.setCurrentIndex(2)
    dialog.test.click()
    dialog.accept()
    assert dialog.isVisible() and not tests and dialog.tabs.currentIndex() == 0
    assert dialog.url_warning.isVisibleTo(dialog)
    assert dialog.url_warning.text().startswith("The endpoint is not a valid URL")
    dialog.provider.setCurrentIndex(dialog.provider.findData(ProviderKind.AZURE_PREVIEW.value))
    dialog.endpoint.setText("https://res.openai.azure.com")
    dialog.webrtc_url.setText("eastus2.realtimeapi-preview.ai.azure.com/v1/realtimertc")
    dialog.accept()
    assert dialog.isVisible() and dialog.url_warning.text().startswith("The regional WebRTC URL")
    dialog.webrtc_url.setText("https://eastus2.realtimeapi-preview.ai.azure.com/v1/realtimertc")
    dialog.test.click()
    assert len(tests) == 1 and dialog.url_warning.isHidden()
    dialog.accept()
    assert not dialog.isVisible() and dialog.result() == dialog.DialogCode.Accepted


def test_the_new_sentences_speak_chinese(qapp: QApplication, qtbot: QtBot) -> None:
    installed = install_translators(qapp, QLocale("zh_CN"))
    try:
        dialog = SettingsDialog(
            Preferences(provider=ProviderKind.AZURE, endpoint="ftp://x"),
            "",
            keychain_works=True,
            environment=("AZURE_OPENAI_ENDPOINT",),
        )
        qtbot.addWidget(dialog)
        dialog.accept()
        assert (
            dialog.url_warning.text()
            == "端点不是有效的 URL；它应类似于 https://my-resource.openai.azure.com。"
        )
        assert dialog.environment_note.text() == "本次运行中，环境变量覆盖了以下设置：AZURE_OPENAI_ENDPOINT。"
        from_env = Target(ProviderKind.AZURE, "https://e.openai.azure.com", deployment="d", api_key="k",
                          key_source="environment", environment=("AZURE_OPENAI_API_KEY",))  # fmt: skip
        notice = target_notice(from_env)
        assert notice is not None
        said = "与 Azure OpenAI 的连接由环境变量（AZURE_OPENAI_API_KEY）设定；设置中的更改不会影响它。"
        assert notice.text == said
        malformed = target_notice(replace(from_env, endpoint="not a url"))
        assert malformed is not None and malformed.text == "端点不是有效的 URL；请在设置中更正。"
        from_variable = target_notice(
            replace(from_env, endpoint="not a url", environment=("AZURE_OPENAI_ENDPOINT",))
        )
        assert from_variable is not None and not from_variable.settings
        assert from_variable.text == (
            "环境变量 AZURE_OPENAI_ENDPOINT 设定的 URL 无效："
            "请修改或取消该变量后重新启动应用（设置中的更改不会影响它）。"
        )
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
