"""Mint and SDP endpoints: paths, auth rules and error bodies of the three providers."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection

from desktop.demo.endpoints import ServedProvider
from desktop.demo.server import DemoServer
from tests.demo.client import API_KEY, ephemeral_key, mint_request, sdp_url

PROVIDERS = list(ServedProvider)


async def mint(
    server: DemoServer, provider: ServedProvider, url_suffix: str = "", **overrides: Any
) -> tuple[int, Any]:
    request = mint_request(provider, **overrides)
    async with aiohttp.ClientSession() as http:
        response = await http.post(server.urls()[provider]["mint"] + url_suffix, **request)
        return response.status, await response.json()


async def offer() -> tuple[RTCPeerConnection, str]:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("audio", direction="sendrecv")
    pc.createDataChannel("oai-events")
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


async def post_offer(
    server: DemoServer,
    provider: ServedProvider,
    key: str,
    sdp: str,
    content_type: str = "application/sdp",
    url: str | None = None,
) -> aiohttp.ClientResponse:
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            url or sdp_url(server, provider),
            data=sdp.encode(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": content_type},
        )
        await response.read()
        return response


def assert_error(body: Any) -> None:
    assert set(body["error"]) == {"message", "type", "code", "param"}
    assert body["error"]["message"]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_mint_with_good_key(server: DemoServer, provider: ServedProvider) -> None:
    status, body = await mint(server, provider)
    assert status == 200
    key = ephemeral_key(provider, body)
    assert key in server.keys.keys
    if provider is ServedProvider.AZURE_PREVIEW:
        assert body["client_secret"]["expires_at"] > 0 and body["id"] and body["model"] == "gpt-realtime"
    else:
        assert body["expires_at"] > 0 and body["session"]["type"] == "realtime"
    if provider is ServedProvider.OPENAI:
        assert key.startswith("ek_")


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_mint_with_wrong_key_is_401_and_masks_it(server: DemoServer, provider: ServedProvider) -> None:
    status, body = await mint(server, provider, key="sk-wrong-secret-1234567890")
    assert status == 401
    assert_error(body)
    assert "wrong-secret" not in body["error"]["message"]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_mint_for_unknown_deployment_is_404(server: DemoServer, provider: ServedProvider) -> None:
    status, body = await mint(server, provider, model="no-such-deployment")
    assert status == 404
    assert_error(body)
    if provider is not ServedProvider.OPENAI:
        assert body["error"]["code"] == "DeploymentNotFound"


async def test_ga_path_with_api_version_is_401(server: DemoServer) -> None:
    status, body = await mint(server, ServedProvider.AZURE, "?api-version=2025-04-01-preview")
    assert status == 401
    assert_error(body)


async def test_preview_mint_needs_api_version(server: DemoServer) -> None:
    request = mint_request(ServedProvider.AZURE_PREVIEW)
    async with aiohttp.ClientSession() as http:
        response = await http.post(server.base_url + "/openai/realtimeapi/sessions", **request)
        assert response.status == 404
        assert_error(await response.json())


async def test_mint_body_settings_are_validated(server: DemoServer) -> None:
    request = mint_request(ServedProvider.OPENAI)
    request["json"]["session"]["audio"] = {"output": {"voice": "nobody"}}
    async with aiohttp.ClientSession() as http:
        response = await http.post(server.urls()[ServedProvider.OPENAI]["mint"], **request)
        body = await response.json()
    assert response.status == 400 and body["error"]["param"] == "session.audio.output.voice"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_sdp_exchange(server: DemoServer, provider: ServedProvider) -> None:
    _, body = await mint(server, provider)
    pc, sdp = await offer()
    try:
        response = await post_offer(server, provider, ephemeral_key(provider, body), sdp)
        assert response.content_type == "application/sdp"
        if provider is ServedProvider.AZURE_PREVIEW:
            assert response.status == 200
        else:
            assert response.status == 201
            assert response.headers["Location"].endswith(server.sessions[0].id)
        expected = "preview" if provider is ServedProvider.AZURE_PREVIEW else "ga"
        assert server.sessions[0].dialect.value == expected
    finally:
        await pc.close()


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_sdp_with_unknown_key_is_401(server: DemoServer, provider: ServedProvider) -> None:
    pc, sdp = await offer()
    response = await post_offer(server, provider, "eph_not-minted-here", sdp)
    await pc.close()
    assert response.status == 401
    assert not server.sessions


async def test_sdp_with_expired_key_is_401(server: DemoServer) -> None:
    server.faults.key_lifetime_seconds = 0.05
    _, body = await mint(server, ServedProvider.OPENAI)
    await asyncio.sleep(0.1)
    pc, sdp = await offer()
    response = await post_offer(server, ServedProvider.OPENAI, body["value"], sdp)
    await pc.close()
    assert response.status == 401


async def test_sdp_with_api_version_on_ga_is_401(server: DemoServer) -> None:
    _, body = await mint(server, ServedProvider.AZURE)
    pc, sdp = await offer()
    url = server.urls()[ServedProvider.AZURE]["sdp"] + "?api-version=2025-04-01-preview"
    response = await post_offer(server, ServedProvider.AZURE, body["value"], sdp, url=url)
    await pc.close()
    assert response.status == 401


@pytest.mark.parametrize("sdp", ["", "hello", "v=0\r\nthis is not a session description\r\n"])
async def test_bad_offer_is_400_invalid_offer(server: DemoServer, sdp: str) -> None:
    _, body = await mint(server, ServedProvider.OPENAI)
    response = await post_offer(server, ServedProvider.OPENAI, body["value"], sdp)
    assert response.status == 400
    assert not server.sessions


async def test_offer_needs_sdp_content_type(server: DemoServer) -> None:
    _, body = await mint(server, ServedProvider.OPENAI)
    pc, sdp = await offer()
    response = await post_offer(server, ServedProvider.OPENAI, body["value"], sdp, content_type="text/plain")
    await pc.close()
    assert response.status == 400


async def test_offer_is_taken_byte_for_byte(server: DemoServer) -> None:
    _, body = await mint(server, ServedProvider.OPENAI)
    pc, sdp = await offer()
    assert sdp.endswith("\r\n")
    response = await post_offer(server, ServedProvider.OPENAI, body["value"], sdp)
    await pc.close()
    assert response.status == 201


@pytest.mark.parametrize("status", [429, 500])
async def test_forced_mint_status(server: DemoServer, status: int) -> None:
    server.faults.mint_status = status
    code, body = await mint(server, ServedProvider.AZURE)
    assert code == status
    assert_error(body)


async def test_forced_429_as_exhausted_quota(server: DemoServer) -> None:
    server.faults.mint_status, server.faults.quota_exhausted = 429, True
    code, body = await mint(server, ServedProvider.OPENAI)
    assert code == 429 and body["error"]["code"] == body["error"]["type"] == "insufficient_quota"
    assert_error(body)


async def test_expired_keys_are_forgotten(server: DemoServer) -> None:
    server.faults.key_lifetime_seconds = 0.05
    await mint(server, ServedProvider.OPENAI)
    await asyncio.sleep(0.1)
    server.faults.key_lifetime_seconds = None
    _, second = await mint(server, ServedProvider.OPENAI)
    assert list(server.keys.keys) == [second["value"]]


async def test_mint_failures_then_success(server: DemoServer) -> None:
    server.faults.mint_failures = 2
    statuses = [(await mint(server, ServedProvider.OPENAI))[0] for _ in range(3)]
    assert statuses == [503, 503, 200]


async def test_forced_sdp_status(server: DemoServer) -> None:
    server.faults.sdp_status = 429
    _, body = await mint(server, ServedProvider.OPENAI)
    pc, sdp = await offer()
    response = await post_offer(server, ServedProvider.OPENAI, body["value"], sdp)
    await pc.close()
    assert response.status == 429 and response.headers["Retry-After"]


async def test_mint_and_sdp_delays(server: DemoServer) -> None:
    server.faults.mint_delay = server.faults.sdp_delay = 0.2
    loop = asyncio.get_running_loop()
    started = loop.time()
    _, body = await mint(server, ServedProvider.OPENAI)
    pc, sdp = await offer()
    await post_offer(server, ServedProvider.OPENAI, body["value"], sdp)
    await pc.close()
    assert loop.time() - started >= 0.4


async def test_wrong_key_spelled_for_another_provider(server: DemoServer) -> None:
    """Azure wants `api-key`; a Bearer header with the right key is still refused."""
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            server.urls()[ServedProvider.AZURE]["mint"],
            headers={"Authorization": f"Bearer {API_KEY}"},
            json={"session": {"type": "realtime", "model": "gpt-realtime"}},
        )
        assert response.status == 401


def test_command_line_prints_every_provider_url() -> None:
    command = [sys.executable, "-m", "desktop.demo", "--port", "0", "--key", "k", "--deployment", "dep"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(7)]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)
    text = "".join(lines)
    assert "http://127.0.0.1:" in lines[0] and "'dep'" in lines[0]
    for route in (
        "/openai/realtimeapi/sessions?api-version=",
        "/v1/realtimertc",
        "/openai/v1/realtime/calls",
        "/v1/realtime/client_secrets",
    ):
        assert route in text
    assert process.returncode == 0


async def test_unknown_path_and_method_answer_json(server: DemoServer) -> None:
    async with aiohttp.ClientSession() as http:
        missing = await http.post(server.base_url + "/openai/deployments/x/chat/completions", json={})
        assert missing.status == 404
        assert_error(await missing.json())
        wrong_method = await http.get(server.urls()[ServedProvider.OPENAI]["mint"])
        assert wrong_method.status == 405
        assert_error(await wrong_method.json())
