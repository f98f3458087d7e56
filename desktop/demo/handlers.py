"""Client events, one handler each, dispatched by `type` (the table at the bottom).

Malformed or unknown events get an `error` and the session stays open, as on the real services;
`error.event_id` echoes the client's `event_id`.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.demo.dialect import ServedDialect
from desktop.demo.ids import new_id
from desktop.demo.session_update import UpdateError, apply_update

if TYPE_CHECKING:
    from desktop.demo.call import ServerCall

log = logging.getLogger(__name__)

MAX_EVENT_ID_CHARS = 512


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    """A client event as the server got it, for tests and benchmarks to inspect."""

    session_id: str
    dialect: ServedDialect
    event: dict[str, Any]
    time: float  # time.monotonic() on arrival


class ClientError(Exception):
    def __init__(self, code: str, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.param = code, message, param


def handle_message(call: ServerCall, message: str | bytes) -> None:
    if call.closed:  # the channel may still deliver while the call closes: it starts nothing more
        return
    if isinstance(message, bytes):
        call.send_error("invalid_event", "Binary messages are not supported; send JSON text.")
        return
    try:
        event = json.loads(message)
    except ValueError:
        call.send_error("invalid_event", "The server failed to parse the event: it is not valid JSON.")
        return
    if not isinstance(event, dict):
        call.send_error("invalid_event", "An event must be a JSON object.")
        return
    call.owner.client_events.append(ReceivedEvent(call.session_id, call.dialect, event, time.monotonic()))
    event_id = event.get("event_id") if isinstance(event.get("event_id"), str) else None
    if event_id is not None and len(event_id) > MAX_EVENT_ID_CHARS:
        message = f"Invalid 'event_id': string too long. Expected at most {MAX_EVENT_ID_CHARS} characters."
        call.send_error("string_above_max_length", message, param="event_id")
        return
    handler = HANDLERS.get(str(event.get("type")))
    if handler is None:
        call.send_error(
            "invalid_event", f"Invalid event type: '{event.get('type')}'.", param="type", event_id=event_id
        )
        return
    try:
        handler(call, event)
    except (ClientError, UpdateError) as exc:
        call.send_error(exc.code, exc.message, param=exc.param, event_id=event_id)
    except Exception:  # a bug here must not take the call down: the client gets a server_error
        log.exception("demo server handler for %s failed", event.get("type"))
        call.send_error(
            "server_error",
            "The server had an error while processing the event.",
            event_id=event_id,
            kind="server_error",
        )


def session_update(call: ServerCall, event: dict[str, Any]) -> None:
    if call.owner.faults.no_session_updated:
        return
    call.session_config = apply_update(
        call.dialect, call.session_config, event.get("session"), has_spoken=call.has_spoken
    )
    call.send({"type": "session.updated", "session": call.session_config})


def response_create(call: ServerCall, event: dict[str, Any]) -> None:
    if call.response is not None:
        raise ClientError(
            "conversation_already_has_active_response",
            f"Conversation already has an active response in progress: {call.response.id}. "
            "Wait until the response is finished before creating a new one.",
        )
    options: dict[str, Any] = event["response"] if isinstance(event.get("response"), dict) else {}
    modalities = options.get("output_modalities", options.get("modalities"))
    call.start_response(audio=None if not isinstance(modalities, list) else "audio" in modalities)


def response_cancel(call: ServerCall, event: dict[str, Any]) -> None:
    if not call.cancel_response("client_cancelled"):
        raise ClientError("response_cancel_not_active", "Cancellation failed: no active response found.")


def output_audio_buffer_clear(call: ServerCall, event: dict[str, Any]) -> None:
    if call.websocket:
        raise ClientError("invalid_event", "output_audio_buffer.clear is only supported over WebRTC.", "type")
    response_id = call.response.id if call.response is not None else None
    call.track.clear()
    call.send({"type": "output_audio_buffer.cleared", "response_id": response_id})


def input_audio_buffer_clear(call: ServerCall, event: dict[str, Any]) -> None:
    call.listener.clear()


def input_audio_buffer_commit(call: ServerCall, event: dict[str, Any]) -> None:
    event_id = event.get("event_id") if isinstance(event.get("event_id"), str) else None
    call.listener.commit_requested(event_id)


def input_audio_buffer_append(call: ServerCall, event: dict[str, Any]) -> None:
    audio = event.get("audio")
    if not isinstance(audio, str):
        raise ClientError("invalid_value", "Invalid value for 'audio': expected base64 PCM16.", "audio")
    if not call.websocket:  # over WebRTC the audio is on the track; only the buffer's length counts
        call.listener.buffered_ms += len(audio) * 3 // 4 // 48  # 24 kHz, 2 bytes a sample
        return
    try:
        samples = base64.b64decode(audio, validate=True)
    except binascii.Error:
        raise ClientError("invalid_value", "Invalid value for 'audio': not valid base64.", "audio") from None
    call.listener.append(samples)


def conversation_item_create(call: ServerCall, event: dict[str, Any]) -> None:
    item = event.get("item")
    if not isinstance(item, dict):
        raise ClientError("missing_required_parameter", "Missing required parameter: 'item'.", "item")
    kind = item.get("type")
    if kind == "function_call_output":
        if not isinstance(item.get("call_id"), str) or not isinstance(item.get("output"), str):
            raise ClientError(
                "invalid_value",
                "A function_call_output needs a string 'call_id' and a string 'output'.",
                "item.output",
            )
    elif kind == "message":
        if item.get("role") not in ("user", "assistant", "system") or not isinstance(
            item.get("content"), list
        ):
            raise ClientError(
                "invalid_value", "A message needs a 'role' and a 'content' array.", "item.content"
            )
    elif kind != "function_call":
        raise ClientError("invalid_value", f"Invalid value for 'item.type': '{kind}'.", "item.type")
    stored = {
        "id": item.get("id") or new_id("item_"),
        "object": "realtime.item",
        "status": "completed",
    } | item
    call.add_conversation_item(stored)


def conversation_item_delete(call: ServerCall, event: dict[str, Any]) -> None:
    item_id = event.get("item_id")
    if not any(i["id"] == item_id for i in call.items):
        raise ClientError("item_not_found", f"Item with item_id not found: {item_id}", "item_id")
    call.items[:] = [i for i in call.items if i["id"] != item_id]
    call.send({"type": "conversation.item.deleted", "item_id": item_id})


def conversation_item_truncate(call: ServerCall, event: dict[str, Any]) -> None:
    """The assistant item's audio cut at `audio_end_ms` (its unplayed rest dropped if it still plays),
    and its transcript deleted, as the services do, so the model's context holds nothing unheard."""
    item_id = event.get("item_id")
    item = next((i for i in call.items if i["id"] == item_id and i.get("role") == "assistant"), None)
    if item is None:
        raise ClientError("item_not_found", f"Assistant item not found: {item_id}", "item_id")
    end_ms = event.get("audio_end_ms", 0)
    if not isinstance(end_ms, int) or isinstance(end_ms, bool) or end_ms < 0:
        raise ClientError(
            "invalid_value", "Invalid value for 'audio_end_ms': expected an integer >= 0.", "audio_end_ms"
        )
    held_ms = call.audio_ms.get(str(item_id), 0)
    if end_ms > held_ms:
        raise ClientError(
            "invalid_value",
            f"Audio content of {held_ms}ms is already shorter than {end_ms}ms",
            "audio_end_ms",
        )
    playing = call.track.current
    if playing is not None and playing.item_id == item_id:
        call.track.clear()
    call.audio_ms[str(item_id)] = end_ms
    call.truncated_items.add(str(item_id))
    for part in item.get("content", []):
        if "transcript" in part:
            part["transcript"] = ""
    content_index = event.get("content_index", 0)
    call.send(
        {
            "type": "conversation.item.truncated",
            "item_id": item_id,
            "content_index": content_index,
            "audio_end_ms": end_ms,
        }
    )


HANDLERS: dict[str, Callable[[ServerCall, dict[str, Any]], None]] = {
    "session.update": session_update,
    "response.create": response_create,
    "response.cancel": response_cancel,
    "output_audio_buffer.clear": output_audio_buffer_clear,
    "input_audio_buffer.clear": input_audio_buffer_clear,
    "input_audio_buffer.commit": input_audio_buffer_commit,
    "input_audio_buffer.append": input_audio_buffer_append,
    "conversation.item.create": conversation_item_create,
    "conversation.item.delete": conversation_item_delete,
    "conversation.item.truncate": conversation_item_truncate,
}
