"""The app-level events a voice session emits, as plain dataclasses.

These are what the UI (through the controller), the self-test and the tests consume. They know
nothing about the wire protocol's dialects: `desktop.realtime.protocol` maps both dialects onto them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Literal


class SessionState(enum.Enum):
    """What the conversation is doing right now; the talk button shows exactly this."""

    IDLE = "idle"  # not connected
    CONNECTING = "connecting"
    RECONNECTING = "reconnecting"
    READY = "ready"  # connected, nobody talking
    LISTENING = "listening"  # hands-free on, or talk button held, waiting for speech
    USER_SPEAKING = "user_speaking"
    THINKING = "thinking"  # a response is being generated, no audio yet
    ASSISTANT_SPEAKING = "assistant_speaking"
    CLOSED = "closed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class StateChanged:
    state: SessionState
    detail: str = ""  # e.g. "attempt 2 of 6" while reconnecting


@dataclass(frozen=True, slots=True)
class UserTranscript:
    """The person's words. `item_id` places it in the conversation; `previous_item_id` orders it
    even when transcription arrives after the assistant began answering."""

    item_id: str
    text: str
    final: bool
    previous_item_id: str | None = None


@dataclass(frozen=True, slots=True)
class AssistantTranscript:
    item_id: str
    response_id: str
    text: str  # the delta when not final, the whole text when final
    final: bool
    interrupted: bool = False


@dataclass(frozen=True, slots=True)
class ToolActivity:
    """A tool call as it moves along: requested -> (confirming) -> done | declined | failed."""

    call_id: str
    name: str
    arguments: str
    status: Literal["requested", "confirming", "done", "declined", "failed"]
    output: str = ""
    sources: tuple[str, ...] = ()  # documents a knowledge answer drew from


@dataclass(frozen=True, slots=True)
class Usage:
    response_id: str
    input_tokens: int
    output_tokens: int
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ErrorRaised:
    """One clear sentence for the person. `fatal` means the session is over; `retryable` means a
    reconnect may help (False for a rejected key, an unknown deployment, no quota)."""

    message: str
    code: str = ""
    fatal: bool = False
    retryable: bool = True


@dataclass(frozen=True, slots=True)
class RawEvent:
    """Every wire event in both directions, for the inspector. Secrets are already masked."""

    direction: Literal["sent", "received"]
    type: str
    payload: dict[str, Any]
    timestamp: float


@dataclass(frozen=True, slots=True)
class ConnectionRenewed:
    """A new server session carries the conversation on (after a drop or before the time limit)."""

    reason: str


@dataclass(frozen=True, slots=True)
class RetryScheduled:
    """While reconnecting: the service asked to wait (its Retry-After on a 429 or 503), so the next
    attempt starts in `seconds` from now; `code` is the failure that asked ("rate_limited",
    "server_error"). The window counts down; the engine only says when."""

    seconds: float
    code: str


@dataclass(frozen=True, slots=True)
class AudioLevel:
    source: Literal["microphone", "assistant"]
    rms: float  # 0..1


AppEvent = (
    StateChanged
    | UserTranscript
    | AssistantTranscript
    | ToolActivity
    | Usage
    | ErrorRaised
    | RawEvent
    | ConnectionRenewed
    | RetryScheduled
    | AudioLevel
)
