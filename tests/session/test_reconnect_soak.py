"""Dozens of drops in a row: every one is survived, and nothing piles up (tasks, peer connections,
threads, memory)."""

from __future__ import annotations

import gc
import threading
import tracemalloc

from aiortc import RTCPeerConnection

from desktop.events import ConnectionRenewed, ErrorRaised
from desktop.realtime.config import ProviderKind
from tests.session.conftest import Loopback
from tests.session.harness import assert_nothing_left
from tests.session.reconnecting import arrived, renewed, start, texts

DROPS = 30
WARM_UP = 5
MEMORY_GROWTH_LIMIT = 3_000_000  # bytes over 25 drops; a leak of one call each would exceed it


def _client_peer_connections(server_pcs: set[int]) -> list[RTCPeerConnection]:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, RTCPeerConnection) and id(o) not in server_pcs]


async def test_dozens_of_drops_leave_nothing_behind(loopback: Loopback) -> None:
    threads_before = threading.active_count()
    session, events = start(loopback.config(ProviderKind.OPENAI, greet_first=False))
    await session.connect()
    session.send_text("Remember that the project is called Falcon.")
    tracemalloc.start()
    try:
        baseline = 0
        for drop in range(1, DROPS + 1):
            await loopback.server.close_all_calls()
            await renewed(events, drop)
            print("drop", drop, flush=True)
            if drop == WARM_UP:
                gc.collect()
                baseline = tracemalloc.get_traced_memory()[0]
            server_pcs = {id(call.pc) for call in loopback.server.sessions}
            assert len(_client_peer_connections(server_pcs)) <= 2  # the active call, the one closing
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    assert growth < MEMORY_GROWTH_LIMIT, f"memory grew by {growth} bytes over {DROPS - WARM_UP} drops"
    await arrived(lambda: "Remember that the project is called Falcon." in texts(loopback.server, DROPS, "user"))
    assert len(events.of(ConnectionRenewed)) == DROPS
    assert not any(e.fatal for e in events.of(ErrorRaised))
    await session.hang_up()
    await assert_nothing_left(session, loopback.stop)
    server_pcs = {id(call.pc) for call in loopback.server.sessions}
    del session
    events.events.clear()
    assert _client_peer_connections(server_pcs) == []
    assert threading.active_count() <= threads_before + 1  # aiortc's one lazily started worker, at most
