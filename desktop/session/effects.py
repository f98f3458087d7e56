"""What turn-taking asks the session to do, as plain data.

`TurnTaking` is handed server events and returns effects; `VoiceSession` applies them in one place
(`VoiceSession._apply`), in order. So the rules of taking turns can be read, and tested, as
"events in, effects out", without a connection, a speaker or a task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.session.events import AppEvent, SessionState


@dataclass(frozen=True, slots=True)
class SendClientEvent:
    """Send one client event on the active call."""

    event: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Emit:
    """Hand one app event to the window (the history records it too)."""

    event: AppEvent


@dataclass(frozen=True, slots=True)
class SetState:
    state: SessionState


@dataclass(frozen=True, slots=True)
class FlushSpeaker:
    """Drop the assistant's audio still queued for the speaker: the person is talking over it."""


@dataclass(frozen=True, slots=True)
class SetMicrophone:
    """Let the microphone's audio through to the call, or hold it back."""

    open: bool


@dataclass(frozen=True, slots=True)
class RunToolCall:
    """The model asked for a function call: run it (ToolCalls.request)."""

    response_id: str
    call_id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class EndToolRound:
    """The response that asked for tools has ended: their outputs go back once each call has a result
    (ToolCalls.response_ended); that may hand outputs back, and ask for a response, at once."""

    response_id: str
    output: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class SettleTurn:
    """After the tool round of a finished response: ask for the response that was wanted meanwhile,
    then settle the state (TurnTaking.settle_turn), seeing what the tool round did."""


Effect = (
    SendClientEvent | Emit | SetState | FlushSpeaker | SetMicrophone | RunToolCall | EndToolRound | SettleTurn
)
