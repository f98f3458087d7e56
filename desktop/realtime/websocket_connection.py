"""One call to a realtime model over a WebSocket: for networks where WebRTC's UDP media never flows.

It is a `RealtimeConnection` like the WebRTC `Connection` (same constructor, `open`, `send`, `close`,
`still_receiving`, loss reported once), so the session, tools, transcripts, inspector and renewal
never learn which one they have. Events travel as JSON text frames; the audio travels inside them:
the microphone as `input_audio_buffer.append` (PCM16 24 kHz, base64, cut and encoded by a task of the
connection, never in a sound-card callback), the reply as `response.output_audio.delta` (GA) or
`response.audio.delta` (preview), which go into `ReplyTrack`, handed to `on_track` once, so the same
speaker path (playout buffer, echo canceller's far end, level meter, barge-in flush) plays them. The
inspector sees each delta with its audio elided.

The reply's side of the output audio buffer, and barge-in by `conversation.item.truncate`, are
`SocketReply`'s (websocket_reply.py), which says why no `output_audio_buffer.cleared` is made up.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import json
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from desktop.realtime.config import SessionConfig
from desktop.realtime.connection import (
    CLOSED_WHILE_CONNECTING,
    LostHandler,
    MessageHandler,
    TrackHandler,
)
from desktop.realtime.errors import SessionError
from desktop.realtime.masking import Masker
from desktop.realtime.message_size import SAFE_MESSAGE_SIZE, encoded_within
from desktop.realtime.providers import Provider
from desktop.realtime.websocket_audio import PcmChunker, ReplyTrack
from desktop.realtime.websocket_endpoints import mints_for_websocket, websocket_headers, websocket_url
from desktop.realtime.websocket_reply import SocketReply
from desktop.realtime.websocket_upgrade import open_websocket, websocket_session

log = logging.getLogger(__name__)

DRAIN_SECONDS = 0.5  # how long a close waits for the events queued just before it to go out


class WebSocketConnection:
    def __init__(
        self,
        config: SessionConfig,
        provider: Provider,
        audio_track: MediaStreamTrack,
        *,
        on_message: MessageHandler,
        on_track: TrackHandler,
        on_lost: LostHandler,
        expecting_media: Callable[[], bool] = lambda: False,
        played_seconds: Callable[[], float] | None = None,
        held: bool = False,
    ) -> None:
        """`played_seconds`: the speaker's count of audio really played (AudioOutput.played_seconds),
        for the truncation point; without it, what was handed to the speaker counts as played.
        `held`: `open` only connects, and `start` begins reading the service and the microphone (the
        "auto" race's candidate: nothing of it is read or sent before it has won)."""
        self._config = config
        self._provider = provider
        self._audio_track = audio_track
        self._on_message = on_message
        self._on_lost = on_lost
        self._expecting_media = expecting_media
        self.masker = Masker(provider.secrets)  # the API key, or the token service's bearer
        self.max_message_size = SAFE_MESSAGE_SIZE  # the data channel's limit: the same events fit both
        self.url = websocket_url(config, provider)
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._http: aiohttp.ClientSession | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._outgoing: asyncio.Queue[str] = asyncio.Queue()  # client events, in order
        interrupts = config.turn_detection.interrupt_response  # as TurnTaking's, until the service says
        reply = SocketReply(self._send_text, on_message, on_track, played_seconds, interrupts=interrupts)
        self._reply = reply
        self._received_at = 0.0
        self._opened = False
        self._held = held
        self._closing = False
        self._lost_reported = False

    @property
    def is_open(self) -> bool:
        return self._ws is not None and not self._ws.closed and not self._closing

    @property
    def peer_connection(self) -> None:
        """None: a WebSocket call has no peer connection (diagnostics ask WebRTC calls for theirs)."""
        return None

    @property
    def reply_track(self) -> ReplyTrack:
        return self._reply.track

    async def open(self, on_step: Callable[[str], None] | None = None) -> None:
        """Mint (where the key is ephemeral), then the WebSocket upgrade; closes all again on failure."""
        step = on_step or (lambda _name: None)
        try:
            await self._open(step)
        except BaseException:
            await self.close()
            raise

    async def _open(self, step: Callable[[str], None]) -> None:
        timeouts = self._config.timeouts
        http = self._http = websocket_session()
        ephemeral = ""
        if mints_for_websocket(self._provider):
            ephemeral = await self._provider.mint(http, timeouts.mint)
            self.masker.add(ephemeral)
            step("mint")
        self._ensure_not_closing()
        headers = websocket_headers(self._provider, ephemeral)
        del ephemeral
        self._ws = await open_websocket(http, self.url, headers, self._provider, timeouts, self.masker)
        self._ensure_not_closing()
        step("websocket")
        if not self._held:
            self.start()

    def start(self) -> None:
        """Begin reading the service's events and sending the microphone and queued events (once)."""
        ws = self._ws
        if ws is None or self._tasks or self._closing:
            return
        self._opened = True
        loop = asyncio.get_running_loop()
        self._received_at = loop.time()
        self._tasks = [
            loop.create_task(self._read(ws), name="websocket-reader"),
            loop.create_task(self._send_microphone(ws), name="websocket-microphone"),
            loop.create_task(self._send_events(ws), name="websocket-events"),
            loop.create_task(self._watch_reply(), name="websocket-liveness"),
        ]

    def _ensure_not_closing(self) -> None:
        if self._closing:
            raise SessionError(CLOSED_WHILE_CONNECTING, code="closed")

    def send(self, event: dict[str, Any]) -> None:
        """Send one client event; refuse one over the data channel's size limit, like WebRTC does."""
        if event.get("type") == "output_audio_buffer.clear":  # WebRTC's; here the client's own buffer
            self._reply.cut()
            return
        text = encoded_within(event, self.max_message_size)
        self._send_text(text)

    def _send_text(self, text: str) -> None:
        if not self._closing:  # queued until the socket is open, like the data channel's sends
            self._outgoing.put_nowait(text)

    async def _send_events(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        with contextlib.suppress(ConnectionError, aiohttp.ClientError):
            while True:
                await ws.send_str(await self._outgoing.get())
                self._outgoing.task_done()

    async def still_receiving(self, seconds: float) -> bool:
        """A quick check after a network change or a wake-up: does the service still answer a ping?"""
        ws = self._ws
        if ws is None or not self.is_open:
            return False
        before = self._received_at
        with contextlib.suppress(ConnectionError, aiohttp.ClientError):
            await ws.ping()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            await asyncio.sleep(min(0.05, seconds))
            if not self.is_open:
                return False
            if self._received_at != before:
                return True
        return False

    async def _watch_reply(self) -> None:
        """The socket's heartbeat notices a dead connection; this, a service that stops sending in the
        middle of an answer (as WebRTC's liveness watch notices the RTP stopping)."""
        limit = self._config.timeouts.liveness
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(max(0.05, min(0.5, limit / 5)))
            silent = loop.time() - self._received_at
            if silent > limit and self._expecting_media() and self._reply.track.awaiting_audio:
                self._lost(f"The assistant's audio stopped arriving for {limit:g} s; the connection is lost.")
                return

    # The microphone, off the audio callbacks.
    async def _send_microphone(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        chunker = PcmChunker()
        try:
            while not ws.closed:
                media = await self._audio_track.recv()
                for chunk in chunker.feed(media):
                    audio = base64.b64encode(chunk).decode("ascii")
                    await ws.send_str(json.dumps({"type": "input_audio_buffer.append", "audio": audio}))
        except (MediaStreamError, ConnectionError, aiohttp.ClientError):
            return
        except Exception:  # a decoding error: the person would talk into a microphone nobody hears
            log.exception("sending the microphone's audio failed")
            self._lost("The microphone's audio could not be sent; the connection is renewed.")

    # What the service sends.
    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        loop = asyncio.get_running_loop()
        while True:
            message = await ws.receive()
            self._received_at = loop.time()
            if message.type is aiohttp.WSMsgType.TEXT:
                self._received(message.data)
            elif message.type is aiohttp.WSMsgType.BINARY:
                self._received(message.data.decode("utf-8", errors="replace"))
            elif message.type is aiohttp.WSMsgType.PING:  # answered here: autoping would hide the pongs
                with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                    await ws.pong(message.data)
            elif message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                self._lost(_lost_sentence(ws, message))
                return
            # CLOSE and CLOSING: aiohttp answers the close; CLOSED follows. PONG: counted above.

    def _received(self, text: str) -> None:
        try:
            data = json.loads(text) if text.lstrip().startswith("{") else None
            if isinstance(data, dict):
                text = self._reply.received(text, data)
            self._on_message(text)
        except Exception:  # raised here, it would end the reader, and the call with it
            log.exception("handling a server event failed")

    def _lost(self, sentence: str) -> None:
        if self._closing or self._lost_reported or not self._opened:
            return
        self._lost_reported = True
        self._on_lost(SessionError(sentence, code="connection_lost"))

    async def close(self) -> None:
        """Close the socket, its tasks and the reply track; safe to call twice. Events queued just
        before (a last truncate) still go out first, as the data channel would have sent them."""
        self._closing = True
        if self._ws is not None and not self._ws.closed:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(DRAIN_SECONDS):
                    await self._outgoing.join()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._reply.closed = True
        self._reply.track.stop()
        self._audio_track.stop()  # the call's microphone branch ends with it, as aiortc ends a WebRTC call's
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), 2.0)
        if self._http is not None:
            await self._http.close()
            self._http = None


def _lost_sentence(ws: aiohttp.ClientWebSocketResponse, message: aiohttp.WSMessage) -> str:
    if isinstance(ws.exception(), aiohttp.ServerTimeoutError):  # the heartbeat's ping went unanswered
        return "The service stopped answering; the connection is lost."
    log.debug("WebSocket ended: %s, close code %s", message.type.name, ws.close_code)
    return "The connection to the service was lost (its WebSocket closed)."


def websocket_connector(played_seconds: Callable[[], float] | None) -> Callable[..., WebSocketConnection]:
    """A connection factory (session/model_call.py's ConnectionFactory) for WebSocket calls whose
    truncation points come from the speaker's `played_seconds`."""
    return functools.partial(WebSocketConnection, played_seconds=played_seconds)
