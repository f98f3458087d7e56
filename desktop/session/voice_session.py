"""The voice session: connection + audio + tools, exposed as an async stream of app events. Qt-free.

State follows the protocol's own markers (speech_started/stopped, response.created/done,
output_audio_buffer.started/stopped), never transcripts, which may come late or not at all.
The session outlives its calls: a lost or expiring call is replaced (reconnect.py decides when,
call_handover.py holds the calls) and the new one is told the conversation so far (history.py): the
person sees one conversation. Its parts are not handed the session: turn-taking returns effects
(effects.py), which `_apply` carries out in one place; the hand-over holds the calls and reports
through `CallListeners`; the reconnector asks for its steps through `SessionSteps`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from desktop.audio import AudioInput, AudioOutput
from desktop.realtime import Connection, ItemCreated, ServerError, ServerEvent, SessionConfig, SessionError
from desktop.realtime import client_events as ce
from desktop.session import effects
from desktop.session.call_audio import stop_audio
from desktop.session.call_handover import CallHandover, CallListeners, detection
from desktop.session.events import AppEvent, ErrorRaised, RetryScheduled, SessionState
from desktop.session.history import ConversationHistory
from desktop.session.model_call import ConnectionFactory, ModelCall, RealtimeConnection
from desktop.session.reconnect import EXPIRED, LOST, Reconnector, ReconnectPolicy, SessionSteps, Sleep
from desktop.session.session_stream import SessionStream
from desktop.session.tool_calls import ToolCalls
from desktop.session.turn_taking import TurnInputs, TurnTaking
from desktop.tools import ToolExecutor, ToolResult

log = logging.getLogger(__name__)

AUDIO_TRAVEL_SECONDS = 0.06  # audio (RTP) and control (SCTP) travel apart: let the last words arrive


class VoiceSession:
    def __init__(
        self,
        config: SessionConfig,
        audio_in: AudioInput,
        audio_out: AudioOutput,
        tools: ToolExecutor | None = None,
        *,
        reconnect: ReconnectPolicy | None = None,
        connect: ConnectionFactory = Connection,
        clock: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """`reconnect`: how lost calls are replaced (default ReconnectPolicy(); NO_RECONNECT: never).
        `connect` makes each call's connection, `clock` is the wall clock, `sleep` the wait before an
        attempt to reconnect: tests inject fakes."""
        self._config = config
        self._audio_in = audio_in
        self._audio_out = audio_out
        self._stream = SessionStream()
        self._tool_calls = ToolCalls(tools, self.emit, self._spawn, self._deliver_tool_results)
        hands_free = not config.push_to_talk and config.turn_detection.mode != "none"
        self._turn_taking = TurnTaking(hands_free, interrupts=config.turn_detection.interrupt_response)
        self._history = ConversationHistory()
        listeners = CallListeners(
            self._dispatch, self.emit, self._call_lost, self._expecting_media, self._hands_free
        )
        audio = (audio_in, audio_out)
        self._call_handover = CallHandover(config, tools, audio, listeners, connect=connect, clock=clock)
        steps = SessionSteps(
            show_attempt=self._show_attempt,
            detach_call=self._detach_call,
            take_over=self._take_over,
            until_quiet=self._until_quiet,
            fail=self.fail,
            spawn=self._stream.spawn,
        )
        policy = reconnect or ReconnectPolicy()
        self._reconnector = Reconnector(
            self._call_handover, steps, policy, config.provider, clock=clock, sleep=sleep
        )

    @property
    def state(self) -> SessionState:
        return self._stream.state

    @property
    def hands_free(self) -> bool:
        return self._turn_taking.hands_free

    @property
    def connection(self) -> RealtimeConnection | None:
        """For diagnostics and tests (peer connection state, size limit)."""
        model_call = self._call_handover.model_call
        return model_call.connection if model_call is not None else None

    async def events(self) -> AsyncIterator[AppEvent]:
        """The one stream of app events (single consumer). Ends after the session is closed or failed."""
        async for event in self._stream.events():
            yield event

    async def connect(self) -> None:
        """Mint, SDP, data channel, session.update -> session.updated, then greet (response.create).
        On failure: emits ErrorRaised (one sentence) and StateChanged(FAILED), raises SessionError."""
        self.set_state(SessionState.CONNECTING)
        try:
            await self._connect()
        except SessionError as error:
            await self.fail(error)
            raise
        except asyncio.CancelledError:
            await self.hang_up()
            raise

    async def _connect(self) -> None:
        # Neither start waits for its device (PortAudio opens on a worker thread while the call
        # connects); the input's track exists at once, so the offer never waits for a device.
        await self._audio_in.start()  # before taking its track: a restarted input has a new one
        await self._audio_out.start()
        self._call_handover.prepare()
        self._audio_in.set_open(self._turn_taking.hands_free)
        await self._call_handover.open_first()
        if self._config.greet_first:
            self._apply(self._turn_taking.request_response())
        self.set_state(self._turn_taking.idle_state)
        self._reconnector.start()

    def cancel_reconnect(self) -> None:
        """The person gave up waiting: end the session (CLOSED) instead of trying again."""
        if self._reconnector.recovering:
            self._spawn(self.hang_up())

    def check_connection(self) -> None:
        """After a network change or a wake-up: check the call, and replace it if it is dead."""
        if self._live():
            self._reconnector.check()

    async def hang_up(self) -> None:
        """Close cleanly; leaves no task or peer connection behind. Safe to call twice."""
        await self._shut(SessionState.CLOSED)

    async def fail(self, error: SessionError) -> None:
        if self._stream.ended:
            return
        log.error("The conversation failed: %s", error.for_log)
        self.emit(ErrorRaised(error.message, error.code, fatal=True, retryable=error.retryable))
        await self._shut(SessionState.FAILED)

    async def _shut(self, final: SessionState) -> None:
        if self._stream.ended:
            return
        if final is SessionState.CLOSED:  # a failure has its own line (`fail`), with the reason
            log.info("The conversation is closed")
        await self._stream.end(final)
        await self._call_handover.close()
        await stop_audio(self._audio_in, self._audio_out)  # both at once: each may wait for PortAudio
        self._stream.close()

    # Intent: plain methods so Qt slots can call them; work is scheduled on owned tasks.
    def begin_push_to_talk(self) -> None:
        if self._live():
            self._apply(self._turn_taking.press_talk_button(time.monotonic()))

    def end_push_to_talk(self) -> None:
        if self._turn_taking.talking and self._live():
            self._spawn(self._finish_push(self._turn_taking.release_talk_button(time.monotonic())))

    async def _finish_push(self, held: float) -> None:
        await asyncio.sleep(AUDIO_TRAVEL_SECONDS)
        self._apply(self._turn_taking.push_finished(held))

    def set_hands_free(self, enabled: bool) -> None:
        reconnecting = self._reconnector.recovering and not self._stream.ended
        if not (self._live() or reconnecting) or enabled == self._turn_taking.hands_free:
            return
        # While reconnecting, the next call's session.update carries it.
        self._turn_taking.hands_free = enabled
        if self._live():
            self.send(ce.turn_detection_update(self._call_handover.dialect, detection(self._config, enabled)))
        self._audio_in.set_open(enabled)
        if not self._turn_taking.assistant_busy:
            self.set_state(self._turn_taking.idle_state)

    def interrupt(self) -> None:
        if self._live() and self._turn_taking.assistant_busy:
            self._apply(self._turn_taking.cut_assistant())

    def send_text(self, text: str) -> None:
        if not text.strip() or self._stream.ended:
            return
        if self._reconnector.recovering:  # the next call gets it with the replay, and answers it
            self._history.user_text(text.strip())
            self._turn_taking.answer_owed = True
        elif self._live() and self.send(ce.user_text(text.strip())):
            self._apply(self._turn_taking.request_response())

    # Plumbing (not for the UI: it uses the intents above).
    def send(self, event: dict[str, Any]) -> bool:
        """Send (or queue) one client event; False when it could not go (closed, too large)."""
        model_call = self._call_handover.model_call
        if model_call is None or self._stream.ended:
            return False
        try:
            model_call.send(event)
        except SessionError as error:
            log.warning("A %s event was not sent: %s", event.get("type"), error.for_log)
            self.emit(ErrorRaised(error.message, error.code, retryable=error.retryable))
            return False
        return True

    def emit(self, event: AppEvent) -> None:
        if isinstance(event, ErrorRaised):  # the service's own words may quote what it was sent
            event = dataclasses.replace(event, message=self._call_handover.mask(event.message))
        if not self._stream.ended:
            self._history.observe(event)
            self._stream.put(event)

    def set_state(self, state: SessionState, detail: str = "") -> None:
        self._stream.set_state(state, detail)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self._stream.spawn(work)

    def _live(self) -> bool:
        return self._call_handover.ready and not self._stream.ended

    def _expecting_media(self) -> bool:
        return self._turn_taking.audio_playing

    def _hands_free(self) -> bool:
        return self._turn_taking.hands_free

    def _apply(self, todo: list[effects.Effect]) -> None:
        """Carry out what turn-taking returned, in order: the one place its effects happen."""
        for effect in todo:
            match effect:
                case effects.SendClientEvent(event=event):
                    self.send(event)
                case effects.Emit(event=event):
                    self.emit(event)
                case effects.SetState(state=state):
                    self.set_state(state)
                case effects.FlushSpeaker():
                    self._audio_out.flush()
                case effects.SetMicrophone(open=open_):
                    self._audio_in.set_open(open_)
                case effects.RunToolCall(response_id=response, call_id=call, name=name, arguments=arguments):
                    self._tool_calls.request(response, call, name, arguments)
                case effects.EndToolRound(response_id=response, output=output):
                    self._tool_calls.response_ended(response, output)
                case effects.SettleTurn():
                    self._apply(self._turn_taking.settle_turn(self._turn_inputs()))

    def _turn_inputs(self) -> TurnInputs:
        return TurnInputs(self._stream.state, self._tool_calls.pending)

    def _dispatch(self, event: ServerEvent) -> None:
        if isinstance(event, ItemCreated):
            self._history.item_created(event.item_id, event.item)
        if isinstance(event, ServerError) and (todo := self._call_handover.replay_refused(event)) is not None:
            self._apply(todo)  # a background step: the log hears it, the person only of lost context
        elif isinstance(event, ServerError) and event.code == "session_expired":
            error = SessionError("The session reached its time limit and ended.", code=event.code)
            self._reconnector.lost(error, EXPIRED)
        else:
            self._apply(self._turn_taking.handle(event, self._turn_inputs()))

    def _deliver_tool_results(self, results: list[ToolResult]) -> None:
        for result in results:
            self._history.function_output(result.call_id, result.output)
        if not self._live():  # between calls: the replay carries the outputs, then the answer follows
            self._turn_taking.answer_owed = True
            return
        for result in results:
            self.send(ce.function_call_output(result.call_id, result.output))
        self._apply(self._turn_taking.request_response())

    # Replacing a call: the steps the Reconnector asks for (SessionSteps).
    def _call_lost(self, error: SessionError) -> None:
        self._reconnector.lost(error, LOST)

    def _show_attempt(self, attempt: int, attempts: int, asked: RetryScheduled | None) -> None:
        self.set_state(SessionState.RECONNECTING, f"attempt {attempt} of {attempts}")
        if asked is not None:  # the service named the wait: the window counts it down
            self.emit(asked)

    def _detach_call(self) -> ModelCall | None:
        """The active call stops counting: what was under way in it ends here (a held talk button
        is let go, an answer is cut short or owed, tool outputs wait for the next call)."""
        model_call = self._call_handover.detach()
        self._apply(self._turn_taking.call_ended())
        self._tool_calls.connection_lost()
        return model_call

    def _take_over(self, model_call: ModelCall, reason: str) -> ModelCall | None:
        """The conversation goes on in `model_call`, told what was said; returns the call it replaces."""
        old = self._detach_call() if self._call_handover.model_call is not None else None
        self._call_handover.switch_to(model_call, self._history, reason, self._turn_taking.answer_owed)
        self._apply(self._turn_taking.call_renewed(reason))
        return old

    def _quiet(self) -> bool:
        return self._call_handover.ready and self._turn_taking.quiet(self._turn_inputs())

    async def _until_quiet(self) -> None:
        await self._stream.until(self._quiet)
