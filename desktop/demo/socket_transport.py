"""The WebSocket transport of a call: JSON events both ways on one aiohttp WebSocket.

Replies go out as base64 PCM16 24 kHz audio deltas (`response.output_audio.delta`, preview
`response.audio.delta`) of DELTA_MS each, paced in real time like the RTP track (`DeltaClock`), so a
client's playout and barge-in meet a stream that arrives as it would be heard. With the
`early_response_done` fault the audio goes out at once, as generated (still before `*.audio.done`, as
the services send it). Input audio comes in `input_audio_buffer.append` events (handlers.py,
listener.py). Events queue in order for one writer task; a close first sends what was queued (the
`session_expired` error before the close).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from desktop.audio import pcm
from desktop.demo import dialect as d
from desktop.demo.track import SAMPLE_RATE, Playback
from desktop.demo.transport import TransportKind

if TYPE_CHECKING:
    from desktop.demo.call import ServerCall

WIRE_RATE = 24000
DELTA_MS = 40
DELTA_SAMPLES = SAMPLE_RATE * DELTA_MS // 1000  # of the 48 kHz reply
MAX_CATCH_UP_SECONDS = 0.1
CLOSE_FLUSH_SECONDS = 1.0  # at most this long sending what was queued before a close


class SocketAudio:
    """A reply's audio as paced delta events; `current` is the reply still going out."""

    def __init__(self, call: ServerCall) -> None:
        self.call = call
        self.current: Playback | None = None
        self.frames_sent = 0
        self._pacer: asyncio.Task[None] | None = None
        self._stopped = False

    def play(self, audio: bytes, where: dict[str, Any] | None = None) -> Playback:
        self.clear()
        playback = self.current = Playback(audio, str((where or {}).get("item_id", "")))
        if not self._stopped:
            wire = pcm.resample(audio, SAMPLE_RATE, WIRE_RATE)
            self._pacer = self.call.spawn(self._pace(playback, dict(where or {}), wire))
        return playback

    def clear(self) -> bool:
        playing = self.current is not None and not self.current.finished.is_set()
        if self.current is not None:
            self.current.finish(cleared=playing)
        self.current = None
        if self._pacer is not None:
            self._pacer.cancel()
            self._pacer = None
        return playing

    def stop(self) -> None:
        self._stopped = True
        self.clear()

    async def _pace(self, playback: Playback, where: dict[str, Any], wire: bytes) -> None:
        name = d.event_name(d.Ev.AUDIO_DELTA, self.call.dialect)
        clock = DeltaClock() if not self.call.owner.faults.early_response_done else None
        while not playback.finished.is_set():
            if clock is not None:
                await clock.next_slot()
                if playback.finished.is_set():  # cleared meanwhile
                    break
            begin = _wire_offset(playback.position)
            playback.take(DELTA_SAMPLES)
            end = len(wire) if playback.finished.is_set() else _wire_offset(playback.position)
            chunk = base64.b64encode(wire[begin:end]).decode()
            self.call.send({"type": name, **where, "content_index": 0, "delta": chunk})
            self.frames_sent += 1
        if self.current is playback:
            self.current = None


class DeltaClock:
    """Delta n is due at start + n * DELTA_MS; behind by more than MAX_CATCH_UP_SECONDS (a stalled
    loop), the clock restarts rather than bursting."""

    def __init__(self) -> None:
        self._start = time.monotonic()
        self._index = 0

    async def next_slot(self) -> None:
        now = time.monotonic()
        due = self._start + self._index * DELTA_MS / 1000
        if now - due > MAX_CATCH_UP_SECONDS:
            self._start = now - self._index * DELTA_MS / 1000
        elif due > now:
            await asyncio.sleep(due - now)
        self._index += 1


def _wire_offset(position: int) -> int:
    """The byte in the 24 kHz audio where the 48 kHz reply's sample `position` falls."""
    return position * WIRE_RATE // SAMPLE_RATE * pcm.WIDTH


class SocketTransport:
    kind = TransportKind.WEBSOCKET

    def __init__(self, call: ServerCall, socket: web.WebSocketResponse) -> None:
        self.call = call
        self.socket: web.WebSocketResponse | None = socket
        self.output = SocketAudio(call)
        self._outbox: asyncio.Queue[str] = asyncio.Queue()

    def start(self) -> None:
        """Once the upgrade is done: events start to flow."""
        self.call.spawn(self._write())

    def send_text(self, text: str) -> None:
        if self.socket is None or self.socket.closed or self.call.owner.faults.socket_silent:
            return
        self._outbox.put_nowait(text)

    async def _write(self) -> None:
        while True:
            text = await self._outbox.get()
            if not await self._send(text):
                self.call.close_soon()
                return

    async def _send(self, text: str) -> bool:
        if self.socket is None or self.socket.closed:
            return False
        try:
            await self.socket.send_str(text)
        except (ConnectionError, RuntimeError):  # the client went away meanwhile
            return False
        return True

    async def close(self) -> None:
        self.output.stop()
        if self.socket is None:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CLOSE_FLUSH_SECONDS):
                while not self._outbox.empty() and await self._send(self._outbox.get_nowait()):
                    pass
        await self.socket.close()

    def release(self) -> None:
        self.socket = None
