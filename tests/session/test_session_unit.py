"""The session against a fake realtime service (tests/session/fake_realtime.py): reconnection,
renewal and barge-in without WebRTC, audio devices or a network, each in milliseconds. Time is an
injected clock, and the reconnect policy waits zero seconds between attempts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.realtime import ProviderKind, SessionConfig, SessionError
from desktop.session.events import (
    AssistantTranscript,
    ConnectionRenewed,
    ErrorRaised,
    SessionState,
    StateChanged,
)
from desktop.session.reconnect import CHECKED, LOST, RENEWAL, SESSION_LIMITS, ReconnectPolicy
from desktop.session.voice_session import VoiceSession
from tests.session.fake_realtime import FakeConnection, FakeRealtimeService
from tests.session.harness import Collector, assert_nothing_left

KEY = "sk-unit-test-key-0123456789"
CONFIG = SessionConfig(
    provider=ProviderKind.OPENAI, api_key=KEY, deployment="gpt-realtime", instructions="You are a test."
)
# Attempts follow each other at once; the watch ticks often, so a renewal starts as soon as it is due.
POLICY = ReconnectPolicy(max_attempts=3, first_delay=0.0, jitter=0.0, watch_interval=0.001)


class FakeClock:
    """The wall clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Running:
    session: VoiceSession
    events: Collector
    service: FakeRealtimeService
    speaker: RecordingSpeaker
    clock: FakeClock

    def states(self) -> list[SessionState]:
        return [event.state for event in self.events.of(StateChanged)]

    def finals(self) -> list[AssistantTranscript]:
        return [event for event in self.events.of(AssistantTranscript) if event.final]

    async def reaches(self, state: SessionState, after: object) -> None:
        """Until a StateChanged to `state` comes after the event `after`."""
        await self.events.wait_for(StateChanged, lambda e: e.state is state and self._later(e, after))

    def _later(self, event: object, than: object) -> bool:
        order = [id(each) for each in self.events.events]  # by identity: equal events recur
        return order.index(id(event)) > order.index(id(than))


async def until(reached: Callable[[], bool], turns: int = 200) -> None:
    """Let the loop run (no sleeping) until `reached()`; fails after `turns` iterations."""
    for _turn in range(turns):
        if reached():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition was not reached")


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    clock = FakeClock()
    service = FakeRealtimeService(clock=clock)
    speaker = RecordingSpeaker()
    session = VoiceSession(
        CONFIG, SyntheticMicrophone(), speaker, reconnect=POLICY, connect=service.connect, clock=clock
    )
    events = Collector(session)
    yield Running(session, events, service, speaker, clock)
    await session.hang_up()
    await events.finished()
    assert all(connection.closed for connection in service.connections)  # none left open, replaced or not
    await assert_nothing_left(session, _nothing)


async def _greeted(running: Running) -> FakeConnection:
    await running.session.connect()
    await running.events.wait_for(AssistantTranscript, lambda e: e.final)
    await running.reaches(SessionState.LISTENING, after=running.finals()[0])
    return running.service.current


def _replayed_texts(connection: FakeConnection) -> list[tuple[str, str]]:
    items = [event["item"] for event in connection.sent("conversation.item.create")]
    messages = [item for item in items if item["type"] == "message"]
    return [(item["role"], part["text"]) for item in messages for part in item["content"]]


async def test_connecting_configures_the_call_then_greets(running: Running) -> None:
    call = await _greeted(running)
    assert [event["type"] for event in call.received] == ["session.update", "response.create"]
    assert running.states()[:3] == [SessionState.CONNECTING, SessionState.LISTENING, SessionState.THINKING]
    assert SessionState.ASSISTANT_SPEAKING in running.states()


