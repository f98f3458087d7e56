"""The two event dialects: server event names, and the session object's shape in each.

Preview sessions are flat (`voice`, `turn_detection`, `input_audio_transcription` at the top); GA
sessions need `type: "realtime"` and nest audio settings under `audio.input` / `audio.output`.
"""

from __future__ import annotations

import enum
from typing import Any


class ServedDialect(enum.Enum):
    PREVIEW = "preview"
    GA = "ga"


class Ev(enum.Enum):
    """Server events whose name depends on the dialect (the rest are spelled the same in both)."""

    TRANSCRIPT_DELTA = enum.auto()
    TRANSCRIPT_DONE = enum.auto()
    TEXT_DELTA = enum.auto()
    TEXT_DONE = enum.auto()
    AUDIO_DELTA = enum.auto()  # WebSocket only: over WebRTC the audio goes on the track
    AUDIO_DONE = enum.auto()


EVENT_NAMES: dict[Ev, dict[ServedDialect, str]] = {
    Ev.TRANSCRIPT_DELTA: {
        ServedDialect.PREVIEW: "response.audio_transcript.delta",
        ServedDialect.GA: "response.output_audio_transcript.delta",
    },
    Ev.TRANSCRIPT_DONE: {
        ServedDialect.PREVIEW: "response.audio_transcript.done",
        ServedDialect.GA: "response.output_audio_transcript.done",
    },
    Ev.TEXT_DELTA: {
        ServedDialect.PREVIEW: "response.text.delta",
        ServedDialect.GA: "response.output_text.delta",
    },
    Ev.TEXT_DONE: {
        ServedDialect.PREVIEW: "response.text.done",
        ServedDialect.GA: "response.output_text.done",
    },
    Ev.AUDIO_DELTA: {
        ServedDialect.PREVIEW: "response.audio.delta",
        ServedDialect.GA: "response.output_audio.delta",
    },
    Ev.AUDIO_DONE: {
        ServedDialect.PREVIEW: "response.audio.done",
        ServedDialect.GA: "response.output_audio.done",
    },
}

# Content part types of an assistant message.
AUDIO_PART: dict[ServedDialect, str] = {ServedDialect.PREVIEW: "audio", ServedDialect.GA: "output_audio"}
TEXT_PART: dict[ServedDialect, str] = {ServedDialect.PREVIEW: "text", ServedDialect.GA: "output_text"}

# Azure GA's `?webrtcfilter=on`: the data channel carries only these (no session.*, error,
# response.done or function-call events), which is why a client that runs tools must not ask for it.
WEBRTC_FILTER_ALLOWED = {
    "input_audio_buffer.speech_started",
    "input_audio_buffer.speech_stopped",
    "output_audio_buffer.started",
    "output_audio_buffer.stopped",
    "output_audio_buffer.cleared",
    "conversation.item.created",
    "conversation.item.input_audio_transcription.completed",
    "response.output_text.delta",
    "response.output_text.done",
    "response.output_audio_transcript.delta",
    "response.output_audio_transcript.done",
}

VOICES = {"alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse"}
GA_ONLY_VOICES = {"marin", "cedar"}

DEFAULT_SERVER_VAD: dict[str, Any] = {
    "type": "server_vad",
    "threshold": 0.5,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 500,
    "create_response": True,
    "interrupt_response": True,
}
DEFAULT_SEMANTIC_VAD: dict[str, Any] = {
    "type": "semantic_vad",
    "eagerness": "auto",
    "create_response": True,
    "interrupt_response": True,
}


def event_name(event: Ev, dialect: ServedDialect) -> str:
    return EVENT_NAMES[event][dialect]


def default_session(dialect: ServedDialect, session_id: str, model: str, expires_at: int) -> dict[str, Any]:
    common = {"id": session_id, "object": "realtime.session", "model": model, "expires_at": expires_at}
    if dialect is ServedDialect.PREVIEW:
        return common | {
            "modalities": ["audio", "text"],
            "instructions": "",
            "voice": "alloy",
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm16",
            "input_audio_transcription": None,
            "input_audio_noise_reduction": None,
            "turn_detection": dict(DEFAULT_SERVER_VAD),
            "tools": [],
            "tool_choice": "auto",
            "temperature": 0.8,
            "max_response_output_tokens": "inf",
        }
    pcm = {"type": "audio/pcm", "rate": 24000}
    return (
        {"type": "realtime"}
        | common
        | {
            "output_modalities": ["audio"],
            "instructions": "",
            "tools": [],
            "tool_choice": "auto",
            "max_output_tokens": "inf",
            "tracing": None,
            "prompt": None,
            "include": None,
            "audio": {
                "input": {
                    "format": dict(pcm),
                    "transcription": None,
                    "noise_reduction": None,
                    "turn_detection": dict(DEFAULT_SERVER_VAD) | {"idle_timeout_ms": None},
                },
                "output": {"format": dict(pcm), "voice": "alloy", "speed": 1.0},
            },
        }
    )


# Read access to the settings the server acts on, whatever the dialect.


def turn_detection(session: dict[str, Any]) -> dict[str, Any] | None:
    td = (
        session["turn_detection"]
        if "turn_detection" in session
        else session["audio"]["input"]["turn_detection"]
    )
    if not isinstance(td, dict) or td.get("type") in (None, "none"):
        return None
    return td


def transcription(session: dict[str, Any]) -> dict[str, Any] | None:
    if "audio" in session:
        value = session["audio"]["input"]["transcription"]
    else:
        value = session["input_audio_transcription"]
    return value if isinstance(value, dict) else None


def voice(session: dict[str, Any]) -> str:
    return str(session["audio"]["output"]["voice"] if "audio" in session else session["voice"])


def speaks_audio(session: dict[str, Any]) -> bool:
    return "audio" in session.get("output_modalities", session.get("modalities", []))


def tool_names(session: dict[str, Any]) -> set[str]:
    if session.get("tool_choice") == "none":
        return set()
    return {str(t.get("name")) for t in session.get("tools", []) if isinstance(t, dict)}
