"""A proxy that asks for a login, as the person sees it: one sentence in the banner, in English and
Chinese, with no password and no key in it. The proxy is a real one on 127.0.0.1
(tests/realtime/http_proxy.py); the service is addressed as `demo.invalid`, which only the proxy
reaches."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale, QSettings
from PySide6.QtWidgets import QApplication

from desktop.app.launch import install_translators
from desktop.session.events import ErrorRaised
from desktop.ui.error_text import localized
from tests.realtime.http_proxy import HttpProxy
from tests.ui.harness import API_KEY, opened_app, wait_until


@pytest.fixture(autouse=True)
def no_system_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    yield


def test_a_proxy_asking_for_a_login_in_the_banner(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def scenario() -> str:
        async with opened_app(settings_store) as app:
            port = int(app.server.base_url.rsplit(":", 1)[1])
            proxy = HttpProxy(routes={f"demo.invalid:{port}": ("127.0.0.1", port)}, login="alice:pw-0451")
            address = (await proxy.start()).removeprefix("http://")
            monkeypatch.setenv("HTTP_PROXY", f"http://alice:wrong-0451@{address}")
            prefs = dataclasses.replace(app.controller.prefs, endpoint=f"http://demo.invalid:{port}")
            app.controller.apply_settings(prefs, API_KEY)
            await wait_until(lambda: app.controller.prefs.endpoint == prefs.endpoint)
            app.window.start.click()
            await wait_until(lambda: "407" in app.window.banner.message.text())
            await proxy.stop()
            assert proxy.refused and not proxy.carried
            return app.window.banner.message.text()

    shown = qloop.run_until_complete(scenario())
    assert shown.startswith("The proxy 127.0.0.1:") and "asks for a user name and password" in shown
    assert "wrong-0451" not in shown and API_KEY not in shown


def test_the_proxy_sentences_in_chinese(qapp: QApplication) -> None:
    installed = install_translators(qapp, QLocale("zh_CN"))
    try:
        login = ErrorRaised(
            "The proxy p:8080 asks for a user name and password (HTTP 407).", code="proxy_auth_required"
        )
        assert localized(login).startswith("网络代理要求提供用户名和密码")
        assert localized(ErrorRaised("…", code="proxy_refused")).startswith("网络代理拒绝了到服务的连接")
        assert localized(ErrorRaised("…", code="proxy_unreachable")).startswith("无法连接网络代理")
        assert localized(ErrorRaised("…", code="proxy_gateway")).startswith("网络代理无法连接到服务")
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
