"""Whole conversations over the WebSocket transport, against the demo server's realtime WebSocket:
the same session, tools, transcripts, inspector and renewal as over WebRTC."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from desktop.app.connection_check import CheckStep, run_check
from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.realtime.config import ProviderKind
from desktop.realtime.errors import SessionError
from desktop.realtime.websocket_connection import WebSocketConnection, websocket_connector
from desktop.realtime.websocket_upgrade import NOT_AN_UPGRADE
from desktop.session.events import (
    AssistantTranscript,
    ConnectionRenewed,
    ErrorRaised,
    RawEvent,
    SessionState,
    StateChanged,
    ToolActivity,
    UserTranscript,
)
from desktop.session.voice_session import VoiceSession
from tests.session.conftest import REQUEST, RunningDemoServer
from tests.session.harness import API_KEY, CREATE_MEETING, Collector, MeetingTools, assert_nothing_left
from tests.session.reconnecting import QUICK, arrived, texts

SOCKET_KINDS = [ProviderKind.AZURE_PREVIEW, ProviderKind.AZURE, ProviderKind.OPENAI]


class LaggingSpeaker(RecordingSpeaker):
    """Reports `lag` seconds less played than it took from the track, as a device buffer would hold."""

    lag = 0.1

    @property
    def played_seconds(self) -> float:
        return max(0.0, self.received_seconds - self.lag)


def _session(
    demo: RunningDemoServer,
    kind: ProviderKind = ProviderKind.OPENAI,
    speaker: RecordingSpeaker | None = None,
    microphone: SyntheticMicrophone | None = None,
    **changes: Any,
) -> tuple[VoiceSession, Collector, RecordingSpeaker, SyntheticMicrophone]:
    speaker = speaker or RecordingSpeaker()
    microphone = microphone or SyntheticMicrophone()
    config = demo.config(kind, transport="websocket", **changes)
    connect = websocket_connector(lambda: speaker.played_seconds)
    session = VoiceSession(config, microphone, speaker, MeetingTools(), reconnect=QUICK, connect=connect)
    return session, Collector(session), speaker, microphone


def _after(events: Collector, state: StateChanged) -> bool:
    """`state` came after the assistant started speaking (events compare equal: find them by identity)."""
    position = {id(event): index for index, event in enumerate(events.events)}
    speaking = [e for e in events.of(StateChanged) if e.state is SessionState.ASSISTANT_SPEAKING]
    return bool(speaking) and position[id(state)] > position[id(speaking[0])]


def _sent(demo: RunningDemoServer, kind: str) -> list[dict[str, Any]]:
    return [r.event for r in demo.server.client_events if r.event.get("type") == kind]


@pytest.mark.parametrize("kind", SOCKET_KINDS, ids=lambda k: k.value)
async def test_the_greeting_is_heard_on_the_speaker(demo: RunningDemoServer, kind: ProviderKind) -> None:
    session, events, speaker, _microphone = _session(demo, kind)
    await session.connect()
    assert isinstance(session.connection, WebSocketConnection)
    assert demo.server.sessions[-1].websocket
    await speaker.wait_audible(0.5)
    assert speaker.tracks_attached == 1
    await events.wait_for(StateChanged, lambda e: e.state is SessionState.ASSISTANT_SPEAKING)
    greeting = await events.wait_for(AssistantTranscript, lambda e: e.final, limit=20)
    assert greeting.text
    stopped = await events.wait_for(RawEvent, lambda e: e.type == "output_audio_buffer.stopped")
    assert stopped.payload["local"] is True  # the client's own buffer, said as WebRTC's server says it
    await events.wait_for(StateChanged, lambda e: e.state is SessionState.LISTENING and _after(events, e))
    deltas = [e for e in events.of(RawEvent) if e.type.endswith("audio.delta")]
    assert deltas and all(e.payload["delta"].endswith("bytes of audio>") for e in deltas)
    raw = repr(events.of(RawEvent))
    assert API_KEY not in raw and "ek_" not in raw
    assert _sent(demo, "input_audio_buffer.append")  # the microphone streams, silence while nobody speaks
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_a_spoken_request_is_answered_and_books_a_meeting(
    demo: RunningDemoServer, request_wav: Path
) -> None:
    session, events, speaker, microphone = _session(demo, greet_first=False)
    await session.connect()
    demo.server.queue_user_transcript(REQUEST)
    microphone.say(request_wav)
    heard = await events.wait_for(UserTranscript, lambda e: e.final, limit=20)
    assert heard.text == REQUEST
    done = await events.wait_for(ToolActivity, lambda e: e.status == "done", limit=20)
    assert done.name == "createMeeting" and json.loads(done.output)["status"] == "created"
    await events.wait_for(AssistantTranscript, lambda e: e.final, limit=20)
    await speaker.wait_audible(0.2)
    appended = _sent(demo, "input_audio_buffer.append")
    assert all(len(e["audio"]) * 3 // 4 == 960 for e in appended)  # 20 ms of PCM16 at 24 kHz each
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_talking_over_the_answer_truncates_it_where_the_speaker_was(
    demo: RunningDemoServer, request_wav: Path
) -> None:
    session, events, speaker, microphone = _session(demo, speaker=LaggingSpeaker())
    await session.connect()
    await speaker.wait_audible(1.0)  # the greeting is being heard
    microphone.say(request_wav)
    await events.wait_for(RawEvent, lambda e: e.type == "conversation.item.truncated", limit=20)
    (truncate,) = _sent(demo, "conversation.item.truncate")
    greeting_item = demo.server.sessions[-1].items[0]["id"]
    assert truncate["item_id"] == greeting_item and truncate["content_index"] == 0
    # What the speaker had played when the person was heard: less than it took from the track.
    assert 500 <= truncate["audio_end_ms"] <= (speaker.received_seconds - LaggingSpeaker.lag) * 1000
    assert speaker.flushes >= 1
    assert not [e for e in events.of(ErrorRaised)]
    assert not _sent(demo, "output_audio_buffer.clear")  # WebRTC's event never reaches the socket
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_pressing_to_talk_over_the_answer_truncates_it(demo: RunningDemoServer) -> None:
    session, events, speaker, _microphone = _session(demo, push_to_talk=True)
    await session.connect()
    await speaker.wait_audible(0.5)
    session.begin_push_to_talk()
    truncated = await events.wait_for(RawEvent, lambda e: e.type == "conversation.item.truncated")
    (truncate,) = _sent(demo, "conversation.item.truncate")
    assert 0 < truncate["audio_end_ms"] <= speaker.received_seconds * 1000
    assert truncated.payload["audio_end_ms"] == truncate["audio_end_ms"]
    cut = await events.wait_for(RawEvent, lambda e: e.type == "output_audio_buffer.stopped")
    assert cut.payload["truncated"] == {k: truncate[k] for k in ("item_id", "audio_end_ms")}
    await events.wait_for(StateChanged, lambda e: e.state is SessionState.LISTENING)
    assert _sent(demo, "response.cancel") and not _sent(demo, "output_audio_buffer.clear")
    assert not events.of(ErrorRaised)
    session.end_push_to_talk()
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_a_dropped_socket_is_renewed_and_told_the_conversation(demo: RunningDemoServer) -> None:
    session, events, _speaker, _microphone = _session(demo, ProviderKind.AZURE, greet_first=False)
    await session.connect()
    session.send_text("Remember that the project is called Falcon.")
    await events.wait_for(AssistantTranscript, lambda e: e.final, limit=20)
    demo.server.faults.close_mid_response = True
    session.send_text("And the budget is twelve thousand.")
    await events.wait_for(StateChanged, lambda e: e.state is SessionState.RECONNECTING)
    demo.server.faults.close_mid_response = False
    await events.wait_for(ConnectionRenewed, limit=20)
    await arrived(lambda: len(texts(demo.server, 1, "user")) == 2)
    assert texts(demo.server, 1, "user") == [
        "Remember that the project is called Falcon.",
        "And the budget is twelve thousand.",
    ]
    assert demo.server.sessions[1].websocket
    assert not any(e.fatal for e in events.of(ErrorRaised))
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_no_key_in_the_url_or_the_log(
    demo: RunningDemoServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    session, events, _speaker, _microphone = _session(demo, ProviderKind.AZURE_PREVIEW, greet_first=False)
    await session.connect()
    connection = session.connection
    assert isinstance(connection, WebSocketConnection)
    assert connection.url.startswith("ws://127.0.0.1:")
    assert "/openai/realtime?api-version=2025-04-01-preview&deployment=" in connection.url
    assert API_KEY not in connection.url and "key" not in connection.url.lower()
    await session.hang_up()
    await events.finished()
    assert API_KEY not in caplog.text and "ek_" not in caplog.text
    await assert_nothing_left(session, demo.stop)


@pytest.mark.parametrize("status", [403, 200])
async def test_a_proxy_refusing_the_upgrade_is_one_sentence(demo: RunningDemoServer, status: int) -> None:
    demo.server.faults.socket_upgrade_status = status
    session, events, _speaker, _microphone = _session(demo)
    with pytest.raises(SessionError) as raised:
        await session.connect()
    assert raised.value.message == NOT_AN_UPGRADE.format(status=status)
    assert not raised.value.retryable
    error = await events.wait_for(ErrorRaised, lambda e: e.fatal)
    assert error.message.count(". ") == 0 and API_KEY not in error.message
    await assert_nothing_left(session, demo.stop)


async def test_a_wrong_resource_key_on_the_preview_socket_is_the_key_sentence(
    demo: RunningDemoServer,
) -> None:
    session, events, _speaker, _microphone = _session(demo, ProviderKind.AZURE_PREVIEW)
    demo.server.api_key = "another-key-0123456789"  # the preview's socket takes the resource key itself
    with pytest.raises(SessionError) as raised:
        await session.connect()
    assert raised.value.message.startswith("The service rejected the key during the call setup")
    assert "(HTTP 401)" in raised.value.message and not raised.value.retryable
    assert API_KEY not in raised.value.message
    await events.finished()
    await assert_nothing_left(session, demo.stop)


async def test_a_quick_check_hears_a_live_socket_and_not_a_closed_one(demo: RunningDemoServer) -> None:
    session, _events, _speaker, _microphone = _session(demo, greet_first=False)
    await session.connect()
    connection = session.connection
    assert isinstance(connection, WebSocketConnection)
    assert await connection.still_receiving(2.0)  # the service answers the ping
    await session.hang_up()
    assert not await connection.still_receiving(0.2)
    await assert_nothing_left(session, demo.stop)


async def test_audio_sent_faster_than_it_plays_is_paced_and_cut_where_it_was_heard(
    demo: RunningDemoServer, request_wav: Path
) -> None:
    """Like the real services, the demo sends the whole answer at once: the speaking state lasts until
    it has played, and a barge-in truncates at what was heard, not at what had arrived."""
    demo.server.faults.early_response_done = True
    session, events, speaker, microphone = _session(demo)
    await session.connect()
    await events.wait_for(RawEvent, lambda e: e.type == "response.done", limit=20)
    assert session.state is SessionState.ASSISTANT_SPEAKING  # all of it arrived; little of it played
    arrived_ms = sum(int(e.payload["delta"][1:].split()[0]) for e in events.of(RawEvent)
                     if e.type.endswith("audio.delta")) * 1000 // 48000  # fmt: skip
    await speaker.wait_audible(0.5)
    microphone.say(request_wav)
    await events.wait_for(RawEvent, lambda e: e.type == "conversation.item.truncated", limit=20)
    (truncate,) = _sent(demo, "conversation.item.truncate")
    assert 500 <= truncate["audio_end_ms"] < arrived_ms - 500
    assert not events.of(ErrorRaised)
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


@pytest.mark.parametrize("kind", SOCKET_KINDS, ids=lambda k: k.value)
async def test_the_connection_check_runs_over_the_websocket(
    demo: RunningDemoServer, kind: ProviderKind
) -> None:
    seen: list[CheckStep] = []
    result = await run_check(demo.config(kind, transport="websocket", tools=(CREATE_MEETING,)), seen.append)
    assert result.ok, result.error
    minted = [] if kind is ProviderKind.AZURE_PREVIEW else ["mint"]  # its socket takes the resource key
    assert [step.name for step in seen] == [*minted, "websocket", "session"]
    assert demo.server.sessions[-1].websocket


async def test_a_refused_upgrade_is_the_failed_step_of_the_check(demo: RunningDemoServer) -> None:
    demo.server.faults.socket_upgrade_status = 403
    seen: list[CheckStep] = []
    result = await run_check(demo.config(ProviderKind.AZURE, transport="websocket"), seen.append)
    assert not result.ok and result.error == NOT_AN_UPGRADE.format(status=403)
    assert [(step.name, step.ok) for step in seen] == [("mint", True), ("websocket", False)]


async def test_a_redirect_at_the_upgrade_is_refused_and_never_followed(demo: RunningDemoServer) -> None:
    """The key would travel to wherever a redirect points: one sentence, and the target never asked."""
    from aiohttp import web

    followed: list[str] = []

    async def elsewhere(request: web.Request) -> web.Response:
        followed.append(request.path)
        return web.Response(status=404)

    async def redirect(_request: web.Request) -> web.Response:
        raise web.HTTPFound("/elsewhere")

    app = web.Application()
    app.add_routes([web.get("/openai/realtime", redirect), web.get("/elsewhere", elsewhere)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        endpoint = f"http://127.0.0.1:{runner.addresses[0][1]}"
        config = demo.config(ProviderKind.AZURE_PREVIEW, transport="websocket", endpoint=endpoint)
        result = await run_check(config)
    finally:
        await runner.cleanup()
    assert not result.ok and "redirect" in result.error and API_KEY not in result.error
    assert followed == []
