"""Choosing the transport: "auto" falls back to the WebSocket for a call whose WebRTC media never comes
up (a demo server that answers the SDP and then lets nothing through), the greeting is heard over it,
and the next call on that endpoint goes straight to the WebSocket; VOICE_ASSISTANT_TRANSPORT overrides
the setting; what is remembered lasts a day; after one fallback a session's later calls start on the
WebSocket."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from aiortc.mediastreams import AudioStreamTrack

from desktop.app.session_factory import AppSessionFactory
from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.realtime import ProviderKind, SessionConfig, SessionError, provider_for
from desktop.realtime.auto_connection import AutoConnection, auto_connector
from desktop.realtime.environment import TRANSPORT
from desktop.session.events import AssistantTranscript
from desktop.session.reconnect import NO_RECONNECT
from desktop.settings import Preferences
from desktop.storage.transport_memory import RETRY_WEBRTC_AFTER, TransportMemory
from tests.demo.partition import TransportFaults
from tests.session.conftest import RunningDemoServer
from tests.session.harness import FAST, Collector, assert_nothing_left

QUICK_ICE = dataclasses.replace(FAST, ice=1.5, data_channel=1.5)


def _factory(memory: TransportMemory, environ: dict[str, str] | None = None) -> AppSessionFactory:
    devices = (SyntheticMicrophone(), RecordingSpeaker())
    return AppSessionFactory(
        audio=lambda _prefs: devices, environ=environ or {}, reconnect=NO_RECONNECT, transports=memory
    )


def _auto(demo: RunningDemoServer) -> SessionConfig:
    return demo.config(ProviderKind.OPENAI, transport="auto", timeouts=QUICK_ICE)


async def test_auto_falls_back_to_the_websocket_and_remembers_it(
    demo: RunningDemoServer, tmp_path: Path
) -> None:
    demo.server.on_call_answered = TransportFaults(ice_stall=True)  # SDP answered, then no UDP at all
    memory = TransportMemory(tmp_path / "transports.json")
    factory = _factory(memory)
    config = factory._with_transport(_auto(demo))
    assert config.transport == "auto"
    handle = factory.open_session(config, Preferences(), lambda sentence, *, recovered=False: None)
    session = handle.session
    events = Collector(session)
    assert handle.transport() == ""  # not known before a call connected
    await session.connect()
    assert isinstance(session.connection, AutoConnection) and session.connection.transport == "websocket"
    assert handle.transport() == "WebSocket"
    assert demo.server.sessions[-1].websocket
    greeting = await events.wait_for(AssistantTranscript, lambda e: e.final, limit=20)
    assert greeting.text
    await session.hang_up()
    assert factory._with_transport(_auto(demo)).transport == "websocket"  # the next call goes straight there
    assert demo.url in memory_text(tmp_path) and "sk-" not in memory_text(tmp_path)  # endpoints, never a key
    await assert_nothing_left(session, demo.stop)
    await factory.close()


def memory_text(folder: Path) -> str:
    return (folder / "transports.json").read_text(encoding="utf-8")


async def test_auto_stays_on_webrtc_where_it_works_and_forgets_the_websocket(
    demo: RunningDemoServer, tmp_path: Path
) -> None:
    now = [1_000_000.0]
    memory = TransportMemory(tmp_path / "transports.json", clock=lambda: now[0])
    factory = _factory(memory)
    memory.remember(f"openai {demo.url}", "websocket")
    assert factory._with_transport(_auto(demo)).transport == "websocket"
    now[0] += RETRY_WEBRTC_AFTER  # a day later WebRTC is tried again
    config = factory._with_transport(_auto(demo))
    assert config.transport == "auto"
    handle = factory.open_session(config, Preferences(), lambda sentence, *, recovered=False: None)
    await handle.session.connect()
    assert handle.transport() == "WebRTC" and not demo.server.sessions[-1].websocket
    await handle.session.hang_up()
    assert not memory.prefers_websocket(f"openai {demo.url}")
    now[0] -= RETRY_WEBRTC_AFTER
    assert factory._with_transport(_auto(demo)).transport == "auto"  # forgotten, not just expired
    await factory.close()


@pytest.mark.parametrize("value", ["websocket", " WebRTC ", "auto"])
def test_the_environment_overrides_the_setting(tmp_path: Path, value: str) -> None:
    factory = _factory(TransportMemory(tmp_path / "t.json"), {TRANSPORT: value})
    config = SessionConfig(provider=ProviderKind.OPENAI, transport="webrtc")
    assert factory._with_transport(config).transport == value.strip().lower()
    assert _factory(TransportMemory(tmp_path / "t.json"), {TRANSPORT: ""})._with_transport(config) == config


def test_an_unknown_transport_in_the_environment_is_one_sentence(tmp_path: Path) -> None:
    factory = _factory(TransportMemory(tmp_path / "t.json"), {TRANSPORT: "carrier-pigeon"})
    with pytest.raises(SessionError) as raised:
        factory._with_transport(SessionConfig())
    assert raised.value.message == f"{TRANSPORT} is 'carrier-pigeon'; choose one of auto, webrtc, websocket."


def test_an_unreadable_memory_is_empty(tmp_path: Path) -> None:
    (tmp_path / "t.json").write_text("not json", encoding="utf-8")
    memory = TransportMemory(tmp_path / "t.json")
    assert not memory.prefers_websocket("openai https://api.openai.com")
    memory.remember("openai https://api.openai.com", "websocket")
    assert memory.prefers_websocket("openai https://api.openai.com")


async def test_after_a_fallback_the_next_calls_start_on_the_websocket(demo: RunningDemoServer) -> None:
    demo.server.on_call_answered = TransportFaults(ice_stall=True)
    config = _auto(demo)
    chosen: list[str] = []
    connector = auto_connector(None, chosen.append)
    connections = []
    for _call in range(2):
        connection = connector(
            config, provider_for(config), AudioStreamTrack(),
            on_message=lambda _text: None, on_track=lambda _track: None, on_lost=lambda _error: None,
        )  # fmt: skip
        connections.append(connection)
        await connection.open()
        await connection.close()
    assert chosen == ["websocket", "websocket"]
    assert [demo.server.sessions[i].websocket for i in range(len(demo.server.sessions))][-2:] == [True, True]
    assert connections[1].transport == "websocket" and connections[1].peer_connection is None  # no WebRTC try


async def test_test_connection_in_settings_falls_back_as_a_call_would(
    demo: RunningDemoServer, tmp_path: Path
) -> None:
    demo.server.on_call_answered = TransportFaults(ice_stall=True)
    factory = _factory(TransportMemory(tmp_path / "transports.json"))
    lines: list[str] = []
    works, reason = await factory.check(_auto(demo), lines.append)
    assert works and reason == ""
    assert any("WebSocket open" in line for line in lines)  # the call's race: the WebSocket won
    assert not any(line.startswith("✗") for line in lines)  # no step failed on the way
    assert lines[-1].startswith("✓") and demo.server.sessions[-1].websocket
    await factory.close()
