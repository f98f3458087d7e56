"""Fixtures: a fresh demo server per test, connected clients (WebRTC and WebSocket), and a spoken
request from espeak-ng."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from desktop.demo.endpoints import ServedProvider
from desktop.demo.server import DemoServer
from desktop.demo.speech import decode_file
from tests.demo.client import API_KEY, DEPLOYMENT, Client
from tests.demo.socket_client import SocketClient

ConnectClient = Callable[..., Awaitable[Client]]
ConnectSocket = Callable[..., Awaitable[SocketClient]]


@pytest.fixture
async def server() -> AsyncIterator[DemoServer]:
    demo = DemoServer(api_key=API_KEY, deployment=DEPLOYMENT)
    await demo.start()
    yield demo
    await demo.stop()


@pytest.fixture
async def connect(server: DemoServer) -> AsyncIterator[ConnectClient]:
    """Connects clients (closed after the test); pass a provider, default OpenAI."""
    clients: list[Client] = []

    async def make(provider: ServedProvider = ServedProvider.OPENAI) -> Client:
        client = Client(server, provider)
        clients.append(client)
        await client.connect()
        return client

    yield make
    await asyncio.gather(*(c.close() for c in clients))


@pytest.fixture
async def connect_socket(server: DemoServer) -> AsyncIterator[ConnectSocket]:
    """Connects WebSocket clients (closed after the test); pass a provider (default OpenAI) and
    SocketClient.connect's keywords."""
    clients: list[SocketClient] = []

    async def make(provider: ServedProvider = ServedProvider.OPENAI, **keywords: Any) -> SocketClient:
        client = SocketClient(server, provider)
        clients.append(client)
        await client.connect(**keywords)
        return client

    yield make
    await asyncio.gather(*(c.close() for c in clients))


@pytest.fixture(scope="session")
def spoken_request(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """'Book a meeting tomorrow' spoken by espeak-ng, as 48 kHz mono s16."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed: no spoken request to send")
    path: Path = tmp_path_factory.mktemp("speech") / "request.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), "Book a meeting tomorrow"], check=True)
    return decode_file(path)
