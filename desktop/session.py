"""The voice session: connection + audio + tools, exposed as an async stream of app events. Qt-free.

State follows the protocol's own markers (speech_started/stopped, response.created/done,
output_audio_buffer.started/stopped), never transcripts, which may come late or not at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Coroutine
from typing import Any, Literal

from desktop.audio.ports import AudioInput, AudioOutput
from desktop.events import AppEvent, ErrorRaised, RawEvent, SessionState, StateChanged
from desktop.realtime import client_events as ce
from desktop.realtime.config import Dialect, SessionConfig, TurnDetection
from desktop.realtime.connection import CLOSED_WHILE_CONNECTING, Connection
from desktop.realtime.errors import SessionError
from desktop.realtime.instructions import build_instructions
from desktop.realtime.protocol import decode, parse
from desktop.realtime.providers import provider_for
from desktop.realtime.server_events import ServerError, ServerEvent, SessionUpdated
from desktop.tool_calls import ToolCalls
from desktop.tools.ports import ToolExecutor, ToolResult
from desktop.turns import Turns

__all__ = ["SessionError", "VoiceSession"]

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
    ) -> None:
        self._config = config
        self._audio_in = audio_in
        self._audio_out = audio_out
        self._tools = tools
        self._state = SessionState.IDLE
        self._queue: asyncio.Queue[AppEvent | None] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._connection: Connection | None = None
        self._dialect = Dialect.GA
        self._hands_free = not config.push_to_talk and config.turn_detection.mode != "none"
        self._settled: asyncio.Future[dict[str, Any]] | None = None
        self._push_started: float | None = None
        self._ready = False  # session.updated arrived: intents may act
        self._calls = ToolCalls(tools, self.emit, self._spawn, self._deliver_tool_results)
        self._turns = Turns(self)

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def hands_free(self) -> bool:
        return self._hands_free

    @property
    def connection(self) -> Connection | None:
        """For diagnostics and tests (peer connection state, size limit)."""
        return self._connection

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
            await self._fail(error)
            raise
        except asyncio.CancelledError:
            await self.hang_up()
            raise

    async def _connect(self) -> None:
        provider = provider_for(self._config)
        self._dialect = provider.dialect
        tools = self._config.tools or tuple(self._tools.schemas() if self._tools else ())
        settings = ce.SessionSettings.from_config(
            self._config, build_instructions(self._config.instructions), tools
        )
        await self._audio_in.start()  # before taking its track: a restarted input has a new one
        await self._audio_out.start()
        self._connection = Connection(
            self._config,
            provider,
            self._audio_in.track,
            on_message=self._received,
            on_track=self._audio_out.attach,
            on_lost=self._lost,
        )
        self._audio_in.set_open(self._hands_free)
        self._settled = asyncio.get_running_loop().create_future()
        await self._connection.open()
        update = ce.session_update(self._dialect, settings)
        self._connection.send(update)  # an oversize update fails the connect, unlike later sends
        self._raw("sent", update)
        timeout = self._config.timeouts.session_updated
        try:
            async with asyncio.timeout(timeout):
                await self._settled
        except TimeoutError:
            raise SessionError(
                f"The service did not confirm the session settings within {timeout:g} s.",
                code="session_update_timeout",
            ) from None
        self._ready = True
        if self._config.greet_first:
            self._turns.request_response()
        self.set_state(self.idle_state)

    async def hang_up(self) -> None:
        """Close cleanly; leaves no task or peer connection behind. Safe to call twice."""
        await self._shut(SessionState.CLOSED)

    async def _fail(self, error: SessionError) -> None:
        if self._state in _TERMINAL:
            return
        self.emit(ErrorRaised(self._mask(error.message), error.code, fatal=True, retryable=error.retryable))
        await self._shut(SessionState.FAILED)

    async def _shut(self, final: SessionState) -> None:
        if self._state in _TERMINAL:
            return
        self._state = final  # at once, so nothing below starts new work
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._settled is not None and not self._settled.done():
            self._settled.set_exception(SessionError(CLOSED_WHILE_CONNECTING, code="closed"))
        if self._connection is not None:
            await self._connection.close()
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
            self.emit(
                ErrorRaised(
                    "Too little audio was recorded: hold the talk button while you speak.",
                    code="input_audio_buffer_commit_empty",
                )
            )
            self.set_state(self.idle_state)
            return
        self.send(ce.input_audio_commit())
        self._turns.request_response()
        self.set_state(SessionState.THINKING)

    def set_hands_free(self, enabled: bool) -> None:
        if not self._live() or enabled == self._hands_free:
            return
        self._hands_free = enabled
        mode_on = self._config.turn_detection.mode != "none"
        detection = (self._config.turn_detection if mode_on else TurnDetection()) if enabled else None
        self.send(ce.turn_detection_update(self._dialect, detection))
        self._audio_in.set_open(enabled)
        if not self._turns.assistant_busy:
            self.set_state(self.idle_state)

    def interrupt(self) -> None:
        if self._live() and self._turns.assistant_busy:
            self._turns.cut_assistant()

    def send_text(self, text: str) -> None:
        if not self._live() or not text.strip():
            return
        if self.send(ce.user_text(text.strip())):
            self._turns.request_response()

    # Plumbing shared with Turns (not for the UI: it uses the intents above).
    @property
    def idle_state(self) -> SessionState:
        listening = self._hands_free or self._push_started is not None
        return SessionState.LISTENING if listening else SessionState.READY

    @property
    def audio_out(self) -> AudioOutput:
        return self._audio_out

    def send(self, event: dict[str, Any]) -> bool:
        """Send (or queue) one client event; False when it could not go (closed, too large)."""
        if self._connection is None or self._state in _TERMINAL:
            return False
        try:
            self._connection.send(event)
        except SessionError as error:
            self.emit(ErrorRaised(error.message, error.code, retryable=error.retryable))
            return False
        self._raw("sent", event)
        return True

    def emit(self, event: AppEvent) -> None:
        if self._state not in _TERMINAL:
            self._queue.put_nowait(event)

    def set_state(self, state: SessionState) -> None:
        if state != self._state and self._state not in _TERMINAL:
            self._state = state
            self._queue.put_nowait(StateChanged(state))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        if self._state in _TERMINAL:
            work.close()
            return
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _live(self) -> bool:
        return self._ready and self._state not in _TERMINAL

    def _mask(self, text: str) -> str:
        return self._connection.masker.text(text) if self._connection else text

    def _raw(self, direction: Literal["sent", "received"], payload: dict[str, Any]) -> None:
        masked = self._connection.masker.payload(payload) if self._connection else payload
        self.emit(RawEvent(direction, str(payload.get("type", "")), masked, time.time()))

    def _deliver_tool_results(self, results: list[ToolResult]) -> None:
        for result in results:
            self.send(ce.function_call_output(result.call_id, result.output))
        self._turns.request_response()

    def _received(self, text: str) -> None:
        data = decode(text)
        if data is None:
            self._raw("received", {"type": "invalid", "text": text[:200]})
            return
        self._raw("received", data)
        event = parse(data)
        if event is not None:
            self._dispatch(event)

    def _dispatch(self, event: ServerEvent) -> None:
        if isinstance(event, SessionUpdated) and self._settled is not None and not self._settled.done():
            self._settled.set_result(event.session)
        elif isinstance(event, ServerError) and self._settled is not None and not self._settled.done():
            self._settled.set_exception(
                SessionError(
                    f"The service refused the session settings: {event.message or event.code}",
                    code=event.code,
                    retryable=False,
                )
            )
        elif isinstance(event, ServerError) and event.code == "session_expired":
            self._spawn(
                self._fail(SessionError("The session reached its time limit and ended.", code=event.code))
            )
        else:
            self._turns.handle(event, self._calls)

    def _lost(self, error: SessionError) -> None:
        if self._settled is not None and not self._settled.done():
            self._settled.set_exception(error)
        else:
            self._spawn(self._fail(error))
