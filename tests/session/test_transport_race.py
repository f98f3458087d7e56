"""The first "auto" call on a network that blocks UDP does not wait for WebRTC's whole ICE timeout: the
WebSocket starts after a head start counted from the SDP answer, or at once when ICE fails, and the
loser is closed before the call goes on (desktop/realtime/transport_race.py). The decision is followed
by events, not seconds: WebRTC's timeouts are a minute (never reached), and the head start is a gate
the test opens."""

from __future__ import annotations

import asyncio
import dataclasses

from aiortc.mediastreams import AudioStreamTrack

from desktop.realtime import ProviderKind, provider_for
from desktop.realtime.auto_connection import AutoConnection
from desktop.realtime.connection import Connection
from desktop.realtime.transport_race import TransportRace
from tests.demo.partition import TransportFaults
from tests.session.conftest import RunningDemoServer
from tests.session.harness import FAST

NEVER = dataclasses.replace(FAST, ice=60.0, data_channel=60.0)  # the race must decide long before
GUARD = 30.0  # only so that a broken race fails the test instead of hanging it


class HeadStart:
    """The head start as a gate: `begun` when WebRTC's SDP was answered, over when the test says."""

    def __init__(self) -> None:
        self.begun = asyncio.Event()
        self.over = asyncio.Event()
        self.waits = 0

    async def __call__(self) -> None:
        self.waits += 1
        self.begun.set()
        await self.over.wait()


def _auto(demo: RunningDemoServer, head_start: HeadStart, chosen: list[str]) -> AutoConnection:
    config = demo.config(ProviderKind.OPENAI, transport="auto", timeouts=NEVER)
    return AutoConnection(
        config, provider_for(config), AudioStreamTrack(),
        on_message=lambda _text: None, on_track=lambda _track: None, on_lost=lambda _error: None,
        on_chosen=chosen.append, head_start=head_start,
    )  # fmt: skip


async def test_the_websocket_wins_after_the_head_start_and_webrtc_is_closed(demo: RunningDemoServer) -> None:
    demo.server.on_call_answered = TransportFaults(ice_stall=True)  # SDP answered, then no UDP at all
    head_start, chosen, steps = HeadStart(), list[str](), list[str]()
    connection = _auto(demo, head_start, chosen)
    webrtc = connection._current
    assert isinstance(webrtc, Connection)
    opening = asyncio.ensure_future(connection.open(steps.append))
    async with asyncio.timeout(GUARD):
        await head_start.begun.wait()
    assert steps == ["mint", "sdp"]  # the head start counts from the SDP answer
    assert [call.websocket for call in demo.server.sessions] == [False]  # no WebSocket yet
    head_start.over.set()
    async with asyncio.timeout(GUARD):
        await opening
    assert connection.transport == "websocket" and chosen == ["websocket"]
    assert "ice" not in steps and steps[-1] == "websocket"
    assert webrtc.peer_connection is not None and webrtc.peer_connection.connectionState == "closed"
    assert [call.websocket for call in demo.server.sessions] == [False, True]  # one call each, no more
    assert connection.is_open
    await connection.close()


async def test_ice_that_fails_falls_back_at_once(demo: RunningDemoServer) -> None:
    demo.server.on_call_answered = TransportFaults(ice_refused=True)  # every check answered 403
    head_start, chosen, steps = HeadStart(), list[str](), list[str]()
    connection = _auto(demo, head_start, chosen)
    async with asyncio.timeout(GUARD):
        await connection.open(steps.append)
    assert not head_start.over.is_set()  # the head start never ran out: ICE's failure decided
    assert connection.transport == "websocket" and chosen == ["websocket"]
    assert steps[:2] == ["mint", "sdp"] and steps[-1] == "websocket"
    await connection.close()


async def test_webrtc_that_connects_in_its_head_start_is_the_call(demo: RunningDemoServer) -> None:
    head_start, chosen, steps = HeadStart(), list[str](), list[str]()
    connection = _auto(demo, head_start, chosen)
    async with asyncio.timeout(GUARD):
        await connection.open(steps.append)
    assert connection.transport == "webrtc" and chosen == ["webrtc"]
    assert steps == ["mint", "sdp", "ice", "data_channel"]
    assert [call.websocket for call in demo.server.sessions] == [False]  # the WebSocket never tried
    await connection.close()


async def test_a_hang_up_during_the_race_closes_both(demo: RunningDemoServer) -> None:
    demo.server.on_call_answered = TransportFaults(ice_stall=True)
    head_start, chosen = HeadStart(), list[str]()
    connection = _auto(demo, head_start, chosen)
    webrtc = connection._current
    opening = asyncio.ensure_future(connection.open())
    async with asyncio.timeout(GUARD):
        await head_start.begun.wait()
    await connection.close()
    async with asyncio.timeout(GUARD):
        failure = (await asyncio.gather(opening, return_exceptions=True))[0]
    assert getattr(failure, "code", "") == "closed" and chosen == []
    assert isinstance(webrtc, Connection) and webrtc.peer_connection is not None
    assert webrtc.peer_connection.connectionState == "closed"
    assert [call.websocket for call in demo.server.sessions] == [False]  # no WebSocket after the hang-up


class _Stuck:
    """An attempt that never opens, and whose close may fail: only to see that each loser is closed."""

    def __init__(self, close_fails: bool = False) -> None:
        self.started = asyncio.Event()
        self.closed = False
        self._close_fails = close_fails

    async def open(self, on_step: object = None) -> None:
        if callable(on_step):
            on_step("sdp")
        self.started.set()
        await asyncio.Event().wait()

    async def close(self) -> None:
        self.closed = True
        if self._close_fails:
            raise OSError("closing failed")


async def test_a_loser_whose_close_fails_does_not_leave_the_other_open() -> None:
    webrtc, websocket = _Stuck(close_fails=True), _Stuck()

    async def at_once() -> None:
        return None

    race = TransportRace(webrtc, lambda: websocket, at_once)
    running = asyncio.ensure_future(race.run(lambda _name: None))
    async with asyncio.timeout(GUARD):
        await websocket.started.wait()
    running.cancel()  # a hang-up: both are losers
    async with asyncio.timeout(GUARD):
        await asyncio.gather(running, return_exceptions=True)
    assert webrtc.closed and websocket.closed
