"""The voice session: connection + audio + tools, exposed as an async stream of app events. Qt-free.

State follows the protocol's own markers (speech_started/stopped, response.created/done,
output_audio_buffer.started/stopped), never transcripts, which may come late or not at all.
The session outlives its calls: a lost or expiring call is replaced (reconnect.py, handover.py)
and the new one is told the conversation so far (continuity.py): the person sees one conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from desktop.audio import AudioInput, AudioOutput
from desktop.realtime import (
    Connection,
    ItemCreated,
    Masker,
    ServerError,
    ServerEvent,
    SessionConfig,
    SessionError,
)
from desktop.realtime import client_events as ce
from desktop.session.call_handover import CallHandover, detection
from desktop.session.events import AppEvent, ErrorRaised, SessionState, StateChanged
from desktop.session.history import ConversationHistory
from desktop.session.model_call import ModelCall
from desktop.session.reconnect import EXPIRED, LOST, Reconnector, ReconnectPolicy
from desktop.session.tool_calls import ToolCalls
from desktop.session.turn_taking import TOO_LITTLE_AUDIO, TurnTaking
from desktop.tools import ToolExecutor, ToolResult

__all__ = ["ReconnectPolicy", "SessionError", "VoiceSession"]

log = logging.getLogger(__name__)

AUDIO_TRAVEL_SECONDS = 0.06  # audio (RTP) and control (SCTP) travel apart: let the last words arrive
MIN_PUSH_SECONDS = 0.1  # the service refuses to commit less than 100 ms of audio
_TERMINAL = (SessionState.CLOSED, SessionState.FAILED)


class VoiceSession:
    def __init__(
        self,
        config: SessionConfig,
        audio_in: AudioInput,
        audio_out: AudioOutput,
        tools: ToolExecutor | None = None,
        *,
        reconnect: ReconnectPolicy | None = None,
    ) -> None:
        """`reconnect`: how lost calls are replaced (default ReconnectPolicy(); NO_RECONNECT: never)."""
        self._config = config
        self._audio_in = audio_in
        self._audio_out = audio_out
        self._state = SessionState.IDLE
        self._queue: asyncio.Queue[AppEvent | None] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._hands_free = not config.push_to_talk and config.turn_detection.mode != "none"
        self._push_started: float | None = None
        self._calls = ToolCalls(tools, self.emit, self._spawn, self._deliver_tool_results)
        self._turns = TurnTaking(self)
        self._record = ConversationHistory()
        parts = (self._turns, self._calls, self._record)
        self._handover = CallHandover(self, config, tools, (audio_in, audio_out), parts)
        self._reconnector = Reconnector(self._handover, reconnect or ReconnectPolicy(), config.provider)

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def hands_free(self) -> bool:
        return self._hands_free

    @property
    def talking(self) -> bool:
        return self._push_started is not None

    @property
    def connection(self) -> Connection | None:
        """For diagnostics and tests (peer connection state, size limit)."""
        link = self._handover.link
        return link.connection if link is not None else None

    @property
    def record(self) -> ConversationHistory:
        return self._record

    async def events(self) -> AsyncIterator[AppEvent]:
        """The one stream of app events (single consumer). Ends after the session is closed or failed."""
        while (event := await self._queue.get()) is not None:
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
        await self._audio_in.start()  # before taking its track: a restarted input has a new one
        await self._audio_out.start()
        self._handover.prepare()
        self._audio_in.set_open(self._hands_free)
        await self._handover.open_first()
        if self._config.greet_first:
            self._turns.request_response()
        self.set_state(self.idle_state)
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
        if self._state in _TERMINAL:
            return
        log.error("The conversation failed: %s", error.for_log)
        self.emit(ErrorRaised(error.message, error.code, fatal=True, retryable=error.retryable))
        await self._shut(SessionState.FAILED)

    async def _shut(self, final: SessionState) -> None:
        if self._state in _TERMINAL:
            return
        self._state = final  # at once, so nothing below starts new work
        if final is SessionState.CLOSED:  # a failure has its own line (`fail`), with the reason
            log.info("The conversation is closed")
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._handover.close()
        await self._audio_in.stop()
        await self._audio_out.stop()
        self._queue.put_nowait(StateChanged(final))
        self._queue.put_nowait(None)

    # Intent: plain methods so Qt slots can call them; work is scheduled on owned tasks.
    def begin_push_to_talk(self) -> None:
        if not self._live():
            return
        self.send(ce.input_audio_clear())
        if self._turns.assistant_busy:
            self._turns.cut_assistant()
        self._audio_in.set_open(True)
        self._push_started = time.monotonic()
        self.set_state(SessionState.LISTENING)

    def end_push_to_talk(self) -> None:
        if self._push_started is None or not self._live():
            return
        held, self._push_started = time.monotonic() - self._push_started, None
        self._spawn(self._finish_push(held))

    async def _finish_push(self, held: float) -> None:
        await asyncio.sleep(AUDIO_TRAVEL_SECONDS)
        if self._push_started is not None:  # pressed again meanwhile: that press cleared this audio
            return
        self._audio_in.set_open(self._hands_free)
        if held < MIN_PUSH_SECONDS:
            self.send(ce.input_audio_clear())
            self.emit(ErrorRaised(TOO_LITTLE_AUDIO, code="input_audio_buffer_commit_empty"))
            self.set_state(self.idle_state)
            return
        self.send(ce.input_audio_commit())
        self._turns.request_response()
        self.set_state(SessionState.THINKING)

    def set_hands_free(self, enabled: bool) -> None:
        reconnecting = self._reconnector.recovering and self._state not in _TERMINAL
        if not (self._live() or reconnecting) or enabled == self._hands_free:
            return
        self._hands_free = enabled  # while reconnecting, the next call's session.update carries it
        if self._live():
            self.send(ce.turn_detection_update(self._handover.dialect, detection(self._config, enabled)))
        self._audio_in.set_open(enabled)
        if not self._turns.assistant_busy:
            self.set_state(self.idle_state)

    def interrupt(self) -> None:
        if self._live() and self._turns.assistant_busy:
            self._turns.cut_assistant()

    def send_text(self, text: str) -> None:
        if not text.strip() or self._state in _TERMINAL:
            return
        if self._reconnector.recovering:  # the next call gets it with the replay, and answers it
            self._record.user_text(text.strip())
            self._handover.answer_due = True
        elif self._live() and self.send(ce.user_text(text.strip())):
            self._turns.request_response()

    # Plumbing shared with TurnTaking (not for the UI: it uses the intents above).
    @property
    def idle_state(self) -> SessionState:
        listening = self._hands_free or self._push_started is not None
        return SessionState.LISTENING if listening else SessionState.READY

    @property
    def audio_out(self) -> AudioOutput:
        return self._audio_out

    def send(self, event: dict[str, Any]) -> bool:
        """Send (or queue) one client event; False when it could not go (closed, too large)."""
        link = self._handover.link
        if link is None or self._state in _TERMINAL:
            return False
        try:
            link.send(event)
        except SessionError as error:
            log.warning("A %s event was not sent: %s", event.get("type"), error.for_log)
            self.emit(ErrorRaised(error.message, error.code, retryable=error.retryable))
            return False
        return True

    def emit(self, event: AppEvent) -> None:
        if isinstance(event, ErrorRaised):  # the service's own words may quote what it was sent
            event = dataclasses.replace(event, message=self._mask(event.message))
        if self._state not in _TERMINAL:
            self._record.observe(event)
            self._queue.put_nowait(event)
            self._handover.changed.set()

    def set_state(self, state: SessionState, detail: str = "") -> None:
        if (state != self._state or detail) and self._state not in _TERMINAL:
            self._state = state
            self._queue.put_nowait(StateChanged(state, detail))
            self._handover.changed.set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
        if self._state in _TERMINAL:
            work.close()
            return None
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self.spawn(work)

    def _mask(self, text: str) -> str:
        link = self._handover.link
        return link.mask(text) if link is not None else Masker([self._config.api_key]).text(text)

    def _live(self) -> bool:
        return self._handover.ready and self._state not in _TERMINAL

    def _deliver_tool_results(self, results: list[ToolResult]) -> None:
        for result in results:
            self._record.function_output(result.call_id, result.output)
        if not self._live():  # between calls: the replay carries the outputs, then the answer follows
            self._handover.answer_due = True
            return
        for result in results:
            self.send(ce.function_call_output(result.call_id, result.output))
        self._turns.request_response()

    def dispatch(self, event: ServerEvent) -> None:
        if isinstance(event, ItemCreated):
            self._record.item_created(event.item_id, event.item)
        if isinstance(event, ServerError) and event.code == "session_expired":
            error = SessionError("The session reached its time limit and ended.", code=event.code)
            self._reconnector.lost(error, EXPIRED)
        else:
            self._turns.handle(event, self._calls)

    def lost(self, link: ModelCall, error: SessionError) -> None:
        if link is self._handover.link:
            self._reconnector.lost(error, LOST)

    def call_ended(self) -> None:
        self._push_started = None
