"""Who is talking: the conversation's state, transcripts and responses, from the server's events.

Events in, effects out: `TurnTaking` is handed a server event, a press of the talk button or the end
of a call, with what it needs to know of the session at that moment (`TurnInputs`), and returns the
effects (desktop.session.effects) the session applies. It holds the turn-taking rules: who ends the
person's turn (the server's detection when hands-free, else the talk button), one response at a time,
local playback flushed on barge-in (only where the detection interrupts answers, `interrupt_response`:
otherwise the service goes on with the answer and so does the speaker), late user transcripts placed
by `previous_item_id`, cancelled answers marked interrupted, and an answer owed to the next call when
the call ends before it was given.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from desktop.realtime import client_events as ce
from desktop.realtime import server_events as ev
from desktop.session.effects import (
    Effect,
    Emit,
    EndToolRound,
    FlushSpeaker,
    RunToolCall,
    SendClientEvent,
    SetMicrophone,
    SetState,
    SettleTurn,
)
from desktop.session.events import (
    AssistantTranscript,
    ConnectionRenewed,
    ErrorRaised,
    SessionState,
    Usage,
    UserTranscript,
)

log = logging.getLogger(__name__)

MIN_PUSH_SECONDS = 0.1  # the service refuses to commit less than 100 ms of audio
TOO_LITTLE_AUDIO = "Too little audio was recorded: hold the talk button while you speak."
_ERROR_SENTENCES = {
    "input_audio_buffer_commit_empty": TOO_LITTLE_AUDIO,
    "conversation_already_has_active_response": "The assistant was still answering; the request was skipped.",
}

# Races the person cannot act on (cancelling an answer that had just finished): inspector only.
_HARMLESS = frozenset({"response_cancel_not_active"})
_QUIET = (SessionState.READY, SessionState.LISTENING)


@dataclass(frozen=True, slots=True)
class TurnInputs:
    """What turn-taking needs to know of the session when it handles an event."""

    state: SessionState  # the session's state now
    tools_pending: bool  # a tool call has not handed its output back yet


class TurnTaking:
    def __init__(self, hands_free: bool, interrupts: bool = True) -> None:
        self.hands_free = hands_free  # the server's detection ends the person's turn, not the button
        self.interrupts = interrupts  # the server's detection cuts a playing answer (interrupt_response)
        self.pressed_at: float | None = None  # the talk button is held, since (monotonic seconds)
        self.active_response: str | None = None
        self._requested = False  # response.create sent, response.created not yet seen
        self._wanted = False  # a response is due once the active one is done
        self.answer_owed = False  # a response is due once a call is up again
        self.audio_playing = False
        self._previous: dict[str, str | None] = {}
        self._texts: dict[str, str] = {}
        self._items_of: dict[str, list[str]] = {}

    @property
    def assistant_busy(self) -> bool:
        return self.active_response is not None or self.audio_playing or self._requested

    @property
    def talking(self) -> bool:
        """The talk button is held."""
        return self.pressed_at is not None

    @property
    def idle_state(self) -> SessionState:
        """Where a finished turn settles: listening (hands-free, or the button held) or ready."""
        return SessionState.LISTENING if self.hands_free or self.talking else SessionState.READY

    def quiet(self, now: TurnInputs) -> bool:
        """Nobody speaking, nothing generating or playing, no tool call open: a call may be swapped."""
        return (
            now.state in _QUIET and not self.talking and not self.assistant_busy and not now.tools_pending
        )

    def press_talk_button(self, at: float) -> list[Effect]:
        """Whatever was recorded before goes, the assistant stops, and the microphone opens."""
        effects: list[Effect] = [SendClientEvent(ce.input_audio_clear())]
        if self.assistant_busy:
            effects += self.cut_assistant()
        self.pressed_at = at
        return [*effects, SetMicrophone(True), SetState(SessionState.LISTENING)]

    def release_talk_button(self, at: float) -> float:
        """Returns how long the button was held; `push_finished` follows once the last audio arrived."""
        held = at - self.pressed_at if self.pressed_at is not None else 0.0
        self.pressed_at = None
        return held

    def push_finished(self, held: float) -> list[Effect]:
        """Commit what was said and ask for the answer; a press too short to commit is dropped."""
        if self.talking:  # pressed again meanwhile: that press cleared this audio
            return []
        microphone = SetMicrophone(self.hands_free)
        if held < MIN_PUSH_SECONDS:
            error = Emit(ErrorRaised(TOO_LITTLE_AUDIO, code="input_audio_buffer_commit_empty"))
            return [microphone, SendClientEvent(ce.input_audio_clear()), error, SetState(self.idle_state)]
        commit = SendClientEvent(ce.input_audio_commit())
        return [microphone, commit, *self.request_response(), SetState(SessionState.THINKING)]

    def request_response(self) -> list[Effect]:
        """response.create now, or once the active response is done (the service refuses a second)."""
        if self.active_response is not None or self._requested:
            self._wanted = True
            return []
        self._requested = True
        return [SendClientEvent(ce.response_create())]

    def cut_assistant(self) -> list[Effect]:
        """The person interrupts: cancel the answer, stop its audio on the service and here."""
        effects: list[Effect] = []
        if self.active_response is not None:
            effects.append(SendClientEvent(ce.response_cancel()))
        return [*effects, SendClientEvent(ce.output_audio_clear()), FlushSpeaker()]

    def call_ended(self) -> list[Effect]:
        """The call is gone: an answer under way ends here, as interrupted, with the words said so far.
        An answer asked for but not begun is owed to the next call (`answer_owed`); a held talk button
        is let go."""
        self.pressed_at = None
        effects: list[Effect] = [
            Emit(_interrupted(item_id, response_id, self._texts.pop(item_id, "")))
            for response_id, items in self._items_of.items()
            for item_id in items
        ]
        self._items_of.clear()
        self._texts.clear()
        self.answer_owed = self._requested or self._wanted or self.answer_owed
        self.active_response, self._requested, self._wanted = None, False, False
        if self.audio_playing:
            effects.append(FlushSpeaker())
        self.audio_playing = False
        return effects

    def call_renewed(self, reason: str) -> list[Effect]:
        """A new call carries the conversation on: no greeting, but an owed answer (a tool's result)."""
        renewed: list[Effect] = [SetMicrophone(self.hands_free), Emit(ConnectionRenewed(reason))]
        if not self.answer_owed:
            return [*renewed, SetState(self.idle_state)]
        self.answer_owed = False
        return [*renewed, *self.request_response(), SetState(SessionState.THINKING)]

    def handle(self, event: ev.ServerEvent, now: TurnInputs) -> list[Effect]:
        """The effects of one server event, in the order they are to be applied."""
        match event:
            case ev.SpeechStarted():
                speaking = self.audio_playing or now.state is SessionState.ASSISTANT_SPEAKING
                barge_in = speaking and self.interrupts
                return [*([FlushSpeaker()] if barge_in else []), SetState(SessionState.USER_SPEAKING)]
            case ev.SpeechStopped():
                return [SetState(SessionState.THINKING)]
            case (
                ev.InputCommitted(item_id=item_id, previous_item_id=previous)
                | ev.ItemCreated(item_id=item_id, previous_item_id=previous)
            ):
                self._previous.setdefault(item_id, previous)
            case ev.UserTranscriptDelta(item_id=item_id, delta=delta):
                return [Emit(UserTranscript(item_id, delta, False, self._previous.get(item_id)))]
            case ev.UserTranscriptDone(item_id=item_id, transcript=text):
                return [Emit(UserTranscript(item_id, text, True, self._previous.get(item_id)))]
            case ev.UserTranscriptFailed(message=message):
                return _transcription_failed(message)
            case ev.ResponseCreated(response_id=response_id):
                self.active_response, self._requested = response_id, False
                return [] if self.audio_playing else [SetState(SessionState.THINKING)]
            case ev.AssistantTextDelta():
                return self._assistant_delta(event)
            case ev.AssistantTextDone():
                text = event.text or self._texts.get(event.item_id, "")
                return [Emit(AssistantTranscript(event.item_id, event.response_id, text, True))]
            case ev.FunctionCallDone():
                return [RunToolCall(event.response_id, event.call_id, event.name, event.arguments)]
            case ev.ResponseDone():
                return self._response_done(event)
            case ev.OutputAudioStarted():
                self.audio_playing = True
                return [SetState(SessionState.ASSISTANT_SPEAKING)]
            case ev.OutputAudioStopped():
                self.audio_playing = False  # with a response active, response.done settles it: no flicker
                return self._settle(now) if self.active_response is None else []
            case ev.OutputAudioCleared():
                self.audio_playing = False
                return [FlushSpeaker(), *self._settle(now)]
            case ev.ServerError():
                return self._server_error(event)
        return []

    def settle_turn(self, now: TurnInputs) -> list[Effect]:
        """After a finished response's tool round: the response wanted meanwhile, then the state."""
        effects: list[Effect] = []
        if self._wanted and self.active_response is None:
            self._wanted = False
            effects += self.request_response()
        return effects + self._settle(now)

    def _assistant_delta(self, event: ev.AssistantTextDelta) -> list[Effect]:
        self._texts[event.item_id] = self._texts.get(event.item_id, "") + event.delta
        items = self._items_of.setdefault(event.response_id, [])
        if event.item_id not in items:
            items.append(event.item_id)
        return [Emit(AssistantTranscript(event.item_id, event.response_id, event.delta, False))]

    def _response_done(self, event: ev.ResponseDone) -> list[Effect]:
        effects: list[Effect] = [Emit(_usage(event.response_id, event.usage))] if event.usage else []
        for item_id in self._items_of.pop(event.response_id, []):
            text = self._texts.pop(item_id, "")
            if event.status == "cancelled":
                effects.append(Emit(_interrupted(item_id, event.response_id, text)))
        if event.status == "failed":
            effects += _response_failed(event)
        if self.active_response == event.response_id or not event.response_id:
            self.active_response = None
        return [*effects, EndToolRound(event.response_id, event.output), SettleTurn()]

    def _settle(self, now: TurnInputs) -> list[Effect]:
        """Back to idle once nothing is speaking, generating or waiting for a tool."""
        if self.audio_playing:
            return []
        busy = self.active_response is not None or self._requested or now.tools_pending
        return [SetState(SessionState.THINKING if busy else self.idle_state)]

    def _server_error(self, event: ev.ServerError) -> list[Effect]:
        self._requested = False  # a refused response.create will not be followed by response.created
        harmless = event.code in _HARMLESS
        level = logging.INFO if harmless else logging.WARNING
        code = event.code or "without a code"
        log.log(level, "Service error %s (%s): %s", code, event.error_type, event.message)
        if harmless:
            return []
        message = (
            _ERROR_SENTENCES.get(event.code)
            or f"The service reported an error: {event.message or event.code}"
        )
        return [Emit(ErrorRaised(message, code=event.code))]


def _interrupted(item_id: str, response_id: str, text: str) -> AssistantTranscript:
    return AssistantTranscript(item_id, response_id, text, True, interrupted=True)


def _transcription_failed(message: str) -> list[Effect]:
    log.warning("The service could not transcribe the person's words: %s", message)
    sentence = f"Your words could not be transcribed. {message}".strip()
    return [Emit(ErrorRaised(sentence, code="transcription_failed"))]


def _response_failed(event: ev.ResponseDone) -> list[Effect]:
    error = event.status_details.get("error")
    reason = error.get("message", "") if isinstance(error, dict) else ""
    code = error.get("code", "") if isinstance(error, dict) else ""
    log.warning("Response %s failed: %s [%s]", event.response_id, reason, code or "no code")
    return [Emit(ErrorRaised(f"The assistant could not answer. {reason}".strip(), code="response_failed"))]


def _usage(response_id: str, usage: dict[str, Any]) -> Usage:
    return Usage(response_id, _int(usage.get("input_tokens")), _int(usage.get("output_tokens")), dict(usage))


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0
