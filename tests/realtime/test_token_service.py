"""The token-service mode's key step against the demo server's token service (POST /token): both
answer shapes, the bearer token, and each failure as one sentence without the bearer token in it."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.environment import TOKEN_BEARER, TOKEN_URL, environment_overrides
from desktop.realtime.errors import SessionError
from desktop.realtime.providers import Provider, provider_for

DEPLOYMENT = "gpt-realtime"
BEARER = "org-bearer-0123456789"


@pytest.fixture
async def server() -> AsyncIterator[DemoServer]:
    demo = DemoServer(api_key="resource-key-0123456789", deployment=DEPLOYMENT)
    await demo.start()
    yield demo
    await demo.stop()


def _provider(token_url: str, kind: ProviderKind = ProviderKind.OPENAI, **changes: Any) -> Provider:
    base = token_url.split("/token")[0]
    values: dict[str, Any] = {
        "provider": kind,
        "endpoint": base,
        "webrtc_url": f"{base}/v1/realtimertc",
        "deployment": DEPLOYMENT,
        "key_from": "token_service",
        "token_url": token_url,
        "token_bearer": BEARER,
    }
    return provider_for(SessionConfig(**(values | changes)))


async def _key(provider: Provider, limit: float = 5.0) -> str:
    async with aiohttp.ClientSession() as http:
        return await provider.mint(http, limit)


async def _failure(provider: Provider, limit: float = 5.0) -> SessionError:
    with pytest.raises(SessionError) as caught:
        await _key(provider, limit)
    assert BEARER not in caught.value.message
    return caught.value


@pytest.mark.parametrize(
    ("path", "kind", "prefix"),
    [
        ("/token", ProviderKind.OPENAI, "ek_"),
        ("/token/azure", ProviderKind.AZURE, "eph_"),
        ("/token/azure-preview", ProviderKind.AZURE_PREVIEW, "eph_"),  # the preview's client_secret shape
    ],
)
async def test_the_key_comes_from_the_token_service(
    server: DemoServer, path: str, kind: ProviderKind, prefix: str
) -> None:
    server.token_bearer = BEARER
    provider = _provider(server.base_url + path, kind)
    assert provider.api_key == "" and BEARER in provider.secrets and BEARER not in repr(provider)
    key = await _key(provider)
    assert key.startswith(prefix) and key in server.keys.keys
    # The service minted with its own key; the app sent none of its own.
    assert server.requests[0] == f"POST {path}"


async def test_each_call_asks_again(server: DemoServer) -> None:
    provider = _provider(server.base_url + "/token")
    first, second = await _key(provider), await _key(provider)
    assert first != second and list(server.requests).count("POST /token") == 2


async def test_a_refused_bearer_token_is_its_own_sentence(server: DemoServer) -> None:
    server.token_bearer = "another-bearer-0123456789"
    error = await _failure(_provider(server.base_url + "/token"))
    assert error.code == "token_unauthorized" and not error.retryable
    assert "refused the bearer token" in error.message and "HTTP 401" in error.message


async def test_a_rate_limit_keeps_the_wait_it_asked_for(server: DemoServer) -> None:
    server.faults.token_status, server.faults.retry_after = 429, "7"
    error = await _failure(_provider(server.base_url + "/token"))
    assert (error.code, error.retry_after, error.retryable) == ("token_rate_limited", 7.0, True)


@pytest.mark.parametrize("status", [500, 503])
async def test_a_server_error(server: DemoServer, status: int) -> None:
    server.faults.token_status = status
    error = await _failure(_provider(server.base_url + "/token"))
    assert error.code == "token_server_error" and error.retryable and f"HTTP {status}" in error.message


async def test_an_answer_that_is_not_json(server: DemoServer) -> None:
    server.faults.token_not_json = True
    error = await _failure(_provider(server.base_url + "/token"))
    assert error.code == "token_malformed" and "is not JSON" in error.message


async def _answering(reply: web.Response) -> tuple[web.AppRunner, str]:
    """A token service of its own on 127.0.0.1 that gives `reply`; its runner and URL."""
    async def answer(_request: web.Request) -> web.Response:
        return reply

    app = web.Application()
    app.add_routes([web.post("/token", answer)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/token"


async def test_an_answer_without_a_key() -> None:
    runner, url = await _answering(web.json_response({"session": {"model": DEPLOYMENT}}))
    try:
        error = await _failure(_provider(url))
    finally:
        await runner.cleanup()
    assert error.code == "token_malformed" and "holds no session key" in error.message


async def test_an_answer_in_another_charset_is_one_sentence() -> None:
    """A proxy's sign-in page in latin-1 without a charset: not a crash."""
    page = web.Response(body=b"\xff\xfe<html>Anmeldung erforderlich \xe4</html>", content_type="text/html")
    runner, url = await _answering(page)
    try:
        error = await _failure(_provider(url))
    finally:
        await runner.cleanup()
    assert error.code == "token_malformed" and "is not JSON" in error.message


