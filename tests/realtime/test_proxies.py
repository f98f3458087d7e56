"""The system's proxy for every HTTP client of the app, through a real proxy on 127.0.0.1
(tests/realtime/http_proxy.py). The demo server is addressed as `demo.invalid`, a name that resolves
nowhere: only the proxy (which maps it to 127.0.0.1) can reach it, so a request that works went through
the proxy, and the proxy's count says which ones did."""

from __future__ import annotations

import logging
import socket
import threading
import urllib.request
from collections.abc import AsyncIterator

import aiohttp
import pytest

from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.embeddings import embeddings_client_for
from desktop.realtime.errors import SessionError
from desktop.realtime.providers import provider_for
from desktop.realtime.proxies import proxy_for, proxy_url_for, shown_host
from tests.demo.client import API_KEY, DEPLOYMENT
from tests.realtime.http_proxy import HttpProxy

PROXY_VARIABLES = ("http_proxy", "https_proxy", "ws_proxy", "wss_proxy", "no_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def no_system_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
async def server() -> AsyncIterator[DemoServer]:
    demo = DemoServer(api_key=API_KEY, deployment=DEPLOYMENT, embeddings_deployment="embed-small")
    await demo.start()
    yield demo
    await demo.stop()


def _port(server: DemoServer) -> int:
    return int(server.base_url.rsplit(":", 1)[1])


@pytest.fixture
async def proxy(server: DemoServer) -> AsyncIterator[HttpProxy]:
    running = HttpProxy(routes={f"demo.invalid:{_port(server)}": ("127.0.0.1", _port(server))})
    yield running
    await running.stop()


def _openai(endpoint: str) -> SessionConfig:
    return SessionConfig(
        provider=ProviderKind.OPENAI, endpoint=endpoint, deployment=DEPLOYMENT, api_key=API_KEY
    )


async def _mint(config: SessionConfig) -> str:
    async with aiohttp.ClientSession() as http:
        return await provider_for(config).mint(http, 5.0)


def test_each_scheme_finds_its_proxy_and_this_computer_goes_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://user:pa55@proxy.corp:8080")
    monkeypatch.setenv("HTTP_PROXY", "proxy.corp:3128")  # no scheme, as Windows' registry has it
    monkeypatch.setenv("NO_PROXY", "internal.corp,.intra")
    assert proxy_url_for("https://r.openai.azure.com/openai/v1/realtime/client_secrets") == (
        "http://user:pa55@proxy.corp:8080"
    )
    assert proxy_url_for("wss://api.openai.com/v1/realtime?model=m") == "http://user:pa55@proxy.corp:8080"
    assert proxy_url_for("ws://service.example:81/v1/realtime") == "http://proxy.corp:3128"
    for direct in ("https://internal.corp/token", "https://tokens.intra/k", "http://127.0.0.1:5000/x",
                   "ws://localhost:5000/v1/realtime", "http://[::1]:5000/", "http://127.0.0.2/"):  # fmt: skip
        assert proxy_url_for(direct) == "", direct
    monkeypatch.setenv("WSS_PROXY", "http://sockets.corp:1")
    assert proxy_url_for("wss://api.openai.com/v1/realtime") == "http://sockets.corp:1"
    assert shown_host("http://user:pa55@proxy.corp:8080") == "proxy.corp:8080"


def test_no_proxy_set_means_direct() -> None:
    assert proxy_url_for("https://api.openai.com/v1/realtime/client_secrets") == ""


async def test_the_key_mint_and_embeddings_go_through_the_proxy(
    server: DemoServer, proxy: HttpProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", await proxy.start())
    endpoint = f"http://demo.invalid:{_port(server)}"
    assert (await _mint(_openai(endpoint))).startswith("ek_")
    assert [line.split(" ")[0] for line in proxy.carried] == ["POST"]
    assert proxy.carried[0].startswith(f"POST {endpoint}/v1/realtime/client_secrets")
    embedder = embeddings_client_for(_openai(endpoint))
    assert embedder is not None
    try:
        assert len((await embedder.embed(["through the proxy"]))[0]) == embedder.dimensions
    finally:
        await embedder.close()
    assert proxy.carried[-1] == f"POST {endpoint}/v1/embeddings"


async def test_the_demo_server_on_this_computer_goes_direct(
    server: DemoServer, proxy: HttpProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = await proxy.start()
    monkeypatch.setenv("HTTP_PROXY", address)
    monkeypatch.setenv("HTTPS_PROXY", address)
    assert (await _mint(_openai(server.base_url))).startswith("ek_")
    assert proxy.carried == []


async def test_a_proxy_that_asks_for_a_login_is_one_sentence_without_it(
    server: DemoServer, proxy: HttpProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy.login = "alice:s3cret-pw"
    address = (await proxy.start()).removeprefix("http://")
    endpoint = f"http://demo.invalid:{_port(server)}"
    for given in ("", "alice:wrong-pw@"):
        monkeypatch.setenv("HTTP_PROXY", f"http://{given}{address}")
        with pytest.raises(SessionError) as caught:
            await _mint(_openai(endpoint))
        assert caught.value.code == "proxy_auth_required" and not caught.value.retryable
        assert f"The proxy {address} asks for a user name and password (HTTP 407)" in caught.value.message
        assert "wrong-pw" not in caught.value.message and API_KEY not in caught.value.message
    monkeypatch.setenv("HTTP_PROXY", f"http://alice:s3cret-pw@{address}")
    assert (await _mint(_openai(endpoint))).startswith("ek_")
    assert len(proxy.carried) == 1 and len(proxy.refused) == 2


async def test_a_tunnel_refused_or_a_login_asked_for_is_one_sentence(
    proxy: HttpProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = (await proxy.start()).removeprefix("http://")
    monkeypatch.setenv("HTTPS_PROXY", f"http://alice:s3cret-pw@{address}")
    endpoint = "https://demo.invalid"
    proxy.refuse_tunnels = 403
    with pytest.raises(SessionError) as caught:
        await _mint(_openai(endpoint))
    assert caught.value.code == "proxy_refused"
    assert caught.value.message == (
        f"The proxy {address} refused the connection to demo.invalid (HTTP 403); ask the network's "
        "administrator to allow it."
    )
    proxy.refuse_tunnels, proxy.login = 0, "alice:other"
    with pytest.raises(SessionError) as caught:
        await _mint(_openai(endpoint))
    assert caught.value.code == "proxy_auth_required" and "s3cret" not in caught.value.message
    assert proxy.refused == ["CONNECT demo.invalid:443", "CONNECT demo.invalid:443"]


async def test_a_proxy_that_could_not_reach_the_service_is_retried(
    proxy: HttpProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """502, 503 or 504 to CONNECT: the proxy tried and the service's host did not answer; no refusal."""
    address = (await proxy.start()).removeprefix("http://")
    monkeypatch.setenv("HTTPS_PROXY", f"http://{address}")
    for status in (502, 503, 504):
        proxy.refuse_tunnels = status
        with pytest.raises(SessionError) as caught:
            await _mint(_openai("https://demo.invalid"))
        assert caught.value.code == "proxy_gateway" and caught.value.retryable
        assert caught.value.message == (
            f"The proxy {address} could not reach demo.invalid (HTTP {status}); check the endpoint, or "
            "try again later."
        )


async def test_an_unreachable_proxy_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", f"http://bob:pw@127.0.0.1:{port}")
    with pytest.raises(SessionError) as caught:
        await _mint(_openai("https://api.example.com"))
    assert caught.value.code == "proxy_unreachable"
    assert caught.value.message.startswith(f"Could not reach the proxy 127.0.0.1:{port};")


async def test_the_proxy_s_password_is_masked_in_the_log(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop.realtime.masking import mask_secrets

    monkeypatch.setenv("HTTPS_PROXY", "http://carol:proxy-pass-0451@proxy.corp:8080")
    async with aiohttp.ClientSession() as http:
        proxy = await proxy_for(http, "https://api.openai.com/v1/realtime")
    assert proxy == "http://carol:proxy-pass-0451@proxy.corp:8080"
    assert "proxy-pass-0451" not in mask_secrets("ClientHttpProxyError(url='http://carol:proxy-pass-0451@x')")


def test_without_a_proxy_the_bypass_list_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib's bypass check may resolve names (macOS with 169.254/16 in its list): not when there is no
    proxy for the scheme at all."""

    def bypass(host: str) -> bool:
        raise AssertionError(f"the bypass list was read for {host}")

    monkeypatch.setattr(urllib.request, "proxy_bypass", bypass)
    assert proxy_url_for("https://api.openai.com/v1/realtime/client_secrets") == ""
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.corp:3128")  # for http:// only
    assert proxy_url_for("wss://api.openai.com/v1/realtime") == ""


async def test_the_lookup_runs_off_the_loop_once_per_host_for_a_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked_up_in: list[threading.Thread] = []

    def bypass(host: str) -> bool:
        looked_up_in.append(threading.current_thread())
        return False

    monkeypatch.setattr(urllib.request, "proxy_bypass", bypass)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:8080")
    async with aiohttp.ClientSession() as http:
        for url in (
            "https://r.example/client_secrets",
            "https://r.example/calls",
            "wss://r.example/realtime",
        ):
            assert await proxy_for(http, url) == "http://proxy.corp:8080"
    assert len(looked_up_in) == 2  # https and wss for r.example: one lookup each for this session
    assert threading.main_thread() not in looked_up_in  # never on the loop's thread


async def test_a_short_proxy_password_reaches_no_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, server: DemoServer, proxy: HttpProxy
) -> None:
    """aiohttp's connection errors carry the proxy's URL and login in their repr: an unreachable proxy,
    and a tunnel whose TLS fails (the demo server speaks plain HTTP behind it)."""
    from desktop.realtime.masking import mask_secrets

    caplog.set_level(logging.DEBUG, "desktop")
    address = (await proxy.start()).replace("http://", "http://carol:hunter2@")
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    for proxy_url, endpoint in (
        (f"http://carol:hunter2@127.0.0.1:{closed_port}", "https://api.example.com"),
        (address, f"https://demo.invalid:{_port(server)}"),
    ):
        monkeypatch.setenv("HTTPS_PROXY", proxy_url)
        with pytest.raises(SessionError) as caught:
            await _mint(_openai(endpoint))
        assert "hunter2" not in caught.value.message
    assert "request failed" in caplog.text and "hunter2" not in caplog.text
    encoded = "http://carol:hunt%2Fer2@p.corp:1"
    monkeypatch.setenv("HTTPS_PROXY", encoded)
    async with aiohttp.ClientSession() as http:
        await proxy_for(http, "https://api.example.com")
    shown = (
        "URL('http://carol:hunter2@p:1') URL('http://carol:hunt%2Fer2@p:1') BasicAuth(password='hunt/er2')"
    )
    assert not {"hunter2", "hunt/er2", "hunt%2Fer2"} & set(mask_secrets(shown).replace("'", " ").split())
    assert "hunter2" not in mask_secrets(shown) and "hunt" not in mask_secrets(shown)
