"""Taking turns: interrupting the assistant, barging in by voice, and late user transcripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.realtime.config import ProviderKind, TransportChoice, TurnDetection
from desktop.realtime.connection import Connection
from desktop.realtime.websocket_connection import websocket_connector
from desktop.session.events import (
    AssistantTranscript,
    RawEvent,
    SessionState,
    StateChanged,
    UserTranscript,
)
from desktop.session.voice_session import VoiceSession
from tests.session.conftest import REQUEST, RunningDemoServer
from tests.session.harness import Collector, MeetingTools, assert_nothing_left


def _speaking(event: StateChanged) -> bool:
    return event.state is SessionState.ASSISTANT_SPEAKING


async def test_interrupt_cancels_and_flushes(demo: RunningDemoServer) -> None:
    speaker = RecordingSpeaker()
    session = VoiceSession(demo.config(ProviderKind.OPENAI), SyntheticMicrophone(), speaker, MeetingTools())
    events = Collector(session)
    await session.connect()
    await events.wait_for(StateChanged, _speaking)
    session.interrupt()
    cut = await events.wait_for(AssistantTranscript, lambda e: e.interrupted)
    assert cut.final
    assert speaker.flushes >= 1
    sent = [r.event["type"] for r in demo.server.client_events]
    assert "response.cancel" in sent and "output_audio_buffer.clear" in sent
    await events.wait_for(StateChanged, lambda e: e.state is SessionState.LISTENING)
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_barge_in_by_voice_and_late_transcript_order(
    demo: RunningDemoServer, request_wav: Path
) -> None:
    demo.server.faults.late_transcription = True
    microphone, speaker = SyntheticMicrophone(), RecordingSpeaker()
    session = VoiceSession(demo.config(ProviderKind.AZURE_PREVIEW), microphone, speaker, MeetingTools())
    events = Collector(session)
    await session.connect()
    await events.wait_for(StateChanged, _speaking)
    greeting = await events.wait_for(AssistantTranscript)
    demo.server.queue_user_transcript(REQUEST)
    microphone.say(request_wav)
    await events.wait_for(StateChanged, lambda e: e.state is SessionState.USER_SPEAKING)
    assert speaker.flushes >= 1  # local playback dropped at once on barge-in
    heard = await events.wait_for(UserTranscript, lambda e: e.final, limit=20)
    assert heard.previous_item_id == greeting.item_id  # placed after the greeting, however late it came
    assert any(e.interrupted and e.item_id == greeting.item_id for e in events.of(AssistantTranscript))
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_push_to_talk_press_stops_the_assistant(demo: RunningDemoServer) -> None:
    microphone, speaker = SyntheticMicrophone(), RecordingSpeaker()
    config = demo.config(ProviderKind.AZURE, push_to_talk=True)
    session = VoiceSession(config, microphone, speaker, MeetingTools())
    events = Collector(session)
    await session.connect()
    assert not microphone.is_open
    await events.wait_for(StateChanged, _speaking)
    session.begin_push_to_talk()
    assert microphone.is_open and speaker.flushes >= 1
    assert session.state is SessionState.LISTENING
    await events.wait_for(AssistantTranscript, lambda e: e.interrupted)
    sent = [r.event["type"] for r in demo.server.client_events]
    assert sent[-3:] == ["input_audio_buffer.clear", "response.cancel", "output_audio_buffer.clear"]
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


@pytest.mark.parametrize("transport", ["webrtc", "websocket"])
async def test_with_interrupt_response_off_talking_over_the_answer_lets_it_play_on(
    demo: RunningDemoServer, request_wav: Path, transport: TransportChoice
) -> None:
    """The service goes on with the answer when its detection does not interrupt: so does the speaker,
    over either transport (no flush, no cut, no truncate)."""
    microphone, speaker = SyntheticMicrophone(), RecordingSpeaker()
    detection = TurnDetection(create_response=False, interrupt_response=False)
    config = demo.config(ProviderKind.OPENAI, transport=transport, turn_detection=detection)
    connect = websocket_connector(lambda: speaker.played_seconds) if transport == "websocket" else Connection
    session = VoiceSession(config, microphone, speaker, MeetingTools(), connect=connect)
    events = Collector(session)
    await session.connect()
    await speaker.wait_audible(0.5)  # the greeting is being heard
    microphone.say(request_wav)
    await events.wait_for(RawEvent, lambda e: e.type == "input_audio_buffer.speech_started", limit=20)
    await events.wait_for(RawEvent, lambda e: e.type == "output_audio_buffer.stopped", limit=20)
    greeting = await events.wait_for(AssistantTranscript, lambda e: e.final, limit=20)
    assert not greeting.interrupted
    assert speaker.flushes == 0
    sent = {r.event["type"] for r in demo.server.client_events}
    assert not sent & {"conversation.item.truncate", "response.cancel", "output_audio_buffer.clear"}
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)
