"""Transport faults below the protocol: ICE or DTLS that never completes, a channel that never opens,
and a call that vanishes without a close. Each is silence, so each test waits a moment and checks that
nothing moved (and that the same call works without the fault)."""

from __future__ import annotations

import asyncio

import pytest

from desktop.demo.endpoints import ServedProvider
from desktop.demo.server import DemoServer
from tests.demo.client import Client, until
from tests.demo.conftest import ConnectClient
from tests.demo.partition import TransportFaults

QUIET_S = 1.0  # long enough for a working call on loopback to connect many times over


@pytest.fixture
def faults(server: DemoServer) -> TransportFaults:
    """The server's transport faults, all off: they act on the calls answered while they are on."""
    faults = server.on_call_answered = TransportFaults()
    return faults


async def answered_client(server: DemoServer) -> Client:
    client = Client(server, ServedProvider.OPENAI)
    await client.offer_and_answer()
    return client


async def test_ice_stall_never_connects(server: DemoServer, faults: TransportFaults) -> None:
    faults.ice_stall = True
    client = await answered_client(server)
    try:
        await asyncio.sleep(QUIET_S)
        assert client.pc.iceConnectionState == "checking"
        assert client.pc.connectionState == "connecting" and client.channel.readyState == "connecting"
        assert not server.sessions[0].closed  # the server does not give up first either
    finally:
        await client.close()


async def test_dtls_stall_completes_ice_only(server: DemoServer, faults: TransportFaults) -> None:
    faults.dtls_stall = True
    client = await answered_client(server)
    try:
        await until(lambda: client.pc.iceConnectionState == "completed")
        await asyncio.sleep(QUIET_S)
        assert client.pc.connectionState == "connecting" and client.channel.readyState == "connecting"
    finally:
        await client.close()


async def test_no_data_channel_connects_media_only(server: DemoServer, faults: TransportFaults) -> None:
    faults.no_data_channel = True
    client = await answered_client(server)
    try:
        await until(lambda: client.pc.connectionState == "connected")
        await asyncio.sleep(QUIET_S)
        assert client.channel.readyState == "connecting" and not client.events
        assert server.sessions[0].channel is None
    finally:
        await client.close()


async def test_switches_act_on_new_calls_only(connect: ConnectClient, faults: TransportFaults) -> None:
    first = await connect()
    faults.ice_stall = faults.no_data_channel = True
    first.send({"type": "session.update", "session": {"type": "realtime", "instructions": "Be brief."}})
    await first.wait_for("session.updated")


async def test_vanish_stops_everything_without_a_close(
    connect: ConnectClient, server: DemoServer, faults: TransportFaults
) -> None:
    faults.vanish_after_seconds = 0.3
    client = await connect()
    await until(lambda: len(client.audio) > 5)  # RTP flowed before
    await until(lambda: server.sessions[0] in faults.vanished)
    await asyncio.sleep(QUIET_S / 2)  # what was in flight has arrived
    heard, received = len(client.audio), len(server.client_events)
    client.send({"type": "response.create"})
    await asyncio.sleep(QUIET_S)
    assert len(client.audio) == heard and len(server.client_events) == received
    assert client.pc.connectionState == "connected" and client.channel.readyState == "open"
    assert not server.sessions[0].closed and len(client.of("response.created")) == 0
