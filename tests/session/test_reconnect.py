"""A lost call is replaced by itself: backoff, "attempt N of M", a cancel, and a clear stop on
errors that retrying cannot fix."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from desktop.realtime.config import ProviderKind
from desktop.session.events import ConnectionRenewed, ErrorRaised, SessionState, StateChanged
from desktop.session.reconnect import CHECKED, LOST
from tests.session.conftest import RunningDemoServer
from tests.session.harness import FAST, assert_nothing_left
from tests.session.reconnecting import (
    QUICK,
    answered,
    arrived,
    client_events,
    reconnect_states,
    renewed,
    start,
    texts,
)

SHORT_SDP = dataclasses.replace(FAST, sdp=0.4)


@pytest.mark.parametrize("kind", [ProviderKind.AZURE_PREVIEW, ProviderKind.OPENAI])
async def test_a_call_closed_mid_response_is_replaced_and_told_the_conversation(
    demo: RunningDemoServer, kind: ProviderKind
) -> None:
    session, events = start(demo.config(kind, greet_first=False))
    await session.connect()
    session.send_text("Remember that the project is called Falcon.")
    await answered(events, 1)
    demo.server.faults.close_mid_response = True
    session.send_text("And the budget is twelve thousand.")
    await events.wait_for(StateChanged, lambda e: e.state is SessionState.RECONNECTING)
    demo.server.faults.close_mid_response = False
    renewal = await renewed(events)
    assert renewal.reason == LOST
    await arrived(lambda: len(texts(demo.server, 1, "user")) == 2)
    assert texts(demo.server, 1, "user") == [
        "Remember that the project is called Falcon.",
        "And the budget is twelve thousand.",
    ]
    assert len(texts(demo.server, 1, "assistant")) >= 1  # the first answer, maybe a cut second one
    assert client_events(demo.server, 1, "response.create") == []  # no greeting on a renewed call
    assert session.state in (SessionState.READY, SessionState.LISTENING)
    assert not any(e.fatal for e in events.of(ErrorRaised))
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_mint_failing_twice_then_succeeding(demo: RunningDemoServer) -> None:
    session, events = start(demo.config(ProviderKind.AZURE, greet_first=False))
    await session.connect()
    demo.server.faults.mint_failures = 2
    await demo.server.close_all_calls()
    await renewed(events)
    assert reconnect_states(events) == ["attempt 1 of 4", "attempt 2 of 4", "attempt 3 of 4"]
    assert len(demo.server.sessions) == 2
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_call_setup_timeouts_then_success(demo: RunningDemoServer) -> None:
    session, events = start(demo.config(ProviderKind.OPENAI, greet_first=False, timeouts=SHORT_SDP))
    await session.connect()
    demo.server.faults.sdp_delay = 1.0
    await demo.server.close_all_calls()
    await events.wait_for(StateChanged, lambda e: e.detail == "attempt 2 of 4")
    demo.server.faults.sdp_delay = 0.0
    await renewed(events)
    assert "attempt 2 of 4" in reconnect_states(events)
    assert session.state in (SessionState.READY, SessionState.LISTENING)
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


@pytest.mark.parametrize(("status", "words"), [(401, "rejected the key"), (404, "does not know")])
async def test_an_error_retrying_cannot_fix_stops_at_once(
    demo: RunningDemoServer, status: int, words: str
) -> None:
    session, events = start(demo.config(ProviderKind.OPENAI, greet_first=False))
    await session.connect()
    demo.server.faults.mint_status = status
    await demo.server.close_all_calls()
    error = await events.wait_for(ErrorRaised, lambda e: e.fatal)
    assert words in error.message and not error.retryable and "\n" not in error.message
    assert reconnect_states(events) == ["attempt 1 of 4"]
    await events.finished()
    assert events.events[-1] == StateChanged(SessionState.FAILED)
    await assert_nothing_left(session, demo.stop)


async def test_a_key_refused_twice_at_call_setup_stops_after_the_second_attempt(
    demo: RunningDemoServer,
) -> None:
    session, events = start(demo.config(ProviderKind.OPENAI, greet_first=False))
    await session.connect()
    demo.server.faults.sdp_status = 401
    await demo.server.close_all_calls()
    error = await events.wait_for(ErrorRaised, lambda e: e.fatal)
    assert "rejected the key" in error.message and not error.retryable
    assert reconnect_states(events) == ["attempt 1 of 4", "attempt 2 of 4"]
    await events.finished()
    await assert_nothing_left(session, demo.stop)


async def test_giving_up_after_the_last_attempt_says_why(demo: RunningDemoServer) -> None:
    session, events = start(demo.config(ProviderKind.OPENAI, greet_first=False))
    await session.connect()
    demo.server.faults.mint_status = 500
    await demo.server.close_all_calls()
    error = await events.wait_for(ErrorRaised, lambda e: e.fatal)
    assert error.message.startswith("The connection could not be restored after 4 attempts.")
    assert "internal error" in error.message and error.retryable
    assert len(reconnect_states(events)) == 4
    await events.finished()
    await assert_nothing_left(session, demo.stop)


async def test_cancelling_the_reconnect_closes_the_session(demo: RunningDemoServer) -> None:
    session, events = start(demo.config(ProviderKind.OPENAI, greet_first=False))
    await session.connect()
    demo.server.faults.mint_delay = 5.0
    await demo.server.close_all_calls()
    await events.wait_for(StateChanged, lambda e: e.state is SessionState.RECONNECTING)
    session.cancel_reconnect()
    await events.finished()
    assert events.events[-1] == StateChanged(SessionState.CLOSED)
    assert not events.of(ConnectionRenewed) and not any(e.fatal for e in events.of(ErrorRaised))
    await assert_nothing_left(session, demo.stop)


async def test_a_connection_check_replaces_a_silently_dead_call(demo: RunningDemoServer) -> None:
    """After a network change the UI asks; a call that no longer receives anything is replaced."""
    config = demo.config(
        ProviderKind.OPENAI, greet_first=False, timeouts=dataclasses.replace(FAST, liveness=30)
    )
    session, events = start(config)
    await session.connect()
    session.check_connection()  # a live call passes the check
    sctp = demo.server.sessions[-1].pc.sctp
    assert sctp is not None
    await sctp.transport.transport.stop()  # the server's ICE sockets close without a word
    session.check_connection()
    renewal = await renewed(events, limit=8)
    assert renewal.reason == CHECKED
    assert len(events.of(ConnectionRenewed)) == 1
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_a_wake_up_check_replaces_a_dead_call_by_itself(demo: RunningDemoServer) -> None:
    """A negative gap makes every periodic tick look like a wake-up: the session checks on its own."""
    policy = dataclasses.replace(QUICK, wake_gap=-1.0)
    config = demo.config(
        ProviderKind.AZURE, greet_first=False, timeouts=dataclasses.replace(FAST, liveness=30)
    )
    session, events = start(config, policy)
    await session.connect()
    await asyncio.sleep(0.5)  # a few checks of a live call: nothing happens
    assert not events.of(ConnectionRenewed)
    sctp = demo.server.sessions[-1].pc.sctp
    assert sctp is not None
    await sctp.transport.transport.stop()
    renewal = await renewed(events, limit=8)
    assert renewal.reason == CHECKED
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)