async def test_a_drop_is_noticed_renewed_and_the_conversation_replayed(running: Running) -> None:
    first = await _greeted(running)
    running.session.send_text("Book the design review.")
    await running.events.wait_for(AssistantTranscript, lambda _e: len(running.finals()) == 2)
    first.drop()
    renewal = await running.events.wait_for(ConnectionRenewed)
    assert renewal.reason == LOST
    second = running.service.current
    assert second is not first and first.closed
    assert [e.detail for e in running.events.of(StateChanged) if e.state is SessionState.RECONNECTING] == [
        "attempt 1 of 3"
    ]
    assert _replayed_texts(second) == [
        ("assistant", "Hello, how can I help?"),
        ("user", "Book the design review."),
        ("assistant", "Hello, how can I help?"),
    ]
    assert second.sent("response.create") == []  # no second greeting: nothing was owed
    await running.reaches(SessionState.LISTENING, after=renewal)


async def test_a_refused_attempt_is_tried_again(running: Running) -> None:
    first = await _greeted(running)
    running.service.refusals.append(SessionError("Could not reach the service.", code="unreachable"))
    first.drop()
    await running.events.wait_for(ConnectionRenewed)
    details = [e.detail for e in running.events.of(StateChanged) if e.state is SessionState.RECONNECTING]
    assert details == ["attempt 1 of 3", "attempt 2 of 3"]
    assert len(running.service.connections) == 3


async def test_a_refusal_that_retrying_cannot_fix_ends_the_session(running: Running) -> None:
    first = await _greeted(running)
    refused = SessionError("The API key was rejected.", code="invalid_api_key", retryable=False)
    running.service.refusals.append(refused)
    first.drop()
    failure = await running.events.wait_for(ErrorRaised, lambda e: e.fatal)
    assert failure.message == "The API key was rejected." and not failure.retryable
    await running.events.finished()
    assert running.session.state is SessionState.FAILED


async def test_words_typed_while_reconnecting_reach_the_next_call_and_are_answered(running: Running) -> None:
    first = await _greeted(running)
    running.service.gate = asyncio.Event()  # the new call waits: the person types meanwhile
    first.drop()
    await running.events.wait_for(StateChanged, lambda e: e.state is SessionState.RECONNECTING)
    running.session.send_text("Are you still there?")
    running.service.gate.set()
    await running.events.wait_for(ConnectionRenewed)
    second = running.service.current
    assert _replayed_texts(second)[-1] == ("user", "Are you still there?")
    assert len(second.sent("response.create")) == 1  # the owed answer
    await running.events.wait_for(AssistantTranscript, lambda _e: len(running.finals()) == 2)


async def test_an_answer_cut_by_a_drop_keeps_its_words_and_is_replayed(running: Running) -> None:
    running.service.hold_answers = True
    await running.session.connect()
    started = await running.events.wait_for(AssistantTranscript)
    running.service.current.drop()
    cut = await running.events.wait_for(AssistantTranscript, lambda e: e.interrupted)
    assert cut.item_id == started.item_id and cut.text == "Hello, how can I help?" and cut.final
    assert running.speaker.flushes >= 1  # what was still to play of it is dropped
    await running.events.wait_for(ConnectionRenewed)
    assert _replayed_texts(running.service.current) == [("assistant", "Hello, how can I help?")]


async def test_barge_in_by_voice_flushes_the_speaker_and_the_service_cancels(running: Running) -> None:
    running.service.hold_answers = True
    await running.session.connect()
    await running.events.wait_for(StateChanged, lambda e: e.state is SessionState.ASSISTANT_SPEAKING)
    greeting = await running.events.wait_for(AssistantTranscript)
    call = running.service.current
    call.person_starts_speaking()
    await running.events.wait_for(StateChanged, lambda e: e.state is SessionState.USER_SPEAKING)
    assert running.speaker.flushes >= 1  # local playback stops at once
    cut = await running.events.wait_for(AssistantTranscript, lambda e: e.interrupted)
    assert cut.item_id == greeting.item_id
    assert call.sent("response.cancel") == []  # the service's detection cancels the answer itself
    running.service.hold_answers = False
    call.person_stops_speaking("Book the design review.")
    await running.events.wait_for(AssistantTranscript, lambda e: e.final and not e.interrupted)
    await running.events.wait_for(StateChanged, lambda e: e.state is SessionState.LISTENING)


