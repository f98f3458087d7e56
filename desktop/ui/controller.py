"""The one bridge between the asyncio world and the widgets.

Session events come in through one pump task (`async for event in session.events()`) and leave as
typed Qt signals; the person's intent comes in through plain slots and becomes session calls. Every
task it starts is kept and cancelled on shutdown. Nothing here imports the media stack: the composition
root hands in a `SessionFactory` that builds sessions on demand, after the window is on screen.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer, Signal, SignalInstance

from desktop.realtime import SessionError
from desktop.session import (
    AssistantTranscript,
    AudioLevel,
    ConnectionRenewed,
    ErrorRaised,
    RawEvent,
    RetryScheduled,
    SessionState,
    StateChanged,
    ToolActivity,
    Usage,
    UserTranscript,
)
from desktop.settings import KeyStore, Preferences
from desktop.ui.about_actions import AboutActions
from desktop.ui.error_text import localized_notice
from desktop.ui.ports import SessionFactory, SessionHandle
from desktop.ui.settings_actions import SettingsActions

if TYPE_CHECKING:
    from desktop.realtime import SessionConfig
    from desktop.session import VoiceSession

log = logging.getLogger(__name__)

LEVEL_INTERVAL_MS = 50  # 20 Hz: smooth to the eye, cheap for the GUI thread
_TALKING_BACK = (SessionState.THINKING, SessionState.ASSISTANT_SPEAKING)
_OFF = frozenset({SessionState.IDLE, SessionState.CLOSED, SessionState.FAILED})
_LIVE = frozenset(SessionState) - _OFF - {SessionState.CONNECTING}  # the session takes intent


class Controller(SettingsActions):
    """Session events out as signals, the person's intent in as session calls; the settings half
    (preferences, secrets, the connection test) is `SettingsActions`."""

    stateChanged = Signal(object, str)  # SessionState, detail (e.g. "attempt 2 of 6")
    userTranscript = Signal(object)  # UserTranscript
    assistantTranscript = Signal(object)  # AssistantTranscript
    toolActivity = Signal(object)  # ToolActivity
    rawEvent = Signal(object)  # RawEvent
    usageReported = Signal(object)  # Usage: one response's tokens (the window sums them)
    connectionRenewed = Signal(str)  # the reason; the conversation goes on
    retryScheduled = Signal(object)  # RetryScheduled: the service asked to wait before the next attempt
    microphoneLevel = Signal(float)
    audioRecovered = Signal(str)  # "The microphone “USB” is back." after a device problem

    def __init__(
        self, store: QSettings, prefs: Preferences, keys: KeyStore, session_factory: SessionFactory
    ) -> None:
        super().__init__(store, prefs, keys, session_factory)
        self.about = AboutActions(store, keys, lambda: self.prefs, self._spawn)
        self._call: SessionHandle | None = None
        self.state = SessionState.IDLE
        self._hands_free_on = False
        self._typed = 0
        self._signal_for: dict[type, SignalInstance] = {
            UserTranscript: self.userTranscript,
            AssistantTranscript: self.assistantTranscript,
            ToolActivity: self.toolActivity,
            RawEvent: self.rawEvent,
            ErrorRaised: self.errorRaised,
            RetryScheduled: self.retryScheduled,
            Usage: self.usageReported,
        }
        self._level_timer = QTimer(self)
        self._level_timer.setInterval(LEVEL_INTERVAL_MS)
        self._level_timer.timeout.connect(self._poll_level)

    def _audio_problem(self, sentence: str, *, recovered: bool = False) -> None:
        """A device went away, cannot be opened, or is back; the call goes on. (Emitting from any
        thread is safe: the window's slots run queued on the GUI thread.)"""
        if recovered:  # desktop/audio/stream_keeper.py has logged it
            self.audioRecovered.emit(localized_notice(sentence))
            return
        self.errorRaised.emit(ErrorRaised(sentence, code="audio"))  # the window says it in its language

    def call_session(self) -> VoiceSession | None:
        return self._call.session if self._call is not None else None

    # --- the call ----------------------------------------------------------------------------

    def start_call(self) -> None:
        if self._call is None and not self._busy("call"):
            self._spawn(self._run_call(), "call")

    def end_call(self) -> None:
        if self._call is not None:
            log.info("The person ended the conversation")
            self._spawn(self._call.session.hang_up(), "hang-up")

    def retry(self) -> None:
        self._spawn(self._restart(), "restart")

    async def _restart(self) -> None:
        await self._hang_up_and_wait()
        self.start_call()

    async def _prepare_call(self) -> tuple[SessionHandle, SessionConfig]:
        """The call to what the target says; a setting that cannot work (a malformed endpoint) stops
        it here, before the sound devices open or anything is sent."""
        prefs = self.prefs
        target = await self._target(prefs)
        self.targetKnown.emit(target)  # the notice says what this very call connects to
        log.info("Connecting to %s", target.describe())
        if (problem := target.problem()) is not None:
            raise problem
        config = await self._session_factory.config(prefs, target, await self._ice_credential(prefs))
        return self._session_factory.open_session(config, prefs, self._audio_problem), config

    async def _run_call(self) -> None:
        self._set_state(SessionState.CONNECTING)
        try:
            call, config = await self._prepare_call()
        except SessionError as error:  # its sentence, code and whether retrying can help
            log.info("The call cannot start: %s", error.message)
            self._set_state(SessionState.FAILED)
            said = ErrorRaised(error.message, error.code, fatal=True, retryable=error.retryable)
            self.errorRaised.emit(said)
            return
        except Exception:
            log.exception("Could not prepare the call")
            self._set_state(SessionState.FAILED)
            self._report(self.tr("The conversation could not be prepared."), fatal=True)
            return
        self._call = call
        self._hands_free_on = not config.push_to_talk
        pump = self._spawn(self._pump(call), "pump")
        self._level_timer.start()
        try:
            await call.session.connect()
        except SessionError:
            # Expected (a refused key, no network): the session has logged it once, said it to the
            # person (ErrorRaised) and moved to FAILED.
            await call.session.hang_up()
        except Exception:
            log.exception("Connecting failed unexpectedly")
            await call.session.hang_up()
        await pump

    async def _pump(self, call: SessionHandle) -> None:
        try:
            async for event in call.session.events():
                self._dispatch(event)
        finally:
            self._level_timer.stop()
            self.microphoneLevel.emit(0.0)
            if self._call is call:
                self._call = None
            if self.state not in _OFF:
                self._set_state(SessionState.IDLE)

    def _dispatch(self, event: object) -> None:
        if isinstance(event, StateChanged):
            self._set_state(event.state, event.detail)
        elif isinstance(event, ConnectionRenewed):
            self.connectionRenewed.emit(event.reason)
        elif isinstance(event, AudioLevel):
            if event.source == "microphone":
                self.microphoneLevel.emit(event.rms)
        elif (signal := self._signal_for.get(type(event))) is not None:
            signal.emit(event)

    def _set_state(self, state: SessionState, detail: str = "") -> None:
        self.state = state
        self.stateChanged.emit(state, detail)

    def transport_in_use(self) -> str:
        """"WebRTC" or "WebSocket": how the call travels ("" before it connected, or without a call)."""
        return self._call.transport() if self._call is not None else ""

    def _poll_level(self) -> None:
        if self._call is not None:
            self.microphoneLevel.emit(self._call.microphone_level())

    async def _hang_up_and_wait(self) -> None:
        call = self._call
        if call is not None:
            await call.session.hang_up()
        for task in [t for t in self._tasks if t.get_name() in ("call", "pump")]:
            await asyncio.wait({task})

    # --- talking -----------------------------------------------------------------------------

    def _session_call(self, action: Callable[[VoiceSession], None]) -> None:
        """Intent reaches the session only while connected; a failure is a sentence, not a crash."""
        if self._call is None or self.state not in _LIVE:
            return
        try:
            action(self._call.session)
        except Exception:
            log.exception("A session call failed")
            self._report(self.tr("That did not work; the details are in the log."))

    def press_talk(self) -> None:
        """Push-to-talk pressed (mouse or Space); it also interrupts an answer."""
        self._session_call(lambda s: s.begin_push_to_talk())

    def release_talk(self) -> None:
        self._session_call(lambda s: s.end_push_to_talk())

    def click_talk(self) -> None:
        """Hands-free click: interrupt an answer, otherwise start or stop listening."""
        if self._call is None or self.state in _OFF:
            self.retry() if self.state is SessionState.FAILED else self.start_call()
        elif self.state in _TALKING_BACK:
            self._session_call(lambda s: s.interrupt())
        elif self.state in _LIVE:
            self._hands_free_on = not self._hands_free_on
            self._session_call(lambda s: s.set_hands_free(self._hands_free_on))

    def interrupt(self) -> None:
        self._session_call(lambda s: s.interrupt())

    def cancel_reconnect(self) -> None:
        """The person stops waiting for the connection to come back; the conversation ends."""
        self._session_call(lambda s: s.cancel_reconnect())

    def check_connection(self) -> None:
        """The network changed: is the call still alive? (The session replaces it if not.)"""
        self._session_call(lambda s: s.check_connection())

    def send_text(self, text: str) -> None:
        if self._call is None or self.state not in _LIVE:
            self._report(self.tr("Start a conversation first; then the assistant can answer typed messages."))
            return
        self._typed += 1
        # The session reports spoken words only; a typed message is shown as it is sent.
        self.userTranscript.emit(UserTranscript(f"typed-{self._typed}", text, True))
        self._session_call(lambda s: s.send_text(text))

    def set_push_to_talk(self, enabled: bool) -> None:
        if enabled == self.push_to_talk:
            return
        self.push_to_talk = enabled
        self._hands_free_on = not enabled
        self._session_call(lambda s: s.set_hands_free(not enabled))
        mode = "push_to_talk" if enabled else self._vad_mode
        self._store_preferences(replace(self.prefs, turn_mode=mode))
        self.pushToTalkChanged.emit(enabled)

    # --- shutdown ----------------------------------------------------------------------------

    async def shutdown(self) -> None:
        """Hang up, then cancel whatever is still running and wait for it to finish."""
        self._level_timer.stop()
        try:
            await asyncio.wait_for(self._hang_up_and_wait(), timeout=5)
        except Exception:
            log.warning("Hanging up did not finish cleanly", exc_info=True)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
