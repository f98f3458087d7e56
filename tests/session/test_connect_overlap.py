"""Connecting overlaps its steps: the devices open on worker threads and the peer connection makes its
offer while the key is minted. When one branch fails while another is under way, the failure is the
same sentence as before and the others are cancelled and closed: no stream, peer connection or task
is left. The microphone's device is a fake whose open blocks its worker thread until released."""

from __future__ import annotations

import asyncio

import pytest

from desktop.audio.microphone import Microphone
from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.realtime import Connection, SessionError
from desktop.realtime.config import ProviderKind
from desktop.session import VoiceSession
from desktop.session.events import ErrorRaised, SessionState, StateChanged
from tests.audio.conftest import wait_until
from tests.audio.test_stream_keeper_close import SlowDevice
from tests.session.conftest import RunningDemoServer
from tests.session.harness import Collector, assert_nothing_left

REJECTED = "rejected the key"


async def test_the_offer_is_made_while_the_key_is_minted(demo: RunningDemoServer) -> None:
    demo.server.faults.mint_status = 401  # the mint never succeeds: an offer seen at all overlapped it
    held = demo.server.faults.mint_held = asyncio.Event()  # it answers once the offer has been seen
    session = VoiceSession(demo.config(ProviderKind.OPENAI), SyntheticMicrophone(), RecordingSpeaker())
    events = Collector(session)
    connecting = asyncio.create_task(session.connect())
    offered = asyncio.Event()

    async def watch() -> None:
        while not connecting.done():
            connection = session.connection
            pc = connection.peer_connection if isinstance(connection, Connection) else None
            if pc is not None and pc.localDescription is not None:
                offered.set()
                return
            await asyncio.sleep(0.01)

    await watch()
    assert offered.is_set(), "no offer was made while the key was being minted"
    held.set()
    with pytest.raises(SessionError) as caught:
        await connecting
    assert REJECTED in caught.value.message  # the mint's failure, as when it came first
    await events.finished()
    assert events.events[-1] == StateChanged(SessionState.FAILED)
    await assert_nothing_left(session, demo.stop)  # the offer's peer connection was closed


@pytest.mark.parametrize("where", ["mint_status", "sdp_status"])
async def test_a_rejected_key_while_the_microphone_opens_leaves_nothing(
    demo: RunningDemoServer, where: str
) -> None:
    setattr(demo.server.faults, where, 401)
    device = SlowDevice()
    microphone = Microphone()
    microphone._keeper._open_stream = device.open  # the fake device
    session = VoiceSession(demo.config(ProviderKind.OPENAI), microphone, RecordingSpeaker())
    events = Collector(session)
    connecting = asyncio.create_task(session.connect())
    await wait_until(device.entered.is_set)
    error = await events.wait_for(ErrorRaised)  # the call failed while the device still opens
    assert REJECTED in error.message and error.fatal
    device.release()
    with pytest.raises(SessionError) as caught:
        await connecting
    assert caught.value.message == error.message
    await events.finished()
    assert events.events[-1] == StateChanged(SessionState.FAILED)
    [stream] = device.streams
    assert stream.started and stream.closes == 1  # the late stream was closed, once
    await assert_nothing_left(session, demo.stop)
