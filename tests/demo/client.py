"""A real aiortc client for the demo server's tests: mint, SDP, data channel, audio both ways.

Deliberately independent of desktop/realtime (the app's client): the server is tested against the
protocol, not against the other implementation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import aiohttp
import av
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from desktop.audio import pcm
from desktop.demo.endpoints import ServedProvider
from desktop.demo.server import DemoServer

DEPLOYMENT = "gpt-realtime"
API_KEY = "test-key"
WAIT_S = 10.0
FRAME_BYTES = 960 * pcm.WIDTH  # 20 ms at 48 kHz


def mint_request(
    provider: ServedProvider,
    key: str = API_KEY,
    model: str = DEPLOYMENT,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for aiohttp's post(): the headers and body each provider expects."""
    if provider is ServedProvider.AZURE_PREVIEW:
        return {"headers": {"api-key": key}, "json": {"model": model, "voice": "sage"} | (settings or {})}
    body = {"session": {"type": "realtime", "model": model} | (settings or {})}
    if provider is ServedProvider.AZURE:
        return {"headers": {"api-key": key}, "json": body}
    return {"headers": {"Authorization": f"Bearer {key}"}, "json": body}


def ephemeral_key(provider: ServedProvider, body: dict[str, Any]) -> str:
    return str(body["client_secret"]["value"] if provider is ServedProvider.AZURE_PREVIEW else body["value"])


def sdp_url(server: DemoServer, provider: ServedProvider) -> str:
    url = server.urls()[provider]["sdp"]
    return url + f"?model={DEPLOYMENT}" if provider is ServedProvider.AZURE_PREVIEW else url


def session_update(
    provider: ServedProvider,
    *,
    turn_detection: Any = "keep",
    transcription: bool = False,
    tools: list[dict[str, Any]] | None = None,
    instructions: str = "Be brief.",
    text_only: bool = False,
) -> dict[str, Any]:
    """A session.update in the provider's dialect from dialect-neutral settings."""
    if provider is ServedProvider.AZURE_PREVIEW:
        session: dict[str, Any] = {"instructions": instructions, "voice": "sage", "tools": tools or []}
        if turn_detection != "keep":
            session["turn_detection"] = turn_detection
        if transcription:
            session["input_audio_transcription"] = {"model": "whisper-1"}
        if text_only:
            session["modalities"] = ["text"]
        return {"type": "session.update", "session": session}
    audio_input: dict[str, Any] = {}
    if turn_detection != "keep":
        audio_input["turn_detection"] = turn_detection
    if transcription:
        audio_input["transcription"] = {"model": "whisper-1"}
    session = {
        "type": "realtime",
        "instructions": instructions,
        "tools": tools or [],
        "audio": {"input": audio_input, "output": {"voice": "sage"}},
    }
    if text_only:
        session["output_modalities"] = ["text"]
    return {"type": "session.update", "session": session}


POLL_S = 0.02


async def until(condition: Callable[[], bool], within: float = WAIT_S) -> None:
    """Waits for a condition on server or client state (polling: the state has no event to await)."""
    for _ in range(int(within / POLL_S)):
        if condition():
            return
        await asyncio.sleep(POLL_S)
    raise TimeoutError("the condition did not become true in time")


class FeedTrack(MediaStreamTrack):
    """The client's microphone: queued PCM (48 kHz mono int16) then silence, paced in real time."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._pending: deque[bytes] = deque()
        self._start: float | None = None
        self._count = 0

    def feed(self, audio: bytes) -> None:
        self._pending.extend(
            pcm.fit(audio[at : at + FRAME_BYTES], FRAME_BYTES) for at in range(0, len(audio), FRAME_BYTES)
        )

    @property
    def idle(self) -> bool:
        return not self._pending

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        self._start = now if self._start is None else self._start
        due = self._start + self._count * 0.02
        if due > now:
            await asyncio.sleep(due - now)
        frame = pcm.to_frame(self._pending.popleft() if self._pending else bytes(FRAME_BYTES))
        frame.time_base, frame.pts = Fraction(1, 48000), self._count * 960
        self._count += 1
        return frame


class EventLog:
    """The server events a client received, in order, and waiting for one (both clients use it)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.raw_messages: list[str] = []
        self._arrived = asyncio.Event()

    def note(self, message: str | bytes) -> None:
        text = message if isinstance(message, str) else message.decode()
        self.raw_messages.append(text)
        with contextlib.suppress(ValueError):  # the send_malformed fault; raw_messages keeps it
            self.events.append(json.loads(text))
        self._arrived.set()

    async def wait_for(self, kind: str, *, start: int = 0, within: float = WAIT_S) -> dict[str, Any]:
        """The first event of this type at index >= start, waiting for it to arrive."""
        async with asyncio.timeout(within):
            while True:
                for event in self.events[start:]:
                    if event.get("type") == kind:
                        return event
                self._arrived.clear()
                await self._arrived.wait()

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("type") == kind]

    def types(self) -> list[str]:
        return [str(e.get("type")) for e in self.events]


class Client(EventLog):
    def __init__(self, server: DemoServer, provider: ServedProvider) -> None:
        super().__init__()
        self.server = server
        self.provider = provider
        self.minted: dict[str, Any] = {}
        self.sdp_query = ""
        self.audio: list[bytes] = []  # received frames, mono s16
        self.microphone = FeedTrack()
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.channel = self.pc.createDataChannel("oai-events")
        self._tasks: set[asyncio.Task[None]] = set()
        self.channel.on("message", self._on_message)
        self.pc.on("track", self._on_track)
        self.pc.addTrack(self.microphone)

    async def connect(
        self, mint_settings: dict[str, Any] | None = None, *, wait_for_session: bool = True
    ) -> None:
        await self.offer_and_answer(mint_settings)
        if wait_for_session:
            await self.wait_for("session.created")
        else:
            await until(lambda: self.channel.readyState == "open")

    async def offer_and_answer(self, mint_settings: dict[str, Any] | None = None) -> None:
        """Mint and the SDP exchange only: ICE, DTLS and the channel then proceed on their own."""
        async with aiohttp.ClientSession() as http:
            request = mint_request(self.provider, settings=mint_settings)
            minted = await http.post(self.server.urls()[self.provider]["mint"], **request)
            assert minted.status == 200, await minted.text()
            self.minted = await minted.json()
            key = ephemeral_key(self.provider, self.minted)
            await self.pc.setLocalDescription(await self.pc.createOffer())
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/sdp"}
            answer = await http.post(
                sdp_url(self.server, self.provider) + self.sdp_query,
                data=self.pc.localDescription.sdp,
                headers=headers,
            )
            assert answer.status in (200, 201), await answer.text()
            await self.pc.setRemoteDescription(RTCSessionDescription(await answer.text(), "answer"))

    def send(self, event: dict[str, Any]) -> None:
        self.channel.send(json.dumps(event, ensure_ascii=False))

    def audio_rms(self) -> float:
        """In sample units."""
        return pcm.rms(b"".join(self.audio)) * pcm.FULL_SCALE

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self.pc.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _on_message(self, message: str | bytes) -> None:
        self.note(message)

    def _on_track(self, track: MediaStreamTrack) -> None:
        task = asyncio.ensure_future(self._pump(track))
        self._tasks.add(task)

    async def _pump(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            assert isinstance(frame, av.AudioFrame)
            self.audio.append(pcm.to_mono(pcm.from_frame(frame), 2))
