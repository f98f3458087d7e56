"""The one bridge between the asyncio world and the widgets.

Session events come in through one pump task (`async for event in session.events()`) and leave as
typed Qt signals; the person's intent comes in through plain slots and becomes session calls. Every
task it starts is kept and cancelled on shutdown. Nothing here imports the media stack: the composition
root hands in a `CallWiring` that builds sessions on demand, after the window is on screen.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal, SignalInstance

from desktop.events import (
    AssistantTranscript,
    AudioLevel,
    ConnectionRenewed,
    ErrorRaised,
    RawEvent,
    SessionState,
    StateChanged,
    ToolActivity,
    UserTranscript,
)
from desktop.realtime.config import ProviderKind
from desktop.secrets import KeyStore
from desktop.settings import Preferences, save_preferences
from desktop.ui.call_wiring import Call, CallWiring, SettingsContext

if TYPE_CHECKING:
    from desktop.session import VoiceSession

log = logging.getLogger(__name__)

LEVEL_INTERVAL_MS = 50  # 20 Hz: smooth to the eye, cheap for the GUI thread
_TALKING_BACK = (SessionState.THINKING, SessionState.ASSISTANT_SPEAKING)
_OFF = frozenset({SessionState.IDLE, SessionState.CLOSED, SessionState.FAILED})
_LIVE = frozenset(SessionState) - _OFF - {SessionState.CONNECTING}  # the session takes intent


class Controller(QObject):
    stateChanged = Signal(object, str)  # SessionState, detail (e.g. "attempt 2 of 6")
    userTranscript = Signal(object)  # UserTranscript
    assistantTranscript = Signal(object)  # AssistantTranscript
    toolActivity = Signal(object)  # ToolActivity
    rawEvent = Signal(object)  # RawEvent
    errorRaised = Signal(object)  # ErrorRaised
    connectionRenewed = Signal(str)
    microphoneLevel = Signal(float)
    pushToTalkChanged = Signal(bool)
    demoNotice = Signal(bool)  # True when running on the demo because no key is set
    keychainMissing = Signal()
    secretKnown = Signal(str)  # the inspector masks it wherever it appears
    settingsReady = Signal(object)  # SettingsContext
    checkStep = Signal(str)
    checkFinished = Signal(str)

    def __init__(self, store: QSettings, prefs: Preferences, keys: KeyStore, wiring: CallWiring) -> None:
        super().__init__()
        self._store = store
        self.prefs = prefs
        self._keys = keys
        self._wiring = wiring
        self._tasks: set[asyncio.Task[Any]] = set()
        self._call: Call | None = None
        self.state = SessionState.IDLE
        self.push_to_talk = prefs.turn_mode == "push_to_talk"
        self._vad_mode = "server_vad" if self.push_to_talk else prefs.turn_mode
        self._hands_free_on = False
        self._typed = 0
        self._signal_for: dict[type, SignalInstance] = {
            UserTranscript: self.userTranscript,
            AssistantTranscript: self.assistantTranscript,
            ToolActivity: self.toolActivity,
            RawEvent: self.rawEvent,
            ErrorRaised: self.errorRaised,
        }
        self._level_timer = QTimer(self)
        self._level_timer.setInterval(LEVEL_INTERVAL_MS)
        self._level_timer.timeout.connect(self._poll_level)

    # --- task bookkeeping --------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Task %s failed", task.get_name(), exc_info=task.exception())
            self._report(self.tr("Something went wrong; the details are in the log."))

    def _audio_problem(self, sentence: str) -> None:
        """A device went away or cannot be opened; the call goes on. (Emitting from any thread is
        safe: the window's slots run queued on the GUI thread.)"""
        log.warning("Audio: %s", sentence)
        self.errorRaised.emit(ErrorRaised(sentence, code="audio"))

    def _report(self, sentence: str, *, fatal: bool = False) -> None:
        self.errorRaised.emit(ErrorRaised(sentence, fatal=fatal))

    def call_session(self) -> VoiceSession | None:
        return self._call.session if self._call is not None else None

    @property
    def tasks(self) -> frozenset[asyncio.Task[Any]]:
        return frozenset(self._tasks)

    # --- the call ----------------------------------------------------------------------------

    def start_call(self) -> None:
        if self._call is None and not self._busy("call"):
            self._spawn(self._run_call(), "call")

    def end_call(self) -> None:
        if self._call is not None:
            self._spawn(self._call.session.hang_up(), "hang-up")

    def retry(self) -> None:
        self._spawn(self._restart(), "restart")

    async def _restart(self) -> None:
        await self._hang_up_and_wait()
        self.start_call()

    def _busy(self, name: str) -> bool:
        return any(task.get_name() == name for task in self._tasks)

    async def _run_call(self) -> None:
        self._set_state(SessionState.CONNECTING)
        prefs, key = await self._effective_preferences()
        try:
            config = await self._wiring.config(prefs, key)
            call = self._wiring.open_call(config, prefs, self._audio_problem)
        except Exception as exc:
            log.exception("Could not prepare the call")
            self._set_state(SessionState.FAILED)
            sentence = getattr(exc, "message", "") or self.tr("The conversation could not be prepared.")
            self._report(sentence, fatal=True)
            return
        self._call = call
        self._hands_free_on = not config.push_to_talk
        pump = self._spawn(self._pump(call), "pump")
        self._level_timer.start()
        try:
            await call.session.connect()
        except Exception:
            # The session has already said what went wrong (ErrorRaised) and moved to FAILED.
            log.info("Connecting failed", exc_info=True)
            await call.session.hang_up()
        await pump

    def announce_provider(self) -> None:
        """Says at launch whether the demo will answer because no key is set up yet."""
        self._spawn(self._effective_preferences(), "announce")

    async def _effective_preferences(self) -> tuple[Preferences, str]:
        """The stored preferences and key; the demo when a remote provider has no key yet."""
        prefs = self.prefs
        resolved = await self._keys.load(prefs.provider)
        if resolved.value:
            self.secretKnown.emit(resolved.value)
        needs_key = prefs.provider is not ProviderKind.DEMO
        self.demoNotice.emit(prefs.provider is ProviderKind.DEMO or not resolved.value)
        if needs_key and not resolved.value:
            prefs = replace(prefs, provider=ProviderKind.DEMO)
        return prefs, resolved.value

    async def _pump(self, call: Call) -> None:
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
            signal.emit(event)  # Usage has no reader yet

    def _set_state(self, state: SessionState, detail: str = "") -> None:
        self.state = state
        self.stateChanged.emit(state, detail)

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

    # --- settings ----------------------------------------------------------------------------

    def _store_preferences(self, prefs: Preferences) -> None:
        self.prefs = prefs
        save_preferences(self._store, prefs)

    def open_settings(self) -> None:
        self._spawn(self._gather_settings(), "settings")

    async def _gather_settings(self) -> None:
        resolved = await self._keys.load(self.prefs.provider)
        works = await self._keys.probe()
        devices = await self._wiring.devices()
        self.settingsReady.emit(SettingsContext(self.prefs, resolved.value, works, devices))

    def apply_settings(self, prefs: Preferences, api_key: str) -> None:
        self._store_preferences(prefs)
        self.push_to_talk = prefs.turn_mode == "push_to_talk"
        if not self.push_to_talk:
            self._vad_mode = prefs.turn_mode
        self.pushToTalkChanged.emit(self.push_to_talk)
        self._spawn(self._save_key(prefs.provider, api_key), "save-key")

    async def _save_key(self, provider: ProviderKind, api_key: str) -> None:
        if provider is ProviderKind.DEMO:
            return
        if api_key:
            self.secretKnown.emit(api_key)
        if await self._keys.save(provider, api_key) == "this run":
            self.keychainMissing.emit()
        else:
            await self._effective_preferences()  # the demo notice goes once a key is set

    def test_connection(self, prefs: Preferences, api_key: str) -> None:
        if not self._busy("check"):
            self._spawn(self._check(prefs, api_key), "check")

    async def _check(self, prefs: Preferences, api_key: str) -> None:
        if api_key:
            self.secretKnown.emit(api_key)
        try:
            config = await self._wiring.config(prefs, api_key)
            works, reason = await self._wiring.check(config, self.checkStep.emit)
        except Exception as exc:
            log.info("Connection check could not run", exc_info=True)
            works, reason = False, getattr(exc, "message", "") or self.tr("The check could not run.")
        worked = self.tr("The connection works.")
        self.checkFinished.emit(f"✓ {worked}" if works else f"✗ {reason}")

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
