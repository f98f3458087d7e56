"""The token-service mode in the window: its fields on the Connection page, the bearer token kept in
the keychain (never in the settings file), a call through the demo's token service, Test connection's
token step, and its failures in the banner in English and Chinese."""

from __future__ import annotations

import asyncio
import dataclasses

from PySide6.QtCore import QLocale, QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.app.launch import install_translators
from desktop.realtime.config import ProviderKind
from desktop.session.events import ErrorRaised
from desktop.settings.keychain import SERVICE, TOKEN_BEARER_ACCOUNT
from desktop.settings.preferences import Preferences
from desktop.ui.error_text import localized
from desktop.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import MemoryKeyring
from tests.ui.harness import Running, connected, opened_app, wait_until
from tests.ui.test_settings_and_keys import stored_text

BEARER = "org-bearer-0123456789"
TOKEN_MODE = Preferences(
    provider=ProviderKind.AZURE,
    endpoint="https://res.openai.azure.com",
    deployment="gpt-realtime",
    key_from="token_service",
    token_url="https://tokens.example.com/realtime-key",
)


def _shown(dialog: SettingsDialog) -> dict[str, bool]:
    fields = {"url": dialog.token.url, "bearer": dialog.token.bearer, "api_key": dialog.api_key}
    return {name: field.isVisibleTo(dialog) for name, field in fields.items()}


def test_the_fields_follow_the_mode(qtbot: QtBot) -> None:
    dialog = SettingsDialog(TOKEN_MODE, "", keychain_works=True, token_bearer=BEARER)
    qtbot.addWidget(dialog)
    dialog.show()
    assert _shown(dialog) == {"url": True, "bearer": True, "api_key": False}
    assert dialog.token.bearer.echoMode() == dialog.token.bearer.EchoMode.Password
    assert dialog.values() == TOKEN_MODE and dialog.entered_token_bearer() == BEARER
    dialog.token.key_from.setCurrentIndex(dialog.token.key_from.findData("api_key"))
    assert _shown(dialog) == {"url": False, "bearer": False, "api_key": True}
    assert dialog.values().key_from == "api_key"
    dialog.provider.setCurrentIndex(dialog.provider.findData(ProviderKind.DEMO.value))
    assert not dialog.token.key_from.isVisibleTo(dialog)


def test_a_url_that_would_send_the_bearer_token_in_the_clear_is_flagged(qtbot: QtBot) -> None:
    prefs = dataclasses.replace(TOKEN_MODE, token_url="http://tokens.example.com/key")
    dialog = SettingsDialog(prefs, "", keychain_works=True)
    qtbot.addWidget(dialog)
    dialog.show()
    tests: list[object] = []
    dialog.testRequested.connect(lambda *args: tests.append(args))
    dialog.test.click()
    dialog.accept()
    assert dialog.isVisible() and not tests
    assert dialog.token.warning.isVisibleTo(dialog) and "https://" in dialog.token.warning.text()
    dialog.token.url.setText("http://127.0.0.1:8080/token")
    dialog.test.click()
    assert len(tests) == 1 and tests[0][3] == ""  # type: ignore[index]
    assert not dialog.token.warning.isVisibleTo(dialog)


def _token_prefs(app: Running) -> Preferences:
    return dataclasses.replace(
        app.controller.prefs, key_from="token_service", token_url=f"{app.server.base_url}/token"
    )


def test_a_call_through_the_token_service_with_the_bearer_in_the_keychain(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, memory_keyring: MemoryKeyring
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store, stored_key=None) as app:
            app.server.token_bearer = BEARER
            app.controller.apply_settings(_token_prefs(app), "", None, BEARER)
            await wait_until(lambda: (SERVICE, TOKEN_BEARER_ACCOUNT) in memory_keyring.entries)
            assert memory_keyring.entries[(SERVICE, TOKEN_BEARER_ACCOUNT)] == BEARER
            stored = stored_text(settings_store)
            assert BEARER not in stored and "key_from=token_service" in stored
            await connected(app)
            assert app.server.requests[0] == "POST /token"
            assert not app.window.notice.isVisible()  # no demo standing in for a key the app never holds

    qloop.run_until_complete(scenario())


def test_test_connection_shows_the_token_step(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store, stored_key=None) as app:
            app.server.token_bearer = BEARER
            steps: list[str] = []
            finished: list[str] = []
            app.controller.checkStep.connect(steps.append)
            app.controller.checkFinished.connect(finished.append)
            app.controller.test_connection(_token_prefs(app), "", "", BEARER)
            await wait_until(lambda: bool(finished))
            assert finished[0].startswith("✓") and steps[0].startswith("✓ session key from the token service")
            finished.clear()
            app.controller.test_connection(_token_prefs(app), "", "", "wrong-bearer-0123456789")
            await wait_until(lambda: bool(finished))
            assert "refused the bearer token" in finished[0] and "wrong-bearer" not in finished[0]

    qloop.run_until_complete(scenario())


def test_a_refused_bearer_token_in_the_banner_in_english_and_chinese(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, qapp: QApplication
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store, stored_key=None) as app:
            app.server.token_bearer = "another-bearer-0123456789"
            app.controller.apply_settings(_token_prefs(app), "", None, BEARER)
            await wait_until(lambda: app.controller.prefs.key_from == "token_service")
            app.window.start.click()
            await wait_until(lambda: "bearer token" in app.window.banner.message.text())
            shown = app.window.banner.message.text()
            assert shown.startswith("The token service refused the bearer token") and BEARER not in shown

    qloop.run_until_complete(scenario())
    installed = install_translators(qapp, QLocale("zh_CN"))
    try:
        refused = ErrorRaised("The token service refused the bearer token.", code="token_unauthorized")
        assert localized(refused) == "令牌服务拒绝了持有者令牌，请在设置中检查。"
        down = ErrorRaised("Could not reach the token service at h.", code="token_unreachable")
        assert localized(down).startswith("无法连接到你所在组织的令牌服务")
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