async def test_interrupting_cancels_the_answer_and_clears_its_audio(running: Running) -> None:
    running.service.hold_answers = True
    await running.session.connect()
    await running.events.wait_for(StateChanged, lambda e: e.state is SessionState.ASSISTANT_SPEAKING)
    call = running.service.current
    running.session.interrupt()
    assert [e["type"] for e in call.received[-2:]] == ["response.cancel", "output_audio_buffer.clear"]
    assert running.speaker.flushes >= 1
    cut = await running.events.wait_for(AssistantTranscript, lambda e: e.interrupted)
    assert cut.text == "Hello, how can I help?"
    await running.events.wait_for(StateChanged, lambda e: e.state is SessionState.LISTENING)


async def test_the_session_limit_renews_the_call_at_a_quiet_moment(running: Running) -> None:
    first = await _greeted(running)
    running.clock.now += SESSION_LIMITS[ProviderKind.OPENAI] - 60.0  # within the margin before the limit
    renewal = await running.events.wait_for(ConnectionRenewed)
    assert renewal.reason == RENEWAL
    second = running.service.current
    assert second is not first
    await until(lambda: first.closed)
    assert _replayed_texts(second) == [("assistant", "Hello, how can I help?")]
    assert SessionState.RECONNECTING not in running.states()  # made before the old one was broken


async def test_a_silent_call_is_found_by_a_check_and_replaced(running: Running) -> None:
    first = await _greeted(running)
    first.go_silent()
    running.session.check_connection()
    renewal = await running.events.wait_for(ConnectionRenewed)
    assert renewal.reason == CHECKED and running.service.current is not first


def _booked(call: FakeConnection) -> None:
    """The conversation gets a tool call and its output, as after a booking."""
    arguments = '{"title": "Design review", "start": "2026-12-08T10:00"}'
    call.server_sends({"type": "conversation.item.created", "item": {
        "id": "item_call", "type": "function_call", "call_id": "call_1", "name": "scheduleMeeting",
        "arguments": arguments}})
    output = {"type": "function_call_output", "call_id": "call_1", "output": '{"status": "saved"}'}
    call.server_sends({"type": "conversation.item.created", "item": {"id": "item_output", **output}})


async def test_a_refused_replay_of_a_tool_call_is_told_again_as_a_note_not_shown(running: Running) -> None:
    first = await _greeted(running)
    _booked(first)
    await until(lambda: len(running.session._history) == 3)
    running.service.refuse_item = lambda item: (
        "Tool call ID 'call_1' not found in conversation." if item["type"] == "function_call_output" else None
    )
    first.drop()
    await running.events.wait_for(ConnectionRenewed)
    second = running.service.current
    await until(lambda: any(item["role"] == "system" for item in _messages(second)))
    (note,) = [item for item in _messages(second) if item["role"] == "system"]
    text = note["content"][0]["text"]
    assert note["content"][0]["type"] == "input_text"
    assert "scheduleMeeting" in text and "Design review" in text and '"saved"' in text
    await running.reaches(SessionState.LISTENING, after=running.events.of(ConnectionRenewed)[-1])
    assert running.events.of(ErrorRaised) == []  # the person can do nothing about it: the log has it


async def test_a_refused_replay_of_words_says_once_that_context_was_lost(running: Running) -> None:
    first = await _greeted(running)
    running.session.send_text("Book the design review.")
    await running.events.wait_for(AssistantTranscript, lambda _e: len(running.finals()) == 2)
    running.service.refuse_item = lambda item: "Replayed messages are not accepted."
    first.drop()
    await running.events.wait_for(ConnectionRenewed)
    lost = await running.events.wait_for(ErrorRaised)
    assert lost.code == "replay_incomplete" and not lost.fatal
    await running.reaches(SessionState.LISTENING, after=running.events.of(ConnectionRenewed)[-1])
    assert len(running.events.of(ErrorRaised)) == 1  # three refusals, one sentence
    running.service.current.drop()  # the next renewal may say it again, once
    await running.events.wait_for(ErrorRaised, lambda _e: len(running.events.of(ErrorRaised)) == 2)


def _messages(call: FakeConnection) -> list[dict[str, object]]:
    items = [event["item"] for event in call.sent("conversation.item.create")]
    return [item for item in items if item["type"] == "message"]


async def _nothing() -> None:
    return None
