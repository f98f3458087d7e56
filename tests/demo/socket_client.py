"""A raw aiohttp WebSocket client for the demo server's realtime WebSocket endpoint.

Like client.py (the WebRTC one), deliberately independent of desktop/realtime: the server is tested
against the protocol. Audio goes up as base64 PCM16 24 kHz in `input_audio_buffer.append`, in 40 ms
chunks paced like a microphone; the audio deltas that come back are kept with their arrival times.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import aiohttp

from desktop.audio import pcm
from desktop.demo.endpoints import ServedProvider
from desktop.demo.server import DemoServer
from tests.demo.client import API_KEY, EventLog, ephemeral_key, mint_request

WIRE_RATE = 24000
CHUNK_MS = 40
CHUNK_BYTES = WIRE_RATE * CHUNK_MS // 1000 * pcm.WIDTH
AUDIO_DELTAS = ("response.output_audio.delta", "response.audio.delta")


def socket_headers(
    provider: ServedProvider, key: str = API_KEY, *, ephemeral: bool = False
) -> dict[str, str]:
    """An ephemeral key goes as a Bearer everywhere; Azure's resource key in the `api-key` header."""
    if ephemeral or provider is ServedProvider.OPENAI:
        return {"Authorization": f"Bearer {key}"}
    return {"api-key": key}


async def mint(server: DemoServer, provider: ServedProvider, settings: dict[str, Any] | None = None) -> str:
    async with aiohttp.ClientSession() as http:
        minted = await http.post(server.urls()[provider]["mint"], **mint_request(provider, settings=settings))
        assert minted.status == 200, await minted.text()
        return ephemeral_key(provider, await minted.json())


class SocketClient(EventLog):
    def __init__(self, server: DemoServer, provider: ServedProvider) -> None:
        super().__init__()
        self.server = server
        self.provider = provider
        self.audio: list[tuple[float, bytes]] = []  # (arrival, PCM16 24 kHz) of every audio delta
        self.closed = asyncio.Event()
        self._http: aiohttp.ClientSession | None = None
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._outbox: asyncio.Queue[str] = asyncio.Queue()

    async def connect(
        self, key: str = API_KEY, *, ephemeral: bool = False, wait_for_session: bool = True
    ) -> None:
        self._http = aiohttp.ClientSession()
        url = self.server.urls()[self.provider]["websocket"]
        headers = socket_headers(self.provider, key, ephemeral=ephemeral)
        self._socket = await self._http.ws_connect(url, headers=headers)
        self._tasks = [asyncio.ensure_future(self._read()), asyncio.ensure_future(self._write())]
        if wait_for_session:
            await self.wait_for("session.created")

    def send(self, event: dict[str, Any]) -> None:
        """Queued, and sent in order."""
        self._outbox.put_nowait(json.dumps(event, ensure_ascii=False))

    def append(self, wire_pcm: bytes) -> None:
        self.send({"type": "input_audio_buffer.append", "audio": base64.b64encode(wire_pcm).decode()})

    async def speak(self, audio: bytes, *, then_silence_ms: int = 800) -> None:
        """48 kHz mono s16 (as the speech helpers make it) sent like a microphone would: 40 ms chunks
        in real time, then silence so the server's VAD hears the end of the turn."""
        wire = pcm.resample(audio, pcm.RATE, WIRE_RATE) + bytes(
            then_silence_ms * WIRE_RATE // 1000 * pcm.WIDTH
        )
        start = time.monotonic()
        for index, at in enumerate(range(0, len(wire), CHUNK_BYTES)):
            await asyncio.sleep(max(0.0, start + index * CHUNK_MS / 1000 - time.monotonic()))
            self.append(wire[at : at + CHUNK_BYTES])

    def audio_ms(self) -> int:
        return sum(pcm.sample_count(chunk) for _, chunk in self.audio) * 1000 // WIRE_RATE

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.close()

    async def _read(self) -> None:
        assert self._socket is not None
        async for message in self._socket:
            if message.type is aiohttp.WSMsgType.TEXT:
                self.note(message.data)
                event = self.events[-1] if self.events else {}
                if event.get("type") in AUDIO_DELTAS:
                    self.audio.append((time.monotonic(), base64.b64decode(event["delta"])))
        self.closed.set()

    async def _write(self) -> None:
        assert self._socket is not None
        while True:
            text = await self._outbox.get()
            if self._socket.closed:
                return
            await self._socket.send_str(text)
