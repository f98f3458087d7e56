"""`--check` through the network's proxy, as a person behind one runs it: a new process whose
environment names the proxy (tests/realtime/http_proxy.py, a real one on 127.0.0.1). The service is
addressed as `demo.invalid`, which resolves nowhere, so a check that passes went through the proxy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop.demo.thread import DemoServerThread
from tests.cli.conftest import KEY
from tests.cli.test_check_command import _run_check, _store_settings
from tests.realtime.http_proxy import HttpProxy, ProxyThread, make_certificate


@pytest.fixture(autouse=True)
def no_system_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.lower() in ("http_proxy", "https_proxy", "ws_proxy", "wss_proxy", "no_proxy", "all_proxy"):
            monkeypatch.delenv(name)


def _port(service: DemoServerThread) -> int:
    return int(service.server.base_url.rsplit(":", 1)[1])


@pytest.mark.parametrize(
    ("transport", "second"),
    [
        # aiohttp names the upgrade's URL as ws://, not http://, in the request to the proxy.
        ("websocket", "GET ws://demo.invalid:{port}/v1/realtime?model=gpt-realtime"),
        # The mint and the SDP offer are HTTP; the media (UDP) never goes through an HTTP proxy.
        ("webrtc", "POST http://demo.invalid:{port}/v1/realtime/calls"),
    ],
)
def test_a_check_goes_through_the_http_proxy(
    tmp_path: Path, service: DemoServerThread, transport: str, second: str
) -> None:
    """http:// and ws:// are sent to the proxy with their whole URL (the WebSocket's upgrade too)."""
    port = _port(service)
    endpoint = f"http://demo.invalid:{port}"
    _store_settings(tmp_path, provider="openai", endpoint=endpoint, deployment="gpt-realtime")
    with ProxyThread(HttpProxy(routes={f"demo.invalid:{port}": ("127.0.0.1", port)})) as proxy:
        done = _run_check(tmp_path, "--transport", transport, OPENAI_API_KEY=KEY, HTTP_PROXY=proxy.url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Through the proxy {proxy.url.removeprefix('http://')}." in done.stdout
    assert "The connection works over" in done.stdout
    assert proxy.proxy.carried == [f"POST {endpoint}/v1/realtime/client_secrets", second.format(port=port)]


def test_https_and_wss_go_through_a_connect_tunnel(tmp_path: Path, service: DemoServerThread) -> None:
    """What a corporate network does: HTTPS_PROXY, CONNECT for the mint and the WebSocket, TLS inside
    the tunnel (the proxy ends it here with a test certificate the process trusts)."""
    port = _port(service)
    certificate, tls = make_certificate(tmp_path, "demo.invalid")
    _store_settings(tmp_path, provider="openai", endpoint="https://demo.invalid", deployment="gpt-realtime")
    proxied = HttpProxy(routes={"demo.invalid:443": ("127.0.0.1", port)}, tls=tls, login="alice:pw-42")
    with ProxyThread(proxied) as proxy:
        with_login = proxy.url.replace("http://", "http://alice:pw-42@")
        done = _run_check(
            tmp_path, "--transport", "websocket", OPENAI_API_KEY=KEY, HTTPS_PROXY=with_login,
            SSL_CERT_FILE=str(certificate),
        )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The connection works over WebSocket." in done.stdout
    assert len(proxied.carried) >= 1 and set(proxied.carried) == {"CONNECT demo.invalid:443"}
    assert "Through the proxy 127.0.0.1:" in done.stdout and "pw-42" not in done.stdout + done.stderr


def test_a_proxy_asking_for_a_login_is_one_sentence(tmp_path: Path) -> None:
    _store_settings(tmp_path, provider="openai", endpoint="https://demo.invalid", deployment="gpt-realtime")
    with ProxyThread(HttpProxy(login="alice:pw-42")) as proxy:
        wrong = proxy.url.replace("http://", "http://alice:wrong-pw@")
        done = _run_check(tmp_path, "--transport", "websocket", OPENAI_API_KEY=KEY, HTTPS_PROXY=wrong)
    assert done.returncode == 1
    address = proxy.url.removeprefix("http://")
    assert f"The proxy {address} asks for a user name and password (HTTP 407)" in done.stderr
    assert "wrong-pw" not in done.stdout + done.stderr and KEY not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
