"""Whole conversations against the demo server, in each of the four dialects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.realtime.config import ProviderKind
from desktop.session.events import (
    AssistantTranscript,
    ErrorRaised,
    RawEvent,
    SessionState,
    StateChanged,
    ToolActivity,
    UserTranscript,
)
from desktop.session.voice_session import VoiceSession
from tests.session.conftest import REQUEST, RunningDemoServer
from tests.session.harness import API_KEY, KINDS, Collector, MeetingTools, assert_nothing_left


def _sent(demo: RunningDemoServer) -> list[dict[str, Any]]:
    return [received.event for received in demo.server.client_events]


def _session_tools(session: dict[str, Any]) -> set[str]:
    return {tool["name"] for tool in session.get("tools", [])}


def _turn_detection(session: dict[str, Any]) -> Any:
    if "audio" in session:
        return session["audio"]["input"]["turn_detection"]
    return session["turn_detection"]


async def _connected(
    demo: RunningDemoServer, kind: ProviderKind, **changes: Any
) -> tuple[VoiceSession, Collector]:
    session = VoiceSession(
        demo.config(kind, **changes), SyntheticMicrophone(), RecordingSpeaker(), MeetingTools()
    )
    collector = Collector(session)
    await session.connect()
    return session, collector


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
async def test_connect_configures_the_session_and_greets(demo: RunningDemoServer, kind: ProviderKind) -> None:
    session, events = await _connected(demo, kind)
    effective = demo.server.sessions[-1].session_config
    assert _session_tools(effective) == {"createMeeting"}
    assert effective["instructions"].startswith("You are a test assistant.")
    assert "Current local date and time" in effective["instructions"]
    assert _turn_detection(effective)["type"] == "server_vad"
    greeting = await events.wait_for(AssistantTranscript)  # streams in; hanging up mid-answer is fine
    assert greeting.text and not greeting.final
    types = [event["type"] for event in _sent(demo)]
    assert types[:2] == ["session.update", "response.create"]
    assert session.state in (SessionState.LISTENING, SessionState.THINKING, SessionState.ASSISTANT_SPEAKING)
    await session.hang_up()
    await events.finished()
    raw = repr([e for e in events.events if isinstance(e, RawEvent)])
    assert API_KEY not in raw and "ek_" not in raw
    assert events.events[-1] == StateChanged(SessionState.CLOSED)
    await assert_nothing_left(session, demo.stop)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
async def test_hands_free_spoken_request_books_a_meeting(
    demo: RunningDemoServer, kind: ProviderKind, request_wav: Path
) -> None:
    microphone, speaker, tools = SyntheticMicrophone(), RecordingSpeaker(), MeetingTools()
    session = VoiceSession(demo.config(kind, greet_first=False), microphone, speaker, tools)
    events = Collector(session)
    await session.connect()
    demo.server.queue_user_transcript(REQUEST)
    microphone.say(request_wav)
    heard = await events.wait_for(UserTranscript, lambda e: e.final, limit=20)
    assert heard.text == REQUEST
    done = await events.wait_for(ToolActivity, lambda e: e.status == "done", limit=20)
    assert done.name == "createMeeting" and json.loads(done.output)["status"] == "created"
    confirmation = await events.wait_for(AssistantTranscript, lambda e: e.final, limit=20)
    assert confirmation.text
    sent = _sent(demo)
    outputs = [
        i
        for i, e in enumerate(sent)
        if e["type"] == "conversation.item.create" and e["item"]["type"] == "function_call_output"
    ]
    assert [sent[i]["item"]["call_id"] for i in outputs] == [done.call_id]
    after = [e["type"] for e in sent[outputs[-1] + 1 :]]
    assert after.count("response.create") == 1
    await speaker.wait_audible(0.2)  # the confirmation was spoken on the audio track, not only written
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_push_to_talk_with_too_little_audio_is_a_clear_error(demo: RunningDemoServer) -> None:
    session, events = await _connected(demo, ProviderKind.OPENAI, push_to_talk=True, greet_first=False)
    assert _turn_detection(demo.server.sessions[-1].session_config) is None
    await events.wait_for(StateChanged, lambda e: e.state is SessionState.READY)
    session.begin_push_to_talk()
    session.end_push_to_talk()
    error = await events.wait_for(ErrorRaised)
    assert "Too little audio" in error.message and not error.fatal
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_push_to_talk_turn(demo: RunningDemoServer, request_wav: Path) -> None:
    microphone = SyntheticMicrophone()
    config = demo.config(ProviderKind.AZURE, push_to_talk=True, greet_first=False)
    session = VoiceSession(config, microphone, RecordingSpeaker(), MeetingTools())
    events = Collector(session)
    await session.connect()
    demo.server.queue_user_transcript(REQUEST)
    session.begin_push_to_talk()
    assert microphone.is_open
    microphone.say(request_wav)
    await microphone.wait_spoken()
    assert microphone.speech_frames_sent > 0
    session.end_push_to_talk()
    heard = await events.wait_for(UserTranscript, lambda e: e.final, limit=20)
    assert heard.text == REQUEST
    await events.wait_for(ToolActivity, lambda e: e.status == "done", limit=20)
    types = [e["type"] for e in _sent(demo)]
    assert "input_audio_buffer.commit" in types
    assert not microphone.is_open
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_text_hands_free_toggle_and_oversize_refusal(demo: RunningDemoServer) -> None:
    session, events = await _connected(demo, ProviderKind.AZURE_PREVIEW, greet_first=False)
    session.set_hands_free(False)
    session.send_text("x" * 70_000)
    error = await events.wait_for(ErrorRaised, lambda e: e.code == "event_too_large")
    assert not error.fatal and "70" in error.message
    session.send_text(REQUEST)
    await events.wait_for(ToolActivity, lambda e: e.status == "done", limit=20)
    sent = _sent(demo)
    toggles = [e for e in sent if e["type"] == "session.update"][1:]
    assert toggles and toggles[0]["session"]["turn_detection"] is None
    assert not any(len(json.dumps(e)) > 65536 for e in sent)
    assert session.state is not SessionState.FAILED
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)
