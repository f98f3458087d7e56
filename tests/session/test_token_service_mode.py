"""The token-service mode end to end against the demo server: its token service hands out the key
(minted with the server's own key), the call is set up with it and greets; a renewal asks again; a
failure of the token service reaches the person as one sentence, in the session and in the check."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from desktop.app.connection_check import TOKEN_STEP_ORDER, CheckStep, run_check
from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.errors import SessionError
from desktop.session.events import AssistantTranscript, ErrorRaised
from desktop.session.reconnect import RENEWAL
from desktop.session.voice_session import VoiceSession
from tests.session.conftest import RunningDemoServer
from tests.session.harness import API_KEY, DEPLOYMENT, Collector, MeetingTools, assert_nothing_left
from tests.session.reconnecting import QUICK, renewed, start

BEARER = "org-bearer-0123456789"


def _token_config(demo: RunningDemoServer, kind: ProviderKind, **changes: Any) -> SessionConfig:
    """The app holds no API key: only the token service's URL and its bearer token."""
    path = {ProviderKind.OPENAI: "/token", ProviderKind.AZURE: "/token/azure"}.get(
        kind, "/token/azure-preview"
    )
    values = {"key_from": "token_service", "token_url": demo.url + path, "token_bearer": BEARER}
    return demo.config(kind, **(values | {"api_key": ""} | changes))


@pytest.mark.parametrize("kind", [ProviderKind.OPENAI, ProviderKind.AZURE, ProviderKind.AZURE_PREVIEW])
async def test_token_service_then_mint_then_a_call_that_greets(
    demo: RunningDemoServer, kind: ProviderKind
) -> None:
    demo.server.token_bearer = BEARER
    config = _token_config(demo, kind)
    session = VoiceSession(config, SyntheticMicrophone(), RecordingSpeaker(), MeetingTools())
    events = Collector(session)
    await session.connect()
    greeting = await events.wait_for(AssistantTranscript)
    assert greeting.text
    token, mint, call = list(demo.server.requests)[:3]
    assert token.startswith("POST /token")
    assert mint.endswith(("/client_secrets", "/realtimeapi/sessions"))
    assert call.endswith(("/calls", "/realtimertc"))
    assert not any(e.fatal for e in events.of(ErrorRaised))
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_a_renewal_asks_the_token_service_again(demo: RunningDemoServer) -> None:
    policy = dataclasses.replace(QUICK, session_limit=4.0, renew_margin=1.5)
    session, events = start(_token_config(demo, ProviderKind.OPENAI, greet_first=False), policy)
    await session.connect()
    session.send_text("Remember that the project is called Falcon.")
    renewal = await renewed(events)
    assert renewal.reason == RENEWAL
    assert list(demo.server.requests).count("POST /token") == 2
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_a_refused_bearer_token_stops_with_one_sentence(demo: RunningDemoServer) -> None:
    demo.server.token_bearer = "another-bearer-0123456789"
    session, events = start(_token_config(demo, ProviderKind.OPENAI, greet_first=False))
    with pytest.raises(SessionError):
        await session.connect()
    error = await events.wait_for(ErrorRaised, lambda e: e.fatal)
    assert error.code == "token_unauthorized" and BEARER not in error.message
    assert "refused the bearer token" in error.message
    await session.hang_up()


async def test_the_check_reports_the_token_step(demo: RunningDemoServer) -> None:
    demo.server.token_bearer = BEARER
    seen: list[CheckStep] = []
    result = await run_check(_token_config(demo, ProviderKind.AZURE), seen.append)
    assert result.ok, result.error
    assert [step.name for step in seen] == list(TOKEN_STEP_ORDER)
    assert seen[0].label == "session key from the token service" and demo.url.split("//")[1] in seen[0].detail


@pytest.mark.parametrize(
    ("fault", "value", "words"),
    [
        ("token_down", True, "Could not reach the token service"),
        ("token_status", 401, "refused the bearer token"),
        ("token_not_json", True, "is not JSON"),
    ],
)
async def test_the_check_names_the_token_step_that_failed(
    demo: RunningDemoServer, fault: str, value: object, words: str
) -> None:
    setattr(demo.server.faults, fault, value)
    seen: list[CheckStep] = []
    result = await run_check(_token_config(demo, ProviderKind.OPENAI), seen.append)
    assert not result.ok and words in result.error
    assert [(step.name, step.ok) for step in seen] == [("token", False)]
    assert BEARER not in result.error and API_KEY not in result.error


async def test_a_key_for_another_resource_is_refused_at_call_setup_with_a_hint(
    demo: RunningDemoServer,
) -> None:
    other = DemoServer(api_key=API_KEY, deployment=DEPLOYMENT)  # the resource the token service mints for
    other_url = await other.start()
    try:
        config = _token_config(demo, ProviderKind.OPENAI, token_url=f"{other_url}/token")
        result = await run_check(config)
    finally:
        await other.stop()
    assert not result.ok and "rejected the key during the call setup" in result.error
    assert "The key came from the token service" in result.error
