"""Dozens of drops in a row: every one is survived, and nothing piles up (tasks, peer connections,
threads, memory)."""

from __future__ import annotations

import gc
import threading
import tracemalloc
import weakref

from aiortc import RTCPeerConnection

from desktop.realtime.config import ProviderKind
from desktop.session.events import ConnectionRenewed, ErrorRaised, RawEvent
from tests.session.conftest import RunningDemoServer
from tests.session.harness import assert_nothing_left
from tests.session.reconnecting import answered, arrived, renewed, start, texts

DROPS = 30
WARM_UP = 5
MEMORY_GROWTH_LIMIT = 500_000  # bytes over 25 drops (measured: ~70 kB); a call kept each drop exceeds it


def _forget_closed_calls(demo: RunningDemoServer) -> None:
    """The server keeps every call and event for tests to inspect: not the client's memory to measure."""
    server = demo.server
    server.sessions[:] = [call for call in server.sessions if not call.closed]
    live = {call.session_id for call in server.sessions}
    server.client_events[:] = [event for event in server.client_events if event.session_id in live]


def _alive(calls: weakref.WeakSet[RTCPeerConnection]) -> int:
    gc.collect()
    return len(calls)


async def test_dozens_of_drops_leave_nothing_behind(demo: RunningDemoServer) -> None:
    session, events = start(demo.config(ProviderKind.OPENAI, greet_first=False))
    await session.connect()
    ours: weakref.WeakSet[RTCPeerConnection] = weakref.WeakSet()  # every peer connection the client made
    assert session.connection is not None and session.connection.peer_connection is not None
    ours.add(session.connection.peer_connection)
    session.send_text("Remember that the project is called Falcon.")
    await answered(events, 1)
    tracemalloc.start()
    try:
        baseline = 0
        for drop in range(1, DROPS + 1):
            await demo.server.close_all_calls()
            await renewed(events, drop)
            assert session.connection is not None and session.connection.peer_connection is not None
            ours.add(session.connection.peer_connection)
            _forget_closed_calls(demo)
            events.events[:] = [e for e in events.events if not isinstance(e, RawEvent)]  # the inspector's
            if drop == WARM_UP:
                gc.collect()
                baseline = tracemalloc.get_traced_memory()[0]
                threads_after_warm_up = threading.active_count()  # the loop's executor has its workers
            if drop % 10 == 0:
                assert _alive(ours) <= 2  # the active call, and the one closing
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    assert growth < MEMORY_GROWTH_LIMIT, f"memory grew by {growth} bytes over {DROPS - WARM_UP} drops"
    remembered = "Remember that the project is called Falcon."
    await arrived(lambda: remembered in texts(demo.server, -1, "user"))
    assert len(events.of(ConnectionRenewed)) == DROPS
    assert not any(e.fatal for e in events.of(ErrorRaised))
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)
    del session
    events.events.clear()
    assert _alive(ours) == 0
    names = [t.name for t in threading.enumerate()]
    assert threading.active_count() <= threads_after_warm_up, f"threads left: {names}"
