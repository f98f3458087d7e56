"""Server events of both dialects, parsed into typed events.

Preview and GA names differ only for output events; the parse table maps both names to one type.
Unknown types are ignored (logged at debug) and malformed messages never raise: the wire is not
ours to trust.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from desktop.realtime.server_events import (
    AssistantTextDelta,
    AssistantTextDone,
    AudioDone,
    ContentPart,
    FunctionCallArgumentsDelta,
    FunctionCallDone,
    InputCleared,
    InputCommitted,
    ItemCreated,
    ItemDeleted,
    ItemDone,
    ItemTruncated,
    OutputAudioCleared,
    OutputAudioStarted,
    OutputAudioStopped,
    OutputItemAdded,
    OutputItemDone,
    RateLimitsUpdated,
    ResponseCreated,
    ResponseDone,
    ServerError,
    ServerEvent,
    SessionCreated,
    SessionUpdated,
    SpeechStarted,
    SpeechStopped,
    UserTranscriptDelta,
    UserTranscriptDone,
    UserTranscriptFailed,
)

log = logging.getLogger(__name__)


def _s(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _opt(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _int(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _obj(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _response_id(data: dict[str, Any]) -> str:
    return _s(data, "response_id") or _s(_obj(data, "response"), "id")


def _item_created(data: dict[str, Any]) -> ItemCreated:
    item = _obj(data, "item")
    return ItemCreated(_s(item, "id"), _opt(data, "previous_item_id"), item)


def _output_item_done(data: dict[str, Any]) -> FunctionCallDone | OutputItemDone:
    item = _obj(data, "item")
    if item.get("type") != "function_call":
        return OutputItemDone(_s(data, "response_id"), item)
    return FunctionCallDone(
        _s(data, "response_id"), _s(item, "call_id"), _s(item, "name"), _s(item, "arguments")
    )


def _response_done(data: dict[str, Any]) -> ResponseDone:
    response = _obj(data, "response")
    output = response.get("output")
    items = [item for item in output if isinstance(item, dict)] if isinstance(output, list) else []
    return ResponseDone(
        _s(response, "id"),
        _s(response, "status"),
        _obj(response, "status_details"),
        items,
        _obj(response, "usage"),
    )


def _error(data: dict[str, Any]) -> ServerError:
    error = _obj(data, "error")
    return ServerError(_s(error, "message"), _s(error, "code"), _s(error, "type"), _s(error, "event_id"))


def _text_delta(data: dict[str, Any]) -> AssistantTextDelta:
    return AssistantTextDelta(_response_id(data), _s(data, "item_id"), _s(data, "delta"))


def _transcript_done(data: dict[str, Any]) -> AssistantTextDone:
    return AssistantTextDone(_response_id(data), _s(data, "item_id"), _s(data, "transcript"))


def _text_done(data: dict[str, Any]) -> AssistantTextDone:
    return AssistantTextDone(_response_id(data), _s(data, "item_id"), _s(data, "text"))


def _content_part(done: bool) -> Parser:
    return lambda d: ContentPart(_response_id(d), _s(d, "item_id"), _obj(d, "part"), done)


def _rate_limits(data: dict[str, Any]) -> RateLimitsUpdated:
    limits = data.get("rate_limits")
    return RateLimitsUpdated([x for x in limits if isinstance(x, dict)] if isinstance(limits, list) else [])


def _failed_transcript(data: dict[str, Any]) -> UserTranscriptFailed:
    return UserTranscriptFailed(_s(data, "item_id"), _s(_obj(data, "error"), "message"))


Parser = Callable[[dict[str, Any]], "ServerEvent | None"]

PARSE_TABLE: dict[str, Parser] = {
    "session.created": lambda d: SessionCreated(_obj(d, "session")),
    "session.updated": lambda d: SessionUpdated(_obj(d, "session")),
    "input_audio_buffer.speech_started": lambda d: SpeechStarted(_s(d, "item_id")),
    "input_audio_buffer.speech_stopped": lambda d: SpeechStopped(_s(d, "item_id")),
    "input_audio_buffer.committed": lambda d: InputCommitted(_s(d, "item_id"), _opt(d, "previous_item_id")),
    "input_audio_buffer.cleared": lambda d: InputCleared(),
    "conversation.item.created": _item_created,
    "conversation.item.added": _item_created,
    "conversation.item.input_audio_transcription.delta": lambda d: UserTranscriptDelta(
        _s(d, "item_id"), _s(d, "delta")
    ),
    "conversation.item.input_audio_transcription.completed": lambda d: UserTranscriptDone(
        _s(d, "item_id"), _s(d, "transcript")
    ),
    "conversation.item.input_audio_transcription.failed": _failed_transcript,
    "response.created": lambda d: ResponseCreated(_response_id(d)),
    "response.audio_transcript.delta": _text_delta,
    "response.output_audio_transcript.delta": _text_delta,
    "response.text.delta": _text_delta,
    "response.output_text.delta": _text_delta,
    "response.audio_transcript.done": _transcript_done,
    "response.output_audio_transcript.done": _transcript_done,
    "response.text.done": _text_done,
    "response.output_text.done": _text_done,
    "response.function_call_arguments.done": lambda d: FunctionCallDone(
        _s(d, "response_id"), _s(d, "call_id"), _s(d, "name"), _s(d, "arguments")
    ),
    "response.output_item.added": lambda d: OutputItemAdded(_response_id(d), _obj(d, "item")),
    "response.output_item.done": _output_item_done,
    "conversation.item.done": lambda d: ItemDone(_s(_obj(d, "item"), "id"), _obj(d, "item")),
    "conversation.item.truncated": lambda d: ItemTruncated(_s(d, "item_id"), _int(d, "audio_end_ms")),
    "conversation.item.deleted": lambda d: ItemDeleted(_s(d, "item_id")),
    "response.content_part.added": _content_part(False),
    "response.content_part.done": _content_part(True),
    "response.function_call_arguments.delta": lambda d: FunctionCallArgumentsDelta(
        _response_id(d), _s(d, "call_id"), _s(d, "delta")
    ),
    "response.audio.done": lambda d: AudioDone(_response_id(d), _s(d, "item_id")),
    "response.output_audio.done": lambda d: AudioDone(_response_id(d), _s(d, "item_id")),
    "rate_limits.updated": _rate_limits,
    "response.done": _response_done,
    "output_audio_buffer.started": lambda d: OutputAudioStarted(_s(d, "response_id")),
    "output_audio_buffer.stopped": lambda d: OutputAudioStopped(_s(d, "response_id")),
    "output_audio_buffer.cleared": lambda d: OutputAudioCleared(),
    "error": _error,
}


def decode_message(text: str | bytes) -> dict[str, Any] | None:
    """One data-channel message as a JSON object, or None when it is not one."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        log.debug("ignoring a message that is not JSON (%d chars)", len(text))
        return None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        log.debug("ignoring a JSON message without a type")
        return None
    return data


def parse_server_event(data: dict[str, Any]) -> ServerEvent | None:
    """The typed event for a decoded message; None for types the session does not need."""
    parser = PARSE_TABLE.get(data["type"])
    if parser is None:
        log.debug("ignoring server event %s", data["type"])
        return None
    try:
        return parser(data)
    except (TypeError, AttributeError, KeyError):  # a known type with an impossible shape
        log.debug("ignoring malformed %s", data["type"])
        return None
