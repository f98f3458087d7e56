"""Client events, built per dialect.

Preview takes a flat session object; GA nests audio settings under `audio.input` / `audio.output`
and requires `type: "realtime"`. Everything else the client sends is the same in both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from desktop.realtime.config import Dialect, SessionConfig, TurnDetection


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """What the session.update carries, resolved from the config at connect time."""

    instructions: str
    voice: str
    turn_detection: TurnDetection | None  # None: push-to-talk
    transcription_model: str
    transcription_language: str
    tools: tuple[dict[str, Any], ...]
    tool_choice: str

    @classmethod
    def from_config(
        cls, config: SessionConfig, instructions: str, tools: tuple[dict[str, Any], ...]
    ) -> SessionSettings:
        detection = (
            None if config.push_to_talk or config.turn_detection.mode == "none" else config.turn_detection
        )
        return cls(
            instructions=instructions,
            voice=config.voice,
            turn_detection=detection,
            transcription_model=config.transcription_model,
            transcription_language=config.transcription_language,
            tools=tools,
            tool_choice=config.tool_choice,
        )


def turn_detection_payload(detection: TurnDetection | None) -> dict[str, Any] | None:
    if detection is None or detection.mode == "none":
        return None
    common = {
        "create_response": detection.create_response,
        "interrupt_response": detection.interrupt_response,
    }
    if detection.mode == "semantic_vad":
        return {"type": "semantic_vad", "eagerness": detection.eagerness, **common}
    return {
        "type": "server_vad",
        "threshold": detection.threshold,
        "prefix_padding_ms": detection.prefix_padding_ms,
        "silence_duration_ms": detection.silence_duration_ms,
        **common,
    }


def _transcription(settings: SessionSettings) -> dict[str, Any] | None:
    if not settings.transcription_model:
        return None
    result = {"model": settings.transcription_model}
    if settings.transcription_language:
        result["language"] = settings.transcription_language
    return result


def session_update(dialect: Dialect, settings: SessionSettings) -> dict[str, Any]:
    detection = turn_detection_payload(settings.turn_detection)
    tools = [dict(tool) for tool in settings.tools]
    if dialect is Dialect.PREVIEW:
        session: dict[str, Any] = {
            "modalities": ["audio", "text"],
            "instructions": settings.instructions,
            "voice": settings.voice,
            "input_audio_transcription": _transcription(settings),
            "turn_detection": detection,
            "tools": tools,
            "tool_choice": settings.tool_choice,
        }
    else:
        session = {
            "type": "realtime",
            "output_modalities": ["audio"],
            "instructions": settings.instructions,
            "audio": {
                "input": {"transcription": _transcription(settings), "turn_detection": detection},
                "output": {"voice": settings.voice},
            },
            "tools": tools,
            "tool_choice": settings.tool_choice,
        }
    return {"type": "session.update", "session": session}


def turn_detection_update(dialect: Dialect, detection: TurnDetection | None) -> dict[str, Any]:
    payload = turn_detection_payload(detection)
    if dialect is Dialect.PREVIEW:
        return {"type": "session.update", "session": {"turn_detection": payload}}
    return {
        "type": "session.update",
        "session": {"type": "realtime", "audio": {"input": {"turn_detection": payload}}},
    }


def response_create() -> dict[str, Any]:
    return {"type": "response.create"}


def response_cancel() -> dict[str, Any]:
    return {"type": "response.cancel"}


def input_audio_clear() -> dict[str, Any]:
    return {"type": "input_audio_buffer.clear"}


def input_audio_commit() -> dict[str, Any]:
    return {"type": "input_audio_buffer.commit"}


def output_audio_clear() -> dict[str, Any]:
    return {"type": "output_audio_buffer.clear"}


def user_text(text: str) -> dict[str, Any]:
    return {
        "type": "conversation.item.create",
        "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]},
    }


def function_call_output(call_id: str, output: str) -> dict[str, Any]:
    return {
        "type": "conversation.item.create",
        "item": {"type": "function_call_output", "call_id": call_id, "output": output},
    }


def encode(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


# Replaying a conversation into a new session (see desktop/session/history.py). Each item keeps its id, so
# the new session's `conversation.item.created` echoes are recognised as already known.
def _item_create(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "conversation.item.create", "item": item}


def message_item(dialect: Dialect, role: str, text: str, item_id: str) -> dict[str, Any]:
    """A user, system or assistant message as text: the user's words (and a system note) are
    `input_text`; the assistant's are `text` in the preview dialect and `output_text` in GA (each
    dialect refuses the other's)."""
    assistant = "text" if dialect is Dialect.PREVIEW else "output_text"
    kind = "input_text" if role in ("user", "system") else assistant
    return _item_create(
        {"id": item_id, "type": "message", "role": role, "content": [{"type": kind, "text": text}]}
    )


def function_call_item(call_id: str, name: str, arguments: str, item_id: str) -> dict[str, Any]:
    return _item_create(
        {"id": item_id, "type": "function_call", "call_id": call_id, "name": name, "arguments": arguments}
    )


def function_output_item(call_id: str, output: str, item_id: str) -> dict[str, Any]:
    return _item_create({"id": item_id, "type": "function_call_output", "call_id": call_id, "output": output})
