"""A call's lifecycle: closing while events still arrive, the session limit, and the records the
server keeps (bounded, so the demo provider can run all day)."""

from __future__ import annotations

import asyncio
import json
import math
import time

import pytest

from desktop.demo import server as demo_server
from desktop.demo.dialect import ServedDialect
from desktop.demo.endpoints import ServedProvider
from desktop.demo.handlers import ReceivedEvent, handle_message
from desktop.demo.phrases import Language
from desktop.demo.server import EVENTS_KEPT, DemoServer
from desktop.demo.speech import espeak
from tests.demo.client import WAIT_S, Client
from tests.demo.conftest import ConnectClient


async def test_an_event_during_the_close_starts_nothing(connect: ConnectClient, server: DemoServer) -> None:
    await connect()
    call = server.sessions[0]
    closing = call.close_soon()  # what close_all_calls() does for each call
    await asyncio.sleep(0)  # the close has cancelled the call's tasks and awaits the peer connection
    assert not closing.done()
    handle_message(call, json.dumps({"type": "response.create"}))  # the channel is still open
    late = call.spawn(asyncio.Event().wait())  # work a callback starts meanwhile
    async with asyncio.timeout(WAIT_S):  # a hang guard: before the fix this close never returned
        await closing
    assert call.response is None and late.cancelled()


async def test_close_all_calls_right_after_a_request(connect: ConnectClient, server: DemoServer) -> None:
    client = await connect()
    client.send({"type": "response.create"})
    async with asyncio.timeout(WAIT_S):
        await server.close_all_calls()
    assert server.sessions[0].connection_state == "closed"


async def test_a_close_that_arrives_as_espeak_finishes_still_ends_the_response(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On Python 3.11, asyncio.wait_for returned espeak-ng's answer when the response was cancelled in
    the same moment; the response then waited forever for a track the closing call had stopped, and
    the close (and the demo server's stop when the app quits) waited with it."""
    responding: list[asyncio.Task[None]] = []

    class AnswersAsTheCallCloses:  # espeak-ng, whose WAV arrives together with the call's close
        returncode: int | None = None

        async def communicate(self) -> tuple[bytes, bytes]:
            responding[0].cancel()
            self.returncode = 0
            return b"RIFF", b""

        def kill(self) -> None:
            raise AssertionError("espeak-ng had finished")

    async def start(*_args: object, **_kwargs: object) -> AnswersAsTheCallCloses:
        return AnswersAsTheCallCloses()

    monkeypatch.setattr(asyncio, "create_subprocess_exec", start)

    async def respond() -> None:
        await espeak("Visitors park in garage B.", Language.EN)
        await asyncio.Event().wait()  # as the response waits for its playback to start

    responding.append(asyncio.ensure_future(respond()))
    done, _ = await asyncio.wait(responding, timeout=WAIT_S)
    if not done:
        responding[0].cancel()
    assert done and responding[0].cancelled()


async def test_expires_at_is_the_fault_session_limit(server: DemoServer) -> None:
    server.faults.session_expiry_seconds = 2.0
    client = Client(server, ServedProvider.AZURE)
    before = time.time()
    try:
        await client.connect()
        created = (await client.wait_for("session.created"))["session"]
        latest = math.ceil(time.time() + 2.0)  # expires_at is whole seconds: rounded, it may pass before + 2
        assert int(before) <= created["expires_at"] <= latest
        assert int(before) <= client.minted["session"]["expires_at"] <= latest
        error = (await client.wait_for("error"))["error"]
        assert error["code"] == "session_expired"
    finally:
        await client.close()


async def test_expires_at_defaults_to_the_service_limit(connect: ConnectClient) -> None:
    client = await connect(ServedProvider.OPENAI)
    created = (await client.wait_for("session.created"))["session"]
    assert created["expires_at"] >= time.time() + 59 * 60


async def test_an_unannounced_expiry(connect: ConnectClient, server: DemoServer) -> None:
    server.faults.session_expiry_seconds, server.faults.unannounced_expiry = 0.5, True
    client = await connect(ServedProvider.AZURE_PREVIEW)
    created = (await client.wait_for("session.created"))["session"]
    assert created["expires_at"] >= time.time() + 29 * 60  # the service's own limit
    assert (await client.wait_for("error"))["error"]["code"] == "session_expired"


async def test_a_closed_call_keeps_a_light_record(connect: ConnectClient, server: DemoServer) -> None:
    await connect()
    call = server.sessions[0]
    await server.close_all_calls()
    assert call.closed and call.connection_state == "closed" and call.session_id and call.session_config
    assert call.channel is None and call.track.current is None
    with pytest.raises(RuntimeError, match="released"):
        assert call.pc is None


def test_client_events_keep_only_the_newest() -> None:
    server = DemoServer()
    for n in range(EVENTS_KEPT + 10):
        server.client_events.append(ReceivedEvent("sess_1", ServedDialect.GA, {"n": n}, 0.0))
    assert len(server.client_events) == EVENTS_KEPT
    assert [server.client_events[i].event["n"] for i in (0, -1)] == [10, EVENTS_KEPT + 9]
    server.client_events[:] = [e for e in server.client_events if e.event["n"] % 2]  # still a list
    assert len(server.client_events) == EVENTS_KEPT // 2


async def test_old_closed_calls_are_forgotten(
    connect: ConnectClient, server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_server, "CLOSED_CALLS_KEPT", 2)
    first = await connect()
    for _ in range(3):
        await server.close_all_calls()
        await connect()
    assert [call.closed for call in server.sessions] == [True, True, False]
    assert first.minted["session"]["id"] not in {call.session_id for call in server.sessions}
