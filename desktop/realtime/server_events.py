"""The typed server events both dialects are parsed into (see `protocol.py` for the parse table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class SessionUpdated:
    session: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SessionCreated:
    session: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    item_id: str


@dataclass(frozen=True, slots=True)
class SpeechStopped:
    item_id: str


@dataclass(frozen=True, slots=True)
class InputCommitted:
    item_id: str
    previous_item_id: str | None


@dataclass(frozen=True, slots=True)
class InputCleared:
    pass


@dataclass(frozen=True, slots=True)
class ItemCreated:
    item_id: str
    previous_item_id: str | None
    item: dict[str, Any]


@dataclass(frozen=True, slots=True)
class UserTranscriptDelta:
    item_id: str
    delta: str


@dataclass(frozen=True, slots=True)
class UserTranscriptDone:
    item_id: str
    transcript: str


@dataclass(frozen=True, slots=True)
class UserTranscriptFailed:
    item_id: str
    message: str


@dataclass(frozen=True, slots=True)
class ResponseCreated:
    response_id: str


@dataclass(frozen=True, slots=True)
class AssistantTextDelta:
    """`response.(output_)audio_transcript.delta` and `response.(output_)text.delta`."""

    response_id: str
    item_id: str
    delta: str


@dataclass(frozen=True, slots=True)
class AssistantTextDone:
    response_id: str
    item_id: str
    text: str


@dataclass(frozen=True, slots=True)
class FunctionCallDone:
    """From `response.function_call_arguments.done` or a function_call `response.output_item.done`."""

    response_id: str
    call_id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class ResponseDone:
    response_id: str
    status: str
    status_details: dict[str, Any]
    output: list[dict[str, Any]]
    usage: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutputAudioStarted:
    response_id: str


@dataclass(frozen=True, slots=True)
class OutputAudioStopped:
    response_id: str


@dataclass(frozen=True, slots=True)
class OutputAudioCleared:
    pass


@dataclass(frozen=True, slots=True)
class OutputItemAdded:
    response_id: str
    item: dict[str, Any]


@dataclass(frozen=True, slots=True)
class OutputItemDone:
    """A finished output item that is not a function call (those become FunctionCallDone)."""

    response_id: str
    item: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ItemDone:
    item_id: str
    item: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ItemTruncated:
    item_id: str
    audio_end_ms: int


@dataclass(frozen=True, slots=True)
class ItemDeleted:
    item_id: str


@dataclass(frozen=True, slots=True)
class ContentPart:
    response_id: str
    item_id: str
    part: dict[str, Any]
    done: bool


@dataclass(frozen=True, slots=True)
class FunctionCallArgumentsDelta:
    response_id: str
    call_id: str
    delta: str


@dataclass(frozen=True, slots=True)
class AudioDone:
    """`response.audio.done` / `response.output_audio.done`: the model finished generating audio
    (over WebRTC it may still be playing: output_audio_buffer.stopped says when it ends)."""

    response_id: str
    item_id: str


@dataclass(frozen=True, slots=True)
class RateLimitsUpdated:
    rate_limits: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ServerError:
    message: str
    code: str
    error_type: str
    event_id: str


ServerEvent = (
    SessionUpdated
    | SessionCreated
    | SpeechStarted
    | SpeechStopped
    | InputCommitted
    | InputCleared
    | ItemCreated
    | UserTranscriptDelta
    | UserTranscriptDone
    | UserTranscriptFailed
    | ResponseCreated
    | AssistantTextDelta
    | AssistantTextDone
    | FunctionCallDone
    | ResponseDone
    | OutputAudioStarted
    | OutputAudioStopped
    | OutputAudioCleared
    | OutputItemAdded
    | OutputItemDone
    | ItemDone
    | ItemTruncated
    | ItemDeleted
    | ContentPart
    | FunctionCallArgumentsDelta
    | AudioDone
    | RateLimitsUpdated
    | ServerError
)
