"""A realtime service in memory, standing where the WebRTC `Connection` stands (the session's `connect`).

Like LiveKit Agents' fake realtime model, it lets the session's unit tests run without WebRTC, audio
devices or a network, in milliseconds. Each call the session makes gets a `FakeConnection` that
answers like the service: session.update -> session.updated, conversation.item.create -> its
conversation.item.created, response.create -> a spoken answer, response.cancel -> a cancelled
response. The test can make a connection drop, fall silent, refuse to connect, or send what the
service would when the person starts talking over an answer. Server events reach the session one
loop iteration later and in order, as the data channel delivers them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from typing import Any

from aiortc.mediastreams import MediaStreamTrack

from desktop.realtime import Masker, Provider, SessionConfig, SessionError
from desktop.realtime.client_events import encode

MAX_MESSAGE_BYTES = 65536  # the data channel's limit, as the real connection enforces it
LOST = "The connection to the service was lost."


class FakeRealtimeService:
    """Hands out connections (pass `service.connect` as the session's `connect`) and keeps them all.

    `hold_answers`: an answer stays under way, playing, until `FakeConnection.finish_answer`.
    `refusals`: the next connection attempts fail with these errors, one each, in turn.
    `gate`: when set, every connection attempt waits for it (a reconnect caught in the middle).
    `expires_in`: session.created carries an `expires_at` this many seconds after `clock()`.
    `refuse_item`: given a conversation.item.create's item, the message of the error that refuses it
    (echoing the event's `event_id`, as the service does), or None to take it.
    """

    def __init__(
        self,
        answer: str = "Hello, how can I help?",
        *,
        hold_answers: bool = False,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.answer = answer
        self.hold_answers = hold_answers
        self.clock = clock
        self.expires_in: float | None = None
        self.refusals: list[SessionError] = []
        self.gate: asyncio.Event | None = None
        self.refuse_item: Callable[[dict[str, Any]], str | None] = lambda _item: None
        self.connections: list[FakeConnection] = []
        self._ids = itertools.count(1)

    def connect(
        self,
        config: SessionConfig,
        provider: Provider,
        audio_track: MediaStreamTrack,
        *,
        on_message: Callable[[str], None],
        on_track: Callable[[MediaStreamTrack], None],
        on_lost: Callable[[SessionError], None],
        expecting_media: Callable[[], bool],
    ) -> FakeConnection:
        connection = FakeConnection(self, provider, on_message, on_lost)
        self.connections.append(connection)
        return connection

    @property
    def current(self) -> FakeConnection:
        """The newest connection."""
        return self.connections[-1]

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids)}"


class FakeConnection:
    def __init__(
        self,
        service: FakeRealtimeService,
        provider: Provider,
        on_message: Callable[[str], None],
        on_lost: Callable[[SessionError], None],
    ) -> None:
        self._service = service
        self._on_message = on_message
        self._on_lost = on_lost
        self.masker = Masker([provider.api_key])
        self.peer_connection = None  # no WebRTC here
        self.received: list[dict[str, Any]] = []  # the client events, in order
        self.is_open = False
        self.closed = False
        self.silent = False  # no packet arrives, yet nothing says the call ended
        self._last_item: str | None = None
        self._response: str | None = None  # the response under way
        self._answer_item = ""
        self._playing = False

    # What the session uses (the RealtimeConnection of desktop.session.model_call).
    async def open(self, on_step: Callable[[str], None] | None = None) -> None:
        service = self._service
        if service.gate is not None:
            await service.gate.wait()
        if service.refusals:
            raise service.refusals.pop(0)
        for step in ("mint", "sdp", "ice", "data_channel"):
            (on_step or (lambda _name: None))(step)
        self.is_open = True
        session: dict[str, Any] = {"id": service.new_id("sess")}
        if service.expires_in is not None and service.clock is not None:
            session["expires_at"] = service.clock() + service.expires_in
        self.server_sends({"type": "session.created", "session": session})

    def send(self, event: dict[str, Any]) -> None:
        size = len(encode(event).encode())
        if size > MAX_MESSAGE_BYTES:
            raise SessionError(f"The event is {size} bytes, over the limit.", code="event_too_large")
        if self.closed:
            return
        self.received.append(event)
        self._answer(event)

    async def close(self) -> None:
        self.closed, self.is_open = True, False

    async def still_receiving(self, seconds: float) -> bool:
        return self.is_open and not self.silent

    # What the test does to it.
    def sent(self, kind: str) -> list[dict[str, Any]]:
        """The client events of type `kind` this connection received."""
        return [event for event in self.received if event.get("type") == kind]

    def server_sends(self, event: dict[str, Any]) -> None:
        """One server event, delivered on the next loop iteration (unless the connection is gone)."""
        asyncio.get_running_loop().call_soon(self._deliver, json.dumps(event))

    def drop(self) -> None:
        """The connection is lost, as when the network goes."""
        self.is_open = False
        self.closed = True
        self._on_lost(SessionError(LOST, code="connection_lost"))

    def go_silent(self) -> None:
        """Nothing arrives any more, and nothing says so: only a check notices."""
        self.silent = True

    def person_starts_speaking(self) -> None:
        """The server's detection hears the person: it cuts an answer under way short, as the service
        does with `interrupt_response` (the answer is cancelled, its audio cleared and truncated)."""
        item_id = self._service.new_id("item")
        self.server_sends({"type": "input_audio_buffer.speech_started", "item_id": item_id})
        if self._response is not None:
            self._end_response("cancelled")
        if self._playing:
            self._playing = False
            self.server_sends({"type": "output_audio_buffer.cleared"})
            truncated = {"item_id": self._answer_item, "content_index": 0, "audio_end_ms": 400}
            self.server_sends({"type": "conversation.item.truncated", **truncated})

    def person_stops_speaking(self, words: str) -> None:
        """The person's turn ends: their words are committed and transcribed, and answered."""
        item_id = self._service.new_id("item")
        self.server_sends({"type": "input_audio_buffer.speech_stopped", "item_id": item_id})
        previous, self._last_item = self._last_item, item_id
        self.server_sends(
            {"type": "input_audio_buffer.committed", "item_id": item_id, "previous_item_id": previous}
        )
        self._item_created({"id": item_id, "type": "message", "role": "user", "content": []}, previous)
        self.server_sends(
            {
                "type": "conversation.item.input_audio_transcription.completed",
                "item_id": item_id,
                "transcript": words,
            }
        )
        self._start_response()

    def finish_answer(self) -> None:
        """The answer under way is complete, and its audio has played out."""
        response, item_id, text = self._response, self._answer_item, self._service.answer
        if response is None:
            return
        self.server_sends(
            {
                "type": "response.output_audio_transcript.done",
                "response_id": response,
                "item_id": item_id,
                "transcript": text,
            }
        )
        self._end_response("completed")
        if self._playing:
            self._playing = False
            self.server_sends({"type": "output_audio_buffer.stopped", "response_id": response})

    # How it answers.
    def _deliver(self, text: str) -> None:
        if not self.closed:
            self._on_message(text)

    def _answer(self, event: dict[str, Any]) -> None:
        match event.get("type"):
            case "session.update":
                self.server_sends({"type": "session.updated", "session": event.get("session", {})})
            case "conversation.item.create" if (refusal := self._service.refuse_item(event["item"])):
                self._error("invalid_value", refusal, event.get("event_id", ""))
            case "conversation.item.create":
                item = dict(event["item"])
                item.setdefault("id", self._service.new_id("item"))
                previous, self._last_item = self._last_item, item["id"]
                self._item_created(item, previous)
            case "response.create":
                self._start_response()
            case "response.cancel":
                self._cancel()
            case "output_audio_buffer.clear" if self._playing:
                self._playing = False
                self.server_sends({"type": "output_audio_buffer.cleared"})
            case "input_audio_buffer.clear":
                self.server_sends({"type": "input_audio_buffer.cleared"})

    def _item_created(self, item: dict[str, Any], previous: str | None) -> None:
        self.server_sends({"type": "conversation.item.created", "previous_item_id": previous, "item": item})

    def _start_response(self) -> None:
        if self._response is not None:
            self._error("conversation_already_has_active_response", "A response is already under way.")
            return
        response = self._response = self._service.new_id("resp")
        item_id = self._answer_item = self._service.new_id("item")
        self.server_sends({"type": "response.created", "response": {"id": response, "status": "in_progress"}})
        previous, self._last_item = self._last_item, item_id
        self._item_created({"id": item_id, "type": "message", "role": "assistant", "content": []}, previous)
        self._playing = True
        self.server_sends({"type": "output_audio_buffer.started", "response_id": response})
        delta = {"response_id": response, "item_id": item_id, "delta": self._service.answer}
        self.server_sends({"type": "response.output_audio_transcript.delta", **delta})
        if not self._service.hold_answers:
            self.finish_answer()

    def _cancel(self) -> None:
        if self._response is None:
            self._error("response_cancel_not_active", "There is no active response to cancel.")
        else:
            self._end_response("cancelled")

    def _end_response(self, status: str) -> None:
        response, self._response = self._response, None
        item = {"id": self._answer_item, "type": "message", "role": "assistant"}
        usage = {"input_tokens": 12, "output_tokens": 7}
        done = {"id": response, "status": status, "status_details": {}, "output": [item], "usage": usage}
        self.server_sends({"type": "response.done", "response": done})

    def _error(self, code: str, message: str, event_id: str = "") -> None:
        error = {"type": "invalid_request_error", "code": code, "message": message, "event_id": event_id}
        self.server_sends({"type": "error", "error": error})
