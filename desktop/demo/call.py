"""One call: the conversation state behind the protocol, whichever transport carries it.

Every SDP POST or WebSocket upgrade makes a new ServerCall (no renegotiation, as on the real
services). Client events are dispatched by name to `handlers.py`; input audio goes through
`listener.py`; responses run in `responses.py`. How events and audio travel is the transport's
(`rtc.py` for WebRTC, `socket_transport.py` for a WebSocket). Every task the call starts is kept in
a set and cancelled when it closes.

Hooks let tests and benchmarks observe a call without patching it (the app sets none): the server's
`on_call_answered(call)` runs once a WebRTC call's SDP answer is made, before it leaves (so before any
ICE, DTLS or RTP: it may wrap the call's transports); `on_websocket_opened(call)` once a WebSocket
call's upgrade is done, before session.created; and `on_audio_received(call, samples)` sees every
received audio frame (RTP, or a WebSocket's appended audio in 20 ms frames), as mono s16 bytes at
48 kHz, just before the server's VAD does.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from aiortc import RTCDataChannel, RTCPeerConnection

from desktop.demo import dialect as d
from desktop.demo.brain import Brain, Reply, okay
from desktop.demo.faults import Faults
from desktop.demo.handlers import ReceivedEvent
from desktop.demo.ids import new_id
from desktop.demo.listener import Listener
from desktop.demo.phrases import language_of
from desktop.demo.responses import ResponseRun
from desktop.demo.rtc import RtcTransport
from desktop.demo.speech import Voice
from desktop.demo.transport import AudioOutput, CallTransport, TransportKind

log = logging.getLogger(__name__)

CallHook = Callable[["ServerCall"], None]
AudioHook = Callable[["ServerCall", bytes], None]
TransportFactory = Callable[["ServerCall"], CallTransport]


class CallOwner(Protocol):
    """What a call needs from its server."""

    faults: Faults
    brain: Brain
    voice: Voice
    client_events: list[ReceivedEvent]
    on_call_answered: CallHook | None
    on_websocket_opened: CallHook | None
    on_audio_received: AudioHook | None

    def next_user_transcript(self) -> str: ...


def expires_at(start: float, limit_seconds: float) -> int:
    """session.expires_at: the real services' is the session limit, so a fault's shorter limit shows too."""
    return int(start + limit_seconds)


class ServerCall:
    def __init__(
        self,
        owner: CallOwner,
        dialect: d.ServedDialect,
        model: str,
        max_session_seconds: float,
        session_id: str = "",
        transport: TransportFactory = RtcTransport,
    ) -> None:
        self.owner = owner
        self.dialect = dialect
        self.id = new_id("rtc_")
        self.session_id = session_id or new_id("sess_")
        self.conversation_id = new_id("conv_")
        self.started_at = time.time()
        faults = owner.faults
        self._max_session_seconds = faults.session_expiry_seconds or max_session_seconds
        announced = max_session_seconds if faults.unannounced_expiry else self._max_session_seconds
        self.expires_at = expires_at(self.started_at, announced)
        self.session_config = d.default_session(dialect, self.session_id, model, self.expires_at)
        self.items: list[dict[str, Any]] = []
        self.audio_frames_received = 0
        self.closed = False
        self.connection_state = "new"  # the peer's last state, or "connected" (WebSocket); kept once closed
        self.has_spoken = False
        self.response: ResponseRun | None = None
        self.audio_ms: dict[str, int] = {}  # assistant item id -> ms of audio the item holds
        self.truncated_items: set[str] = set()
        self.listener = Listener(self)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing: asyncio.Future[None] | None = None
        self._late_transcriptions: list[Callable[[], None]] = []
        self.webrtc_filter = False  # Azure GA's ?webrtcfilter=on
        self.transport = transport(self)

    @property
    def websocket(self) -> bool:
        return self.transport.kind is TransportKind.WEBSOCKET

    @property
    def pc(self) -> RTCPeerConnection:
        """A WebRTC call's peer connection, released once the call has closed (the record stays light)."""
        if not isinstance(self.transport, RtcTransport):
            raise RuntimeError(f"call {self.id} is a WebSocket call: it has no peer connection")
        if self.transport.pc is None:
            raise RuntimeError(f"call {self.id} is closed: its peer connection was released")
        return self.transport.pc

    @property
    def channel(self) -> RTCDataChannel | None:
        return self.transport.channel if isinstance(self.transport, RtcTransport) else None

    @property
    def track(self) -> AudioOutput:
        """Where replies play: the RTP track, or a WebSocket's paced audio deltas."""
        return self.transport.output

    # --- lifecycle -----------------------------------------------------------------------------

    async def answer(self, offer_sdp: str) -> str:
        """A WebRTC call's SDP answer; ValueError when the offer is not one aiortc can take."""
        if not isinstance(self.transport, RtcTransport):
            raise ValueError("not a WebRTC call")
        return await self.transport.answer(offer_sdp)

    def audio_received(self, samples: bytes) -> None:
        """One received frame, mono: counted, and shown to the server's hook."""
        self.audio_frames_received += 1
        if self.owner.on_audio_received is not None:
            self.owner.on_audio_received(self, samples)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        if self.closed:  # a closing call starts no new work: the close awaits this cancellation too
            task.cancel()
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("demo server call task failed", exc_info=task.exception())

    def close_soon(self) -> asyncio.Future[None]:
        """Starts closing; usable from inside one of the call's own tasks (which the close cancels)."""
        if self._closing is None:
            self.closed = True
            self._closing = asyncio.ensure_future(self._close())
        return self._closing

    async def close(self) -> None:
        """Idempotent; every caller returns once the peer connection and all tasks are gone."""
        await asyncio.shield(self.close_soon())

    async def _close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.transport.close()
        while self._tasks:  # including any a callback spawned meanwhile (spawn cancels those at once)
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._release()

    def _release(self) -> None:
        """Drops what a closed call no longer needs; ids, config, items and counters stay for inspection."""
        self.connection_state = "closed"
        self.transport.release()
        self.response = None
        self._late_transcriptions.clear()

    def open_session(self) -> None:
        """The client can hear us (data channel or WebSocket open): session.created, and the limits."""
        self.send({"type": "session.created", "session": self.session_config})
        faults = self.owner.faults
        if faults.send_malformed:
            self._send_raw("{this is not json")
            self.send({"type": "demo.unknown_event", "note": "clients must ignore unknown events"})
        self._close_after(self._max_session_seconds, expired=True)
        if faults.drop_after_seconds is not None:
            self._close_after(faults.drop_after_seconds, expired=False)

    def _close_after(self, seconds: float, *, expired: bool) -> None:
        async def later() -> None:
            await asyncio.sleep(seconds)
            if expired:
                minutes = self._max_session_seconds / 60
                self.send_error(
                    "session_expired", f"Your session hit the maximum duration of {minutes:g} minutes."
                )
            await self.close()

        self.spawn(later())

    # --- sending -------------------------------------------------------------------------------

    def send(self, event: dict[str, Any]) -> None:
        if self.webrtc_filter and event["type"] not in d.WEBRTC_FILTER_ALLOWED:
            return
        if self.websocket and event["type"].startswith("output_audio_buffer."):
            return  # the server-side output buffer is WebRTC's; a WebSocket client plays what it gets
        self._send_raw(json.dumps({"event_id": new_id("event_")} | event, ensure_ascii=False))

    def _send_raw(self, text: str) -> None:
        if not self.closed:
            self.transport.send_text(text)

    def send_error(
        self,
        code: str,
        message: str,
        *,
        param: str | None = None,
        event_id: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        error = {"type": kind, "code": code, "message": message, "param": param, "event_id": event_id}
        self.send({"type": "error", "error": error})

    # --- conversation and responses -------------------------------------------------------------

    def add_conversation_item(self, item: dict[str, Any], *, announced: dict[str, Any] | None = None) -> None:
        previous = self.items[-1]["id"] if self.items else None
        self.items.append(item)
        shown = announced if announced is not None else item
        self.send({"type": "conversation.item.created", "previous_item_id": previous, "item": shown})

    def start_response(self, *, audio: bool | None = None) -> ResponseRun:
        """The brain's answer to the conversation so far; `audio` overrides the session's modalities."""
        allowed = d.tool_names(self.session_config)
        tools = [t for t in self.session_config.get("tools", []) if t.get("name") in allowed]
        reply = self.owner.brain.reply(self.items, tools)
        speaks = d.speaks_audio(self.session_config) if audio is None else audio
        run = ResponseRun(self, _allowed(reply, self.session_config), audio=speaks)
        self.response = run
        self.has_spoken = self.has_spoken or (speaks and reply.say is not None)
        run.task = self.spawn(run.run())
        return run

    def cancel_response(self, reason: str) -> bool:
        run = self.response
        if run is None:
            return False
        run.cancel(reason)
        if run.task is not None:
            run.task.cancel()
        return True

    def response_finished(self, run: ResponseRun) -> None:
        if self.response is run:
            self.response = None

    def defer_transcription(self, deliver: Callable[[], None]) -> None:
        self._late_transcriptions.append(deliver)

    def flush_late_transcriptions(self) -> None:
        pending, self._late_transcriptions = self._late_transcriptions, []
        for deliver in pending:
            deliver()


def _allowed(reply: Reply, session: dict[str, Any]) -> Reply:
    """A reply may only call a tool the session declared (a custom Brain might not check)."""
    if reply.call is not None and reply.call.name not in d.tool_names(session):
        return Reply(say=reply.say or okay(language_of(json.dumps(reply.call.arguments, ensure_ascii=False))))
    return reply
