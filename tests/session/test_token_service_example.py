"""The reference token service (examples/token_service/) with the demo server as its realtime service:
the app asks it for the key and holds a conversation; its bearer check, per-client rate limit and
an upstream refusal reach the app as the token step's own sentences."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.errors import SessionError
from desktop.realtime.providers import provider_for
from desktop.session.events import AssistantTranscript
from desktop.session.voice_session import VoiceSession
from examples.token_service.server import Settings, make_app
from tests.session.conftest import RunningDemoServer
from tests.session.harness import API_KEY, DEPLOYMENT, Collector, MeetingTools, assert_nothing_left

BEARER = "shared-bearer-0123456789"
UPSTREAM = {
    ProviderKind.OPENAI: "openai",
    ProviderKind.AZURE: "azure",
    ProviderKind.AZURE_PREVIEW: "azure-preview",
}


async def _run_example(settings: Settings) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(make_app(settings), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/token"


@pytest.fixture
async def example(demo: RunningDemoServer) -> AsyncIterator[tuple[str, Settings]]:
    """The example for OpenAI in front of the demo server, the resource key in its settings only."""
    settings = Settings("openai", demo.url, API_KEY, DEPLOYMENT, bearer=BEARER, per_minute=2)
    runner, url = await _run_example(settings)
    yield url, settings
    await runner.cleanup()


def _config(demo: RunningDemoServer, kind: ProviderKind, url: str, **changes: object) -> SessionConfig:
    values = {"key_from": "token_service", "token_url": url, "token_bearer": BEARER, "api_key": ""}
    return demo.config(kind, **(values | changes))


async def _ask(config: SessionConfig) -> str:
    async with aiohttp.ClientSession() as http:
        return await provider_for(config).mint(http, 5.0)


@pytest.mark.parametrize("kind", list(UPSTREAM), ids=lambda k: k.value)
async def test_a_conversation_through_the_example(demo: RunningDemoServer, kind: ProviderKind) -> None:
    runner, url = await _run_example(Settings(UPSTREAM[kind], demo.url, API_KEY, DEPLOYMENT, bearer=BEARER))
    try:
        config = _config(demo, kind, url)
        session = VoiceSession(config, SyntheticMicrophone(), RecordingSpeaker(), MeetingTools())
        events = Collector(session)
        await session.connect()
        assert (await events.wait_for(AssistantTranscript)).text
        assert demo.server.requests[0].endswith(("/client_secrets", "/realtimeapi/sessions"))
        await session.hang_up()
    finally:
        await runner.cleanup()
    await assert_nothing_left(session, demo.stop)


async def test_the_example_refuses_another_bearer_token(
    demo: RunningDemoServer, example: tuple[str, Settings]
) -> None:
    with pytest.raises(SessionError) as caught:
        await _ask(_config(demo, ProviderKind.OPENAI, example[0], token_bearer="not-the-shared-one-0123"))
    assert caught.value.code == "token_unauthorized" and list(demo.server.requests) == []


async def test_the_example_limits_each_client(demo: RunningDemoServer, example: tuple[str, Settings]) -> None:
    config = _config(demo, ProviderKind.OPENAI, example[0])
    await _ask(config)
    await _ask(config)
    with pytest.raises(SessionError) as caught:
        await _ask(config)
    error = caught.value
    assert error.code == "token_rate_limited"
    assert error.retry_after is not None and 0 < error.retry_after <= 61


async def test_an_upstream_refusal_is_the_token_service_s_error(
    demo: RunningDemoServer, example: tuple[str, Settings]
) -> None:
    demo.server.faults.mint_status = 401  # the service's resource key is wrong, not the person's bearer
    with pytest.raises(SessionError) as caught:
        await _ask(_config(demo, ProviderKind.OPENAI, example[0]))
    assert caught.value.code == "token_server_error" and "HTTP 502" in caught.value.message
    assert API_KEY not in caught.value.message
