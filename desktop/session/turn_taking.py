"""Who is talking: the conversation's state, transcripts and responses, from the server's events.

Kept apart from the session so the session holds plumbing (connect, send, tasks) and this holds the
turn-taking rules: one response at a time, local playback flushed on barge-in, late user transcripts
placed by `previous_item_id`, cancelled answers marked interrupted.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from desktop.audio import AudioOutput
from desktop.realtime import client_events as ce
from desktop.realtime import server_events as ev
from desktop.session.events import (
    AppEvent,
    AssistantTranscript,
    ErrorRaised,
    SessionState,
    Usage,
    UserTranscript,
)
from desktop.session.tool_calls import ToolCalls

log = logging.getLogger(__name__)

TOO_LITTLE_AUDIO = "Too little audio was recorded: hold the talk button while you speak."
_ERROR_SENTENCES = {
    "input_audio_buffer_commit_empty": TOO_LITTLE_AUDIO,
    "conversation_already_has_active_response": "The assistant was still answering; the request was skipped.",
}


# Races the person cannot act on (cancelling an answer that had just finished): inspector only.
_HARMLESS = frozenset({"response_cancel_not_active"})


class TurnTakingHost(Protocol):
    @property
    def idle_state(self) -> SessionState: ...

    @property
    def state(self) -> SessionState: ...

    @property
    def audio_out(self) -> AudioOutput: ...

    def send(self, event: dict[str, Any]) -> bool: ...

    def emit(self, event: AppEvent) -> None: ...

    def set_state(self, state: SessionState) -> None: ...


class TurnTaking:
    def __init__(self, host: TurnTakingHost) -> None:
        self._host = host
        self.active_response: str | None = None
        self._requested = False  # response.create sent, response.created not yet seen
        self._wanted = False  # a response is due once the active one is done
        self.audio_playing = False
        self._previous: dict[str, str | None] = {}
        self._texts: dict[str, str] = {}
        self._items_of: dict[str, list[str]] = {}

    @property
    def assistant_busy(self) -> bool:
        return self.active_response is not None or self.audio_playing or self._requested

    def request_response(self) -> None:
        """response.create now, or once the active response is done (the service refuses a second)."""
        if self.active_response is not None or self._requested:
            self._wanted = True
            return
        self._requested = True
        self._host.send(ce.response_create())

    def reset(self) -> bool:
        """The call is gone: an answer under way ends here, as interrupted, with the words said so far.
        True when an answer was asked for but had not begun (the next call should give it)."""
        for response_id, items in self._items_of.items():
            for item_id in items:
                text = self._texts.pop(item_id, "")
                self._host.emit(AssistantTranscript(item_id, response_id, text, True, interrupted=True))
        self._items_of.clear()
        self._texts.clear()
        owed = self._requested or self._wanted
        self.active_response, self._requested, self._wanted = None, False, False
        if self.audio_playing:
            self._host.audio_out.flush()
        self.audio_playing = False
        return owed

    def cut_assistant(self) -> None:
        if self.active_response is not None:
            self._host.send(ce.response_cancel())
        self._host.send(ce.output_audio_clear())
        self._host.audio_out.flush()

    def handle(self, event: ev.ServerEvent, calls: ToolCalls) -> None:
        match event:
            case ev.SpeechStarted():
                if self.audio_playing or self._host.state is SessionState.ASSISTANT_SPEAKING:
                    self._host.audio_out.flush()
                self._host.set_state(SessionState.USER_SPEAKING)
            case ev.SpeechStopped():
                self._host.set_state(SessionState.THINKING)
            case (
                ev.InputCommitted(item_id=item_id, previous_item_id=previous)
                | ev.ItemCreated(item_id=item_id, previous_item_id=previous)
            ):
                self._previous.setdefault(item_id, previous)
            case ev.UserTranscriptDelta(item_id=item_id, delta=delta):
                self._host.emit(UserTranscript(item_id, delta, False, self._previous.get(item_id)))
            case ev.UserTranscriptDone(item_id=item_id, transcript=text):
                self._host.emit(UserTranscript(item_id, text, True, self._previous.get(item_id)))
            case ev.UserTranscriptFailed(message=message):
                log.warning("The service could not transcribe the person's words: %s", message)
                self._host.emit(
                    ErrorRaised(
                        f"Your words could not be transcribed. {message}".strip(), code="transcription_failed"
                    )
                )
            case ev.ResponseCreated(response_id=response_id):
                self.active_response, self._requested = response_id, False
                if not self.audio_playing:
                    self._host.set_state(SessionState.THINKING)
            case ev.AssistantTextDelta():
                self._assistant_delta(event)
            case ev.AssistantTextDone():
                text = event.text or self._texts.get(event.item_id, "")
                self._host.emit(AssistantTranscript(event.item_id, event.response_id, text, True))
            case ev.FunctionCallDone():
                calls.request(event.response_id, event.call_id, event.name, event.arguments)
            case ev.ResponseDone():
                self._response_done(event, calls)
            case ev.OutputAudioStarted():
                self.audio_playing = True
                self._host.set_state(SessionState.ASSISTANT_SPEAKING)
            case ev.OutputAudioStopped():
                self.audio_playing = False
                if self.active_response is None:  # else response.done settles it, without a flicker
                    self._settle(calls)
            case ev.OutputAudioCleared():
                self.audio_playing = False
                self._host.audio_out.flush()
                self._settle(calls)
            case ev.ServerError():
                self._server_error(event)

    def _assistant_delta(self, event: ev.AssistantTextDelta) -> None:
        self._texts[event.item_id] = self._texts.get(event.item_id, "") + event.delta
        items = self._items_of.setdefault(event.response_id, [])
        if event.item_id not in items:
            items.append(event.item_id)
        self._host.emit(AssistantTranscript(event.item_id, event.response_id, event.delta, False))

    def _response_done(self, event: ev.ResponseDone, calls: ToolCalls) -> None:
        usage = event.usage
        if usage:
            self._host.emit(
                Usage(
                    event.response_id,
                    _int(usage.get("input_tokens")),
                    _int(usage.get("output_tokens")),
                    dict(usage),
                )
            )
        for item_id in self._items_of.pop(event.response_id, []):
            text = self._texts.pop(item_id, "")
            if event.status == "cancelled":
                self._host.emit(AssistantTranscript(item_id, event.response_id, text, True, interrupted=True))
        if event.status == "failed":
            error = event.status_details.get("error")
            reason = error.get("message", "") if isinstance(error, dict) else ""
            code = error.get("code", "") if isinstance(error, dict) else ""
            log.warning("Response %s failed: %s [%s]", event.response_id, reason, code or "no code")
            self._host.emit(
                ErrorRaised(f"The assistant could not answer. {reason}".strip(), code="response_failed")
            )
        if self.active_response == event.response_id or not event.response_id:
            self.active_response = None
        calls.response_ended(event.response_id, event.output)
        if self._wanted and self.active_response is None:
            self._wanted = False
            self.request_response()
        self._settle(calls)

    def _settle(self, calls: ToolCalls) -> None:
        """Back to idle once nothing is speaking, generating or waiting for a tool."""
        if self.audio_playing:
            return
        busy = self.active_response is not None or self._requested or calls.pending
        self._host.set_state(SessionState.THINKING if busy else self._host.idle_state)

    def _server_error(self, event: ev.ServerError) -> None:
        self._requested = False  # a refused response.create will not be followed by response.created
        harmless = event.code in _HARMLESS
        level = logging.INFO if harmless else logging.WARNING
        code = event.code or "without a code"
        log.log(level, "Service error %s (%s): %s", code, event.error_type, event.message)
        if harmless:
            return
        message = (
            _ERROR_SENTENCES.get(event.code)
            or f"The service reported an error: {event.message or event.code}"
        )
        self._host.emit(ErrorRaised(message, code=event.code))


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0
