"""Every fault switch of the demo server ends in one clear sentence within its timeout, and
leaves no task or peer connection behind."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.realtime import SessionError
from desktop.realtime.config import ProviderKind
from desktop.session import VoiceSession
from desktop.session.events import AssistantTranscript, ErrorRaised, RawEvent, SessionState, StateChanged
from desktop.session.reconnect import NO_RECONNECT
from tests.session.conftest import RunningDemoServer
from tests.session.harness import API_KEY, FAST, Collector, MeetingTools, assert_nothing_left

# Only the step a fault delays gets a short limit, so a busy machine cannot fail the other steps.
SHORT = dataclasses.replace(FAST, mint=0.5, sdp=0.5, session_updated=0.5)
QUICK_LIVENESS = dataclasses.replace(FAST, liveness=1.0)
CONNECT_FAULTS: list[tuple[dict[str, Any], str, bool]] = [
    ({"mint_status": 401}, "rejected the key", False),
    ({"mint_status": 404}, "does not know the deployment", False),
    ({"mint_status": 429}, "429", True),
    ({"mint_status": 500}, "internal error", True),
    ({"sdp_status": 400}, "refused the call setup", False),
    ({"sdp_status": 401}, "rejected the key", True),
    ({"sdp_status": 500}, "internal error", True),
    ({"mint_delay": 1.0}, "did not hand out a session key within 0.5 s", True),
    ({"sdp_delay": 1.0}, "did not answer the call setup within 0.5 s", True),
    ({"no_session_updated": True}, "did not confirm the session settings within 0.5 s", True),
]


@pytest.mark.parametrize(("faults", "sentence", "retryable"), CONNECT_FAULTS, ids=lambda v: str(v))
async def test_connect_faults(
    demo: RunningDemoServer, faults: dict[str, Any], sentence: str, retryable: bool
) -> None:
    for name, value in faults.items():
        setattr(demo.server.faults, name, value)
    config = demo.config(ProviderKind.OPENAI, timeouts=SHORT)
    session = VoiceSession(config, SyntheticMicrophone(), RecordingSpeaker(), MeetingTools())
    events = Collector(session)
    with pytest.raises(SessionError) as caught:
        await session.connect()
    assert sentence in caught.value.message
    assert caught.value.retryable is retryable
    await events.finished()
    error = events.of(ErrorRaised)[-1]
    assert error.fatal and error.message == caught.value.message and "\n" not in error.message
    assert API_KEY not in error.message and "ek_" not in error.message
    assert events.events[-1] == StateChanged(SessionState.FAILED)
    await session.hang_up()  # safe after a failure
    await assert_nothing_left(session, demo.stop)


async def test_quota_is_not_retryable(demo: RunningDemoServer) -> None:
    demo.server.faults.mint_status = 429
    session = VoiceSession(demo.config(ProviderKind.AZURE), SyntheticMicrophone(), RecordingSpeaker())
    with pytest.raises(SessionError) as caught:
        await session.connect()
    # The demo server answers 429 as exhausted quota or as a rate limit; either way one sentence.
    assert caught.value.code in ("insufficient_quota", "rate_limited")
    assert caught.value.retryable is (caught.value.code == "rate_limited")
    await assert_nothing_left(session, demo.stop)


@pytest.mark.parametrize("fault", ["close_mid_response", "drop_after_seconds", "session_expiry_seconds"])
async def test_losing_the_call_is_noticed(demo: RunningDemoServer, fault: str) -> None:
    setattr(demo.server.faults, fault, True if fault == "close_mid_response" else 1.0)
    config = demo.config(ProviderKind.DEMO, timeouts=QUICK_LIVENESS)
    session = VoiceSession(config, SyntheticMicrophone(), RecordingSpeaker(), reconnect=NO_RECONNECT)
    events = Collector(session)
    await session.connect()
    error = await events.wait_for(ErrorRaised, lambda e: e.fatal, limit=8)
    assert error.message.endswith(".") and "\n" not in error.message
    await events.finished()
    assert events.events[-1] == StateChanged(SessionState.FAILED)
    await assert_nothing_left(session, demo.stop)


async def test_malformed_events_are_survived(demo: RunningDemoServer) -> None:
    demo.server.faults.send_malformed = True
    session = VoiceSession(demo.config(ProviderKind.AZURE), SyntheticMicrophone(), RecordingSpeaker())
    events = Collector(session)
    await session.connect()
    await events.wait_for(AssistantTranscript)
    assert any(e.type == "invalid" for e in events.of(RawEvent))
    assert session.state is not SessionState.FAILED
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


@pytest.mark.parametrize("fault", ["mint_delay", "sdp_delay", "no_session_updated"])
async def test_hang_up_while_connecting_leaves_nothing(demo: RunningDemoServer, fault: str) -> None:
    setattr(demo.server.faults, fault, True if fault == "no_session_updated" else 0.5)
    session = VoiceSession(demo.config(ProviderKind.OPENAI), SyntheticMicrophone(), RecordingSpeaker())
    events = Collector(session)
    connecting = asyncio.create_task(session.connect())
    await asyncio.sleep(0.2)
    await session.hang_up()
    with pytest.raises(SessionError):
        await connecting
    await events.finished()
    assert events.events[-1] == StateChanged(SessionState.CLOSED)
    await assert_nothing_left(session, demo.stop)


async def test_audio_devices_serve_a_second_call(demo: RunningDemoServer) -> None:
    microphone, speaker = SyntheticMicrophone(), RecordingSpeaker()
    for _attempt in range(2):
        session = VoiceSession(demo.config(ProviderKind.AZURE, greet_first=False), microphone, speaker)
        await session.connect()
        await session.hang_up()
    assert speaker.tracks_attached == 2
    await assert_nothing_left(session, demo.stop)


async def test_a_silently_vanished_peer_is_noticed(demo: RunningDemoServer) -> None:
    """No close message at all (a network partition): only the liveness watch can notice."""
    config = demo.config(ProviderKind.OPENAI, timeouts=QUICK_LIVENESS, greet_first=False)
    session = VoiceSession(config, SyntheticMicrophone(), RecordingSpeaker(), reconnect=NO_RECONNECT)
    events = Collector(session)
    await session.connect()
    sctp = demo.server.sessions[-1].pc.sctp
    assert sctp is not None
    await sctp.transport.transport.stop()  # the server's ICE sockets close without a word
    error = await events.wait_for(ErrorRaised, lambda e: e.fatal, limit=5)
    assert error.code == "connection_lost" and "stopped answering" in error.message
    await events.finished()
    await assert_nothing_left(session, demo.stop)


async def test_a_refused_call_on_azure_preview_points_at_the_region(demo: RunningDemoServer) -> None:
    demo.server.faults.sdp_status = 401
    config = demo.config(ProviderKind.AZURE_PREVIEW, timeouts=SHORT)
    session = VoiceSession(config, SyntheticMicrophone(), RecordingSpeaker(), MeetingTools())
    events = Collector(session)
    with pytest.raises(SessionError) as caught:
        await session.connect()
    assert "rejected the key" in caught.value.message
    assert "regional WebRTC URL" in caught.value.message
    assert API_KEY not in caught.value.message
    await events.finished()