def test_a_date_in_minus_zero_is_utc() -> None:
    from desktop.realtime.token_service import _server_time

    assert _server_time("Mon, 07 Dec 2026 03:00:00 -0000") == _server_time("Mon, 07 Dec 2026 03:00:00 GMT")


def test_a_key_in_the_token_url_s_query_is_not_shown() -> None:
    from desktop.settings.target import Target

    target = Target(ProviderKind.AZURE, "https://res.openai.azure.com", deployment="gpt-realtime",
                    key_from="token_service", token_url="https://mint.example.org/api/token?code=s3cr3t-value")
    assert "s3cr3t-value" not in target.describe() and "mint.example.org" in target.describe()


async def test_a_service_that_is_down(server: DemoServer) -> None:
    server.faults.token_down = True
    error = await _failure(_provider(server.base_url + "/token"))
    assert error.code == "token_unreachable" and "Could not reach the token service" in error.message


async def test_nothing_listening() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = await _failure(_provider(f"http://127.0.0.1:{port}/token"))
    assert error.code == "token_unreachable"


async def test_a_slow_service(server: DemoServer) -> None:
    server.faults.token_delay = 3.0
    error = await _failure(_provider(server.base_url + "/token"), limit=0.3)
    assert error.code == "token_timeout" and "within 0.3 s" in error.message


async def test_a_redirect_is_not_followed(server: DemoServer) -> None:
    server.faults.token_redirect = True
    error = await _failure(_provider(server.base_url + "/token"))
    assert error.code == "token_redirect" and not error.retryable and "HTTP 302" in error.message
    assert [r for r in server.requests if "elsewhere" in r] == []  # the bearer token went nowhere else


async def test_a_key_near_its_expiry_is_not_used(server: DemoServer) -> None:
    server.faults.token_stale_key = True
    error = await _failure(_provider(server.base_url + "/token"))
    assert error.code == "token_expired"
    assert list(server.requests).count("POST /token") == 2  # asked once more before giving up


@pytest.mark.parametrize("url", ["http://tokens.example.com/token", "http://10.0.0.5:8080/token"])
def test_plain_http_to_another_computer_is_refused_before_sending(url: str) -> None:
    with pytest.raises(SessionError) as caught:
        _provider(url, endpoint="https://api.openai.com")
    assert caught.value.code == "bad_token_url" and not caught.value.retryable
    assert "uses http://, which would send the bearer token in the clear" in caught.value.message


@pytest.mark.parametrize("url", ["ftp://tokens.example.com/t", "tokens", "https://tokens.example.com/#x"])
def test_a_malformed_url_is_refused_before_sending(url: str) -> None:
    with pytest.raises(SessionError) as caught:
        _provider(url, endpoint="https://api.openai.com")
    assert caught.value.code == "bad_token_url"
    assert caught.value.message.startswith("The token service URL is not a valid URL")


@pytest.mark.parametrize("url", ["https://tokens.example.com/token", "http://localhost:8080/token"])
def test_https_or_this_computer_is_accepted(url: str) -> None:
    assert _provider(url, endpoint="https://api.openai.com").token_service is not None


def test_no_url_is_said_so() -> None:
    with pytest.raises(SessionError, match="No token service URL is configured"):
        _provider("", endpoint="https://api.openai.com")


def test_the_environment_sets_the_mode_for_remote_providers_only() -> None:
    env = {TOKEN_URL: "https://tokens.example.com/k", TOKEN_BEARER: BEARER}
    remote = environment_overrides(ProviderKind.AZURE, env)
    assert remote.fields == {"token_url": "https://tokens.example.com/k"}  # the bearer is the KeyStore's
    assert set(remote.names) == {TOKEN_URL, TOKEN_BEARER}
    demo = environment_overrides(ProviderKind.DEMO, env)
    assert demo.fields == {} and demo.names == ()
