"""What the service says back reaches the person and the inspector with every key masked, and an
event the parser cannot take apart leaves the call standing."""

from __future__ import annotations

import dataclasses

from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.realtime.config import ProviderKind
from desktop.session.events import ErrorRaised, RawEvent
from desktop.session.voice_session import VoiceSession
from tests.session.conftest import RunningDemoServer
from tests.session.harness import API_KEY, Collector, assert_nothing_left


async def test_the_services_words_are_masked_and_odd_events_survived(demo: RunningDemoServer) -> None:
    session = VoiceSession(
        demo.config(ProviderKind.AZURE, greet_first=False), SyntheticMicrophone(), RecordingSpeaker()
    )
    events = Collector(session)
    await session.connect()
    ephemeral = next(iter(demo.server.keys.keys))
    call = demo.server.sessions[-1]
    call._send_raw('{"type": "error", "error": ' + "[" * 50_000 + "}")  # deeper than json.loads goes
    call.send_error("invalid_value", f"Bad token {ephemeral} for key {API_KEY}.")
    error = await events.wait_for(ErrorRaised, lambda e: e.code == "invalid_value")
    assert ephemeral not in error.message and API_KEY not in error.message
    assert "***" in error.message and not error.fatal
    shown = repr([dataclasses.asdict(e) for e in events.of(RawEvent)])
    assert ephemeral not in shown and API_KEY not in shown
    assert session.connection is not None and session.connection.is_open
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)
