"""The "auto" race hands the call's microphone branch to both transports, and the loser is closed while
the winner goes on: the winner's microphone must still be live, and the service must still hear it
(desktop/realtime/track_relay.py). Both directions, against the demo server; followed by events."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging

import pytest
from aiortc.mediastreams import AudioStreamTrack

from desktop.audio.track_fanout import TrackFanout
from desktop.demo.call import ServerCall
from desktop.realtime import ProviderKind, provider_for
from desktop.realtime.auto_connection import AutoConnection
from desktop.realtime.websocket_connection import WebSocketConnection
from tests.demo.partition import TransportFaults
from tests.session.conftest import RunningDemoServer
from tests.session.harness import FAST

GUARD = 30.0  # only so that a broken race fails the test instead of hanging it
FRAMES_HEARD = 25  # half a second of 20 ms frames heard after the loser closed


async def _never() -> None:
    await asyncio.Event().wait()


async def _at_once() -> None:
    return None


async def _hears_more(demo: RunningDemoServer) -> None:
    """FRAMES_HEARD more frames of the microphone reach the server's latest call."""
    call = demo.server.sessions[-1]
    enough = asyncio.Event()
    goal = call.audio_frames_received + FRAMES_HEARD

    def heard(heard_by: ServerCall, _samples: bytes) -> None:
        if heard_by is call and call.audio_frames_received >= goal:
            enough.set()

    demo.server.on_audio_received = heard
    async with asyncio.timeout(GUARD):
        await enough.wait()


async def _race(
    demo: RunningDemoServer, timeouts: object, head_start: object
) -> tuple[AutoConnection, TrackFanout]:
    config = demo.config(ProviderKind.OPENAI, transport="auto", timeouts=timeouts)
    fanout = TrackFanout(AudioStreamTrack())
    connection = AutoConnection(
        config, provider_for(config), fanout.branch(),
        on_message=lambda _text: None, on_track=lambda _track: None, on_lost=lambda _error: None,
        head_start=head_start,  # type: ignore[arg-type]
    )  # fmt: skip
    async with asyncio.timeout(GUARD):
        await connection.open()
    return connection, fanout


async def test_webrtc_wins_after_the_websocket_failed_with_its_microphone_live(
    demo: RunningDemoServer, caplog: pytest.LogCaptureFixture
) -> None:
    demo.server.faults.socket_upgrade_status = (
        403  # the WebSocket is tried at once after the SDP answer, and refused
    )
    caplog.set_level(logging.INFO, "desktop.realtime.transport_race")
    timeouts = dataclasses.replace(FAST, ice=60.0, data_channel=60.0)
    connection, fanout = await _race(demo, timeouts, _at_once)
    try:
        assert "Trying the WebSocket" in caplog.text  # the loser was there, and has been closed
        assert connection.transport == "webrtc"
        assert connection._microphone.readyState == "live"
        await _hears_more(demo)
    finally:
        await connection.close()
        await fanout.close()
    assert connection._microphone.readyState == "ended"  # the branch ends with the call


async def test_webrtc_wins_after_the_websocket_was_withdrawn_with_its_microphone_live(
    demo: RunningDemoServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The WebSocket's attempt is still under way (its service accepts and never answers) when WebRTC's
    media comes up: it is withdrawn, and closed."""

    async def never_answers(_reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.Event().wait()

    silent = await asyncio.start_server(never_answers, "127.0.0.1", 0)
    caplog.set_level(logging.INFO, "desktop.realtime.transport_race")
    timeouts = dataclasses.replace(FAST, ice=60.0, data_channel=60.0, mint=60.0)
    config = demo.config(ProviderKind.OPENAI, transport="auto", timeouts=timeouts)
    fanout = TrackFanout(AudioStreamTrack())
    connection = AutoConnection(
        config, provider_for(config), fanout.branch(),
        on_message=lambda _text: None, on_track=lambda _track: None, on_lost=lambda _error: None,
        head_start=_at_once,
    )  # fmt: skip
    port = silent.sockets[0].getsockname()[1]
    connection._socket_config = dataclasses.replace(
        connection._socket_config, endpoint=f"http://127.0.0.1:{port}"
    )
    connection._provider = provider_for(connection._socket_config)
    try:
        async with asyncio.timeout(GUARD):
            await connection.open()
        assert connection.transport == "webrtc"
        assert "Trying the WebSocket" in caplog.text  # before WebRTC's media came up: so it was withdrawn
        assert "the WebSocket attempt is withdrawn" in caplog.text
        assert connection._microphone.readyState == "live"
        await _hears_more(demo)
    finally:
        await connection.close()
        await fanout.close()
        silent.close()


async def test_the_websocket_wins_after_webrtc_media_came_up_with_its_microphone_live(
    demo: RunningDemoServer,
) -> None:
    demo.server.on_call_answered = TransportFaults(no_data_channel=True)  # media up, then no data channel
    timeouts = dataclasses.replace(FAST, ice=60.0, data_channel=1.0)
    connection, fanout = await _race(demo, timeouts, _never)
    try:
        assert connection.transport == "websocket"
        assert [call.websocket for call in demo.server.sessions] == [False, True]
        assert connection._microphone.readyState == "live"
        await _hears_more(demo)
    finally:
        await connection.close()
        await fanout.close()


async def test_a_held_websocket_reads_and_sends_nothing_until_started(demo: RunningDemoServer) -> None:
    """The race's WebSocket candidate: a loser that opened in the same round as WebRTC took no
    microphone frame and handed no session.created to the call (transport_race.py)."""
    config = demo.config(ProviderKind.OPENAI, transport="websocket")
    fanout = TrackFanout(AudioStreamTrack())
    branch = fanout.branch()
    received: list[str] = []
    first_event = asyncio.Event()

    def on_message(text: str) -> None:
        received.append(text)
        first_event.set()

    connection = WebSocketConnection(
        config, provider_for(config), branch, on_message=on_message,
        on_track=lambda _track: None, on_lost=lambda _error: None, held=True,
    )  # fmt: skip
    try:
        async with asyncio.timeout(GUARD):
            await connection.open()
            assert connection._tasks == [] and received == []
            assert demo.server.sessions[-1].audio_frames_received == 0
            connection.start()
            await first_event.wait()
        assert '"session.created"' in received[0]
        await _hears_more(demo)
    finally:
        await connection.close()
        await fanout.close()
