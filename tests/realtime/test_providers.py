"""Where each provider mints and posts its offer (the HTTP itself is tested against the demo server)."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web

from desktop.realtime.config import Dialect, ProviderKind, SessionConfig
from desktop.realtime.errors import SessionError
from desktop.realtime.message_size import DEFAULT_MAX_MESSAGE_SIZE, max_message_size
from desktop.realtime.providers import provider_for, read_ephemeral_key


def test_azure_preview_urls_headers_and_body() -> None:
    config = SessionConfig(
        provider=ProviderKind.AZURE_PREVIEW,
        endpoint="https://res.openai.azure.com/",
        webrtc_url="https://eastus2.realtimeapi-preview.ai.azure.com/v1/realtimertc",
        deployment="my dep",
        api_key="k",
        voice="sage",
    )
    provider = provider_for(config)
    assert provider.mint_url == (
        "https://res.openai.azure.com/openai/realtimeapi/sessions?api-version=2025-04-01-preview"
    )
    assert provider.sdp_url.endswith("/v1/realtimertc?model=my%20dep")
    assert provider.mint_headers()["api-key"] == "k"
    assert provider.mint_body() == {"model": "my dep", "voice": "sage"}
    assert provider.dialect is Dialect.PREVIEW


def test_azure_ga_and_openai_urls() -> None:
    azure = provider_for(
        SessionConfig(
            provider=ProviderKind.AZURE, endpoint="http://127.0.0.1:8080", deployment="d", api_key="k"
        )
    )
    assert azure.mint_url == "http://127.0.0.1:8080/openai/v1/realtime/client_secrets"
    assert azure.sdp_url == "http://127.0.0.1:8080/openai/v1/realtime/calls"
    assert "api-version" not in azure.mint_url + azure.sdp_url
    assert azure.mint_body()["session"]["type"] == "realtime"
    openai = provider_for(
        SessionConfig(provider=ProviderKind.OPENAI, deployment="gpt-realtime", api_key="sk")
    )
    assert openai.mint_url == "https://api.openai.com/v1/realtime/client_secrets"
    assert openai.sdp_url == "https://api.openai.com/v1/realtime/calls"
    assert openai.mint_headers()["Authorization"] == "Bearer sk"
    sdk_style = provider_for(
        SessionConfig(provider=ProviderKind.OPENAI, endpoint="http://h:1/v1", deployment="m", api_key="sk")
    )
    assert sdk_style.sdp_url == "http://h:1/v1/realtime/calls"


def test_demo_uses_the_demo_key_and_ga() -> None:
    demo = provider_for(SessionConfig(endpoint="http://127.0.0.1:5000"))
    assert demo.api_key == "demo-key" and demo.dialect is Dialect.GA


@pytest.mark.parametrize(
    ("config", "sentence"),
    [
        (SessionConfig(provider=ProviderKind.AZURE, deployment="d", api_key="k"), "endpoint"),
        (SessionConfig(provider=ProviderKind.AZURE, endpoint="https://e", deployment="d"), "API key"),
        (
            SessionConfig(
                provider=ProviderKind.AZURE_PREVIEW, endpoint="https://e", deployment="d", api_key="k"
            ),
            "WebRTC",
        ),
        (SessionConfig(provider=ProviderKind.OPENAI, api_key="k"), "deployment or model"),
    ],
)
def test_missing_settings_are_named(config: SessionConfig, sentence: str) -> None:
    with pytest.raises(SessionError, match=sentence) as caught:
        provider_for(config)
    assert not caught.value.retryable


def test_ephemeral_key_locations() -> None:
    assert read_ephemeral_key('{"client_secret": {"value": "ek_1"}}') == "ek_1"
    assert read_ephemeral_key('{"value": "ek_2", "expires_at": 1}') == "ek_2"
    with pytest.raises(SessionError, match="no session key"):
        read_ephemeral_key('{"value": ""}')


def test_max_message_size_from_answer() -> None:
    assert max_message_size("v=0\r\na=sctp-port:5000\r\n") == DEFAULT_MAX_MESSAGE_SIZE
    assert max_message_size("v=0\r\na=max-message-size:16384\r\n") == 16384
    assert max_message_size("v=0\r\na=max-message-size:262144\r\n") == 65536
    assert max_message_size("v=0\r\na=max-message-size:0\r\n") == 65536


async def test_the_key_request_follows_no_redirect() -> None:
    """A redirect would carry the api-key header to another address: the key goes to the mint URL only."""
    reached: list[str] = []

    async def moved(_request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect("/elsewhere")

    async def elsewhere(request: web.Request) -> web.Response:
        reached.append(request.headers.get("api-key", ""))
        return web.json_response({"value": "ek_never"})

    app = web.Application()
    app.add_routes([web.post("/openai/v1/realtime/client_secrets", moved), web.post("/elsewhere", elsewhere)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    endpoint = f"http://127.0.0.1:{runner.addresses[0][1]}"
    provider = provider_for(
        SessionConfig(provider=ProviderKind.AZURE, endpoint=endpoint, deployment="d", api_key="secret-k")
    )
    try:
        async with aiohttp.ClientSession() as http:
            with pytest.raises(SessionError, match="HTTP 307"):
                await provider.mint(http, 5.0)
    finally:
        await runner.cleanup()
    assert reached == []


def test_a_pasted_preview_webrtc_url_keeps_one_model_query() -> None:
    config = SessionConfig(
        provider=ProviderKind.AZURE_PREVIEW,
        endpoint="https://r",
        webrtc_url="https://e/v1/realtimertc?model=d",
        deployment="d",
        api_key="k",
    )
    pasted = provider_for(config)
    assert pasted.sdp_url == "https://e/v1/realtimertc?model=d"
