"""Fault switches that act on a running call, and closing everything."""

from __future__ import annotations

import asyncio

import pytest

from desktop.demo.endpoints import ServedProvider
from desktop.demo.server import DemoServer
from desktop.demo.thread import DemoServerThread
from tests.demo.client import WAIT_S, Client, session_update, until
from tests.demo.conftest import ConnectClient, ConnectSocket
from tests.demo.socket_client import SocketClient

ConnectEither = ConnectClient | ConnectSocket


@pytest.fixture(params=["webrtc", "websocket"])
def connect_over(
    request: pytest.FixtureRequest, connect: ConnectClient, connect_socket: ConnectSocket
) -> ConnectEither:
    """Connects over each transport in turn: the faults that end a call act on both."""
    return connect if request.param == "webrtc" else connect_socket


async def closed(client: Client | SocketClient) -> None:
    if isinstance(client, SocketClient):
        await asyncio.wait_for(client.closed.wait(), WAIT_S)
        return
    await until(
        lambda: client.pc.connectionState in ("closed", "failed") or client.channel.readyState == "closed"
    )


async def test_no_session_updated(connect: ConnectClient, server: DemoServer) -> None:
    server.faults.no_session_updated = True
    client = await connect(ServedProvider.OPENAI)
    client.send(session_update(ServedProvider.OPENAI))
    client.send({"type": "response.cancel"})  # answered, so the update was read and ignored
    await client.wait_for("error")
    assert not client.of("session.updated")


async def test_send_malformed(connect: ConnectClient, server: DemoServer) -> None:
    server.faults.send_malformed = True
    client = await connect(ServedProvider.AZURE)
    await until(lambda: len(client.raw_messages) >= 3)
    assert client.raw_messages[1] == "{this is not json"
    assert client.events[1]["type"] not in ("session.created", "session.updated", "error")
    client.send(session_update(ServedProvider.AZURE))
    await client.wait_for("session.updated")


async def test_close_mid_response(connect_over: ConnectEither, server: DemoServer) -> None:
    server.faults.close_mid_response = True
    client = await connect_over(ServedProvider.OPENAI)
    client.send({"type": "response.create"})
    await client.wait_for("response.output_audio_transcript.delta")
    await closed(client)
    await until(lambda: server.sessions[0].closed and server.sessions[0].connection_state == "closed")
    assert not client.of("response.done")


async def test_session_expiry(connect_over: ConnectEither, server: DemoServer) -> None:
    server.faults.session_expiry_seconds = 0.3
    client = await connect_over(ServedProvider.AZURE_PREVIEW)
    error = (await client.wait_for("error"))["error"]
    assert error["code"] == "session_expired"
    await closed(client)
    assert server.sessions[0].closed


async def test_drop_after_seconds(connect: ConnectClient, server: DemoServer) -> None:
    server.faults.drop_after_seconds = 0.3
    client = await connect(ServedProvider.OPENAI)
    await closed(client)
    assert not client.of("error")


async def test_close_all_calls(connect: ConnectClient, server: DemoServer) -> None:
    clients = [await connect(ServedProvider.OPENAI), await connect(ServedProvider.AZURE_PREVIEW)]
    await server.close_all_calls()
    for client in clients:
        await closed(client)
    assert all(call.closed for call in server.sessions)


@pytest.mark.parametrize("client_class", [Client, SocketClient])
async def test_stop_leaves_no_tasks_or_peers(client_class: type[Client | SocketClient]) -> None:
    server = DemoServer(api_key="test-key")
    await server.start()
    client = client_class(server, ServedProvider.OPENAI)
    await client.connect()
    client.send({"type": "response.create"})
    await client.wait_for("response.output_audio_transcript.delta")  # speaking
    await server.stop()
    await closed(client)
    await client.close()
    assert all(call.connection_state == "closed" and call.closed for call in server.sessions)
    await asyncio.sleep(0)  # let finished tasks leave the loop's set
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert not others, others


def test_thread_starts_and_stops() -> None:
    runner = DemoServerThread()
    base = runner.start()
    assert base.startswith("http://127.0.0.1:") and runner.server.base_url == base
    runner.stop()
    runner.stop()  # idempotent


async def test_response_failed(connect: ConnectClient, server: DemoServer) -> None:
    server.faults.response_failed = True
    client = await connect(ServedProvider.OPENAI)
    client.send({"type": "response.create"})
    done = (await client.wait_for("response.done"))["response"]
    assert done["status"] == "failed" and done["status_details"]["error"]["message"]
    assert server.sessions[0].response is None


async def test_transcription_failed(connect: ConnectClient, server: DemoServer) -> None:
    server.faults.transcription_failed = True
    client = await connect(ServedProvider.AZURE_PREVIEW)
    client.send(session_update(ServedProvider.AZURE_PREVIEW, turn_detection=None, transcription=True))
    await until(lambda: server.sessions[0].listener.buffered_ms >= 100)
    client.send({"type": "input_audio_buffer.commit"})
    failed = await client.wait_for("conversation.item.input_audio_transcription.failed")
    assert failed["item_id"] == client.of("conversation.item.created")[0]["item"]["id"]
    assert not client.of("conversation.item.input_audio_transcription.completed")


async def test_thread_serves_a_call() -> None:
    runner = DemoServerThread(DemoServer(api_key="test-key"))
    runner.start()
    client = Client(runner.server, ServedProvider.AZURE)
    try:
        await client.connect()
        client.send(session_update(ServedProvider.AZURE, text_only=True))
        client.send({"type": "response.create"})
        done = await client.wait_for("response.done")
        assert done["response"]["status"] == "completed"
    finally:
        await client.close()
        runner.stop()


async def test_thread_start_on_a_taken_port_fails_cleanly(server: DemoServer) -> None:
    taken = int(server.base_url.rsplit(":", 1)[1])
    runner = DemoServerThread(port=taken)
    with pytest.raises(OSError):
        await asyncio.get_running_loop().run_in_executor(None, runner.start)
    assert not runner._thread.is_alive()
