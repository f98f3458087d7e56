"""The realtime WebSocket endpoint: each provider's path and auth, refusals before the upgrade, the
session in each dialect, the WebSocket faults, and the hooks."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from desktop.demo.endpoints import ServedProvider
from desktop.demo.server import DemoServer
from tests.demo.client import DEPLOYMENT, session_update, until
from tests.demo.conftest import ConnectSocket
from tests.demo.socket_client import SocketClient, mint, socket_headers

UPGRADE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}


async def refusal(url: str, headers: dict[str, str]) -> tuple[int, Any]:
    """The status and JSON body of an upgrade the server refuses."""
    async with aiohttp.ClientSession() as http, http.get(url, headers=UPGRADE | headers) as answer:
        return answer.status, await answer.json(content_type=None)


@pytest.mark.parametrize("provider", list(ServedProvider))
async def test_session_update_on_each_endpoint(
    connect_socket: ConnectSocket, server: DemoServer, provider: ServedProvider
) -> None:
    client = await connect_socket(provider)
    created = client.of("session.created")[0]["session"]
    assert created["model"] == DEPLOYMENT
    assert ("audio" in created) is (provider is not ServedProvider.AZURE_PREVIEW)  # GA nests audio settings
    client.send(session_update(provider, instructions="Speak like a pirate."))
    updated = (await client.wait_for("session.updated"))["session"]
    assert updated["instructions"] == "Speak like a pirate." and updated["id"] == created["id"]
    call = server.sessions[0]
    assert call.websocket and call.connection_state == "connected"
    assert [e.event["type"] for e in server.client_events] == ["session.update"]
    path = server.urls()[provider]["websocket"].split("//", 1)[1].split("/", 1)[1].split("?")[0]
    assert server.requests[-1] == f"GET /{path}"


@pytest.mark.parametrize("provider", list(ServedProvider))
async def test_ephemeral_key_starts_from_the_minted_session(
    connect_socket: ConnectSocket, server: DemoServer, provider: ServedProvider
) -> None:
    key = await mint(server, provider, {"instructions": "From the token service."})
    client = await connect_socket(provider, key=key, ephemeral=True)
    session = client.of("session.created")[0]["session"]
    assert session["instructions"] == "From the token service."
    assert session["id"] == server.sessions[0].session_id


@pytest.mark.parametrize("provider", list(ServedProvider))
async def test_wrong_key_is_refused_before_the_upgrade(server: DemoServer, provider: ServedProvider) -> None:
    url = server.urls()[provider]["websocket"]
    status, body = await refusal(url, socket_headers(provider, "sk-wrong-key-123456"))
    assert status == 401 and body["error"]["code"] in ("invalid_api_key", "401")
    assert "sk-wrong-key-123456" not in str(body)
    status, _ = await refusal(url, {"Authorization": "Bearer ek_expired_or_never_minted"})
    assert status == 401
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await SocketClient(server, provider).connect(key="wrong")
    assert refused.value.status == 401
    assert not server.sessions


async def test_the_query_rules(server: DemoServer) -> None:
    base = server.base_url
    headers = {"api-key": "test-key"}
    status, body = await refusal(
        f"{base}/openai/v1/realtime?model={DEPLOYMENT}&api-version=2025-04-01-preview", headers
    )
    assert status == 401 and body["error"]["code"] == "invalid_api_version"
    status, _ = await refusal(f"{base}/openai/realtime?deployment={DEPLOYMENT}", headers)
    assert status == 404  # the preview path needs its api-version
    status, body = await refusal(f"{base}/openai/v1/realtime?model=no-such-deployment", headers)
    assert status == 404 and body["error"]["code"] == "DeploymentNotFound"
    status, body = await refusal(
        f"{base}/v1/realtime?model=gpt-nothing", {"Authorization": "Bearer test-key"}
    )
    assert status == 404 and body["error"]["code"] == "model_not_found"
    status, body = await refusal(f"{base}/v1/realtime", {"Authorization": "Bearer test-key"})
    assert status == 400 and body["error"]["param"] == "model"
    async with (
        aiohttp.ClientSession() as http,
        http.get(server.urls()[ServedProvider.AZURE]["websocket"], headers=headers) as plain,
    ):
        assert plain.status == 400  # no upgrade asked for
    assert not server.sessions


async def test_a_proxy_that_refuses_the_upgrade(server: DemoServer) -> None:
    server.faults.socket_upgrade_status = 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await SocketClient(server, ServedProvider.AZURE).connect()
    assert refused.value.status == 403
    assert not server.sessions


async def test_a_silent_socket(connect_socket: ConnectSocket, server: DemoServer) -> None:
    server.faults.socket_silent = True
    client = await connect_socket(ServedProvider.OPENAI, wait_for_session=False)
    client.send(session_update(ServedProvider.OPENAI))
    await until(lambda: len(server.client_events) == 1)  # heard, never answered
    await asyncio.sleep(0.2)
    assert client.events == []


async def test_close_all_calls_and_stop(connect_socket: ConnectSocket, server: DemoServer) -> None:
    clients = [await connect_socket(ServedProvider.OPENAI), await connect_socket(ServedProvider.AZURE)]
    clients[0].send({"type": "response.create"})
    await clients[0].wait_for("response.output_audio.delta")
    await server.close_all_calls()
    for client in clients:
        await asyncio.wait_for(client.closed.wait(), 10)
    assert all(call.closed and call.connection_state == "closed" for call in server.sessions)


async def test_hooks_and_recorded_events(connect_socket: ConnectSocket, server: DemoServer) -> None:
    opened: list[Any] = []
    frames: list[bytes] = []
    server.on_websocket_opened = opened.append
    server.on_audio_received = lambda call, samples: frames.append(samples)
    client = await connect_socket(ServedProvider.AZURE)
    assert opened == [server.sessions[0]]
    client.append(bytes(24000 * 2 // 10))  # 100 ms of silence at 24 kHz
    await until(lambda: len(frames) == 5)
    assert all(len(frame) in range(1800, 1921) for frame in frames)  # 20 ms at 48 kHz (the first is short)
    assert server.sessions[0].listener.position_ms == 100
    assert server.client_events[-1].event["type"] == "input_audio_buffer.append"
    client.send({"type": "output_audio_buffer.clear"})
    assert (await client.wait_for("error"))["error"]["code"] == "invalid_event"  # WebRTC only
    client.send({"type": "input_audio_buffer.append", "audio": "not base64!"})
    await until(lambda: len(client.of("error")) == 2)
    assert client.of("error")[1]["error"]["param"] == "audio"


async def test_early_response_done_sends_the_audio_as_generated(
    connect_socket: ConnectSocket, server: DemoServer
) -> None:
    server.faults.early_response_done = True
    client = await connect_socket(ServedProvider.OPENAI)
    client.send({"type": "response.create"})  # the long greeting, seconds of audio
    await client.wait_for("response.done")
    types = client.types()
    deltas = [i for i, t in enumerate(types) if t == "response.output_audio.delta"]
    assert len(deltas) > 50 and deltas[-1] < types.index("response.output_audio.done")
