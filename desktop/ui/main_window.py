"""The main window: banner, conversation, talk controls, and the docks around them.

It renders what the controller says and turns the person's gestures into the controller's slots;
it owns no asyncio work. The calendar pane arrives through `add_side_pane` from the composition root.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.session import ErrorRaised, RetryScheduled, SessionState, ToolActivity
from desktop.ui import later_views
from desktop.ui.banner import Banner
from desktop.ui.error_text import localized, retry_countdown
from desktop.ui.folder_picker import folder_label, knowledge_dialog
from desktop.ui.global_shortcut import GlobalShortcut
from desktop.ui.indexing_progress import IndexingProgress
from desktop.ui.inspector import InspectorDock
from desktop.ui.level_meter import LevelMeter
from desktop.ui.settings_opener import open_settings_dialog
from desktop.ui.space_key import SpaceKey
from desktop.ui.talk_button import TalkButton
from desktop.ui.talk_gesture import TalkGesture
from desktop.ui.transcript import TranscriptPane
from desktop.ui.usage_label import UsageLabel, token_prices
from desktop.ui.window_menus import add_menus

if TYPE_CHECKING:  # not imported before the window is shown: start-up time
    from desktop.ui.controller import Controller
    from desktop.ui.ports import SettingsContext
    from desktop.ui.settings_dialog import SettingsDialog

_CONFIG_CODES = ("invalid_api_key", "unauthorized", "bad_key", "bad_provider", "missing_config", "not_found",
                 "token_key_refused", "redirected")


class MainWindow(QMainWindow):
    closeRequested = Signal(str)  # why, for the log: the window was closed, or Quit was chosen
    keptInTray = Signal()  # closed while the app stays in the tray: hidden, not closed
    confirmationsChanged = Signal(int)  # meeting dialogs waiting for the person

    def __init__(self) -> None:
        super().__init__()
        self._close_reason = "the window was closed"
        self.keep_on_close: Callable[[], bool] = lambda: False  # the tray says True while it keeps the app
        self.setWindowTitle(self.tr("Voice Assistant"))
        self.resize(980, 680)
        self.banner = Banner()
        self.notice = Banner()  # what the next call connects to (demo, environment), apart from errors
        self.transcript = TranscriptPane()
        self.talk = TalkButton()
        self.meter = LevelMeter()
        self.hands_free = QPushButton(self.tr("Hands-free"))
        self.hands_free.setCheckable(True)
        self.hands_free.setToolTip(
            self.tr("Off: hold the button or Space to talk. On: the assistant listens by itself.")
        )
        self.start = QPushButton(self.tr("Start"))
        self.end = QPushButton(self.tr("End"))
        self.status_text = QLabel()
        self.transport_text = QLabel()  # "WebRTC" or "WebSocket" while a call is connected
        self.knowledge_text = QLabel()
        self.indexing = IndexingProgress()  # the knowledge folder's sync, fed by the composition root
        self.usage = UsageLabel()  # the tokens of this conversation
        self.folder_dialog: QFileDialog | None = None
        self.inspector = InspectorDock(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.inspector)
        self._splitter = QSplitter(Qt.Orientation.Horizontal)
        self._build()
        (self.save_action, self.knowledge_action, self.settings_action, self.inspector_action,
         self.about_action) = add_menus(self.menuBar(), self.inspector, save=self.transcript.save.click,
                                        choose_folder=self.choose_knowledge_folder, quit_app=self.quit_app)
        self._reconnecting_shown = False
        self._confirming: set[str] = set()  # call ids whose meeting dialog is open
        self.space = SpaceKey(self)
        self.global_shortcut = GlobalShortcut(self)  # the talk shortcut in every application
        self.settings_dialog: SettingsDialog | None = None
        self.controller: Controller | None = None

    def _build(self) -> None:
        talk_row = QHBoxLayout()
        talk_row.addWidget(self.hands_free)
        talk_row.addWidget(self.talk, 1)
        talk_row.addWidget(self.meter)
        talk_row.addWidget(self.start)
        talk_row.addWidget(self.end)
        left = QWidget()
        column = QVBoxLayout(left)
        column.addWidget(self.notice)
        column.addWidget(self.banner)
        column.addWidget(self.transcript, 1)
        column.addLayout(talk_row)
        self._splitter.addWidget(left)
        # CALENDAR PANE: the composition root adds it to the right of the conversation (add_side_pane).
        self.setCentralWidget(self._splitter)
        self.knowledge_text.setContentsMargins(0, 0, 16, 0)
        self.usage.setContentsMargins(0, 0, 16, 0)
        self.transport_text.setContentsMargins(0, 0, 16, 0)
        for widget in (self.indexing, self.knowledge_text, self.usage, self.transport_text, self.status_text):
            self.statusBar().addPermanentWidget(widget)

    def add_side_pane(self, pane: QWidget) -> None:
        self._splitter.addWidget(pane)
        self._splitter.setStretchFactor(0, 3)
        self._splitter.setStretchFactor(1, 2)

    # --- wiring to the controller ------------------------------------------------------------

    def bind(self, controller: Controller) -> None:
        self.controller = controller
        c = controller
        c.stateChanged.connect(self._show_state)
        self.gesture = TalkGesture(c)
        c.stateChanged.connect(lambda state, _detail: self.gesture.state_changed(state))
        c.userTranscript.connect(self.transcript.show_event)
        c.assistantTranscript.connect(self.transcript.show_event)
        c.toolActivity.connect(self.transcript.show_event)
        c.toolActivity.connect(self._note_tool_outcome)
        c.rawEvent.connect(self.inspector.add)
        self.usage.prices = self.transcript.prices = lambda: token_prices(c.prefs)
        c.usageReported.connect(self.usage.count)
        c.usageReported.connect(self.transcript.count)
        c.secretKnown.connect(self.inspector.masker.add)
        c.errorRaised.connect(self._show_error)
        c.audioRecovered.connect(lambda sentence: self.banner.show_message(sentence, kind="info"))
        c.microphoneLevel.connect(self.meter.set_level)
        c.pushToTalkChanged.connect(self._show_mode)
        c.targetKnown.connect(lambda target: later_views.show_target(self.notice, target))
        c.keychainMissing.connect(lambda: later_views.show_keychain_missing(self.notice))
        c.connectionRenewed.connect(self._show_renewed)
        c.retryScheduled.connect(self._show_retry_wait)
        c.knowledgeFolderChanged.connect(self._show_knowledge_folder)
        c.settingsReady.connect(self._open_settings_dialog)
        self.talk.pressed.connect(self.gesture.pressed)
        self.talk.released.connect(self.gesture.released)
        self.hands_free.toggled.connect(lambda on: c.set_push_to_talk(not on))
        self.start.clicked.connect(c.start_call)
        self.end.clicked.connect(c.end_call)
        self.transcript.sendRequested.connect(c.send_text)
        self.transcript.problem.connect(lambda text: self.banner.show_message(text))
        self.banner.retryRequested.connect(c.retry)
        self.banner.cancelRequested.connect(c.cancel_reconnect)
        for banner in (self.banner, self.notice):
            banner.settingsRequested.connect(c.open_settings)
        self.settings_action.triggered.connect(c.open_settings)
        self.about_action.triggered.connect(c.about.open)
        c.about.aboutReady.connect(lambda about: later_views.open_about(self, about))
        self._show_mode(c.push_to_talk)
        self._show_state(c.state, "")
        self._show_knowledge_folder(c.prefs.knowledge_folder)
        self.space.pressed.connect(self.gesture.pressed)
        self.space.released.connect(self.gesture.released)
        self.global_shortcut.pressed.connect(self.gesture.pressed)
        self.global_shortcut.released.connect(self.gesture.released)
        self.global_shortcut.said.connect(lambda sentence: self.statusBar().showMessage(sentence, 10000))
        self.global_shortcut.set_shortcut(c.prefs.talk_shortcut)

    def _show_state(self, state: SessionState, detail: str) -> None:
        if state in (SessionState.IDLE, SessionState.CLOSED, SessionState.FAILED):
            self._confirming.clear()  # the session took its dialogs down
            self.talk.set_confirmations_open(0)
            self.confirmationsChanged.emit(0)
        self.talk.set_state(state, detail)
        if state is SessionState.CONNECTING:
            self.banner.hide()  # a new attempt: the last one's problem is history
            self.usage.start_conversation()
        if state is SessionState.RECONNECTING:
            self.banner.show_message(self.talk.label(), kind="info", cancel=True)
            self._reconnecting_shown = True
        elif self._reconnecting_shown:
            self._reconnecting_shown = False
            self.banner.hide()
        connected = state not in (SessionState.IDLE, SessionState.CLOSED, SessionState.FAILED)
        self.start.setEnabled(not connected)
        self.end.setEnabled(connected)
        in_use = self.controller.transport_in_use() if connected and self.controller else ""
        self.transport_text.setText(in_use)
        shown_detail = detail and state is not SessionState.RECONNECTING  # the button says it already
        self.status_text.setText(f"{self.talk.label()} ({detail})" if shown_detail else self.talk.label())

    def _show_retry_wait(self, asked: RetryScheduled) -> None:
        """The service asked to wait: the banner counts down to the next attempt, then says it."""
        countdown = retry_countdown(asked.code)
        self.banner.count_down(countdown, asked.seconds, then=self.talk.label(), cancel=True)
        self._reconnecting_shown = True

    def confirmation_opened(self, call_id: str) -> None:
        """A meeting dialog asks the person about `call_id`: the transcript and the talk button say
        that the conversation now waits for them."""
        self.transcript.mark_confirming(call_id)
        self._confirming.add(call_id)
        self._show_confirmations()

    def _note_tool_outcome(self, activity: ToolActivity) -> None:
        if activity.status in ("done", "declined", "failed") and activity.call_id in self._confirming:
            self._confirming.discard(activity.call_id)
            self._show_confirmations()

    def _show_confirmations(self) -> None:
        self.talk.set_confirmations_open(len(self._confirming))
        self.status_text.setText(self.talk.label())
        self.confirmationsChanged.emit(len(self._confirming))

    def _show_renewed(self, _reason: str) -> None:
        self.transcript.mark_renewed()
        self.statusBar().showMessage(self.tr("Reconnected; the conversation goes on."), 4000)

    def _show_knowledge_folder(self, folder: str) -> None:
        self.knowledge_text.setText(folder_label(folder))
        self.knowledge_text.setToolTip(folder or self.tr("The sample documents that come with the app"))

    def show_missing_folder(self, folder: str) -> None:
        missing = self.tr("The knowledge folder %1 is not there; the sample documents are used instead.")
        self.banner.show_message(missing.replace("%1", folder), kind="info", settings=True)

    def choose_knowledge_folder(self) -> None:
        assert self.controller is not None
        self.folder_dialog = knowledge_dialog(self, self.controller.prefs.knowledge_folder)
        self.folder_dialog.fileSelected.connect(self.controller.set_knowledge_folder)
        self.folder_dialog.open()  # not exec(): the conversation keeps running behind it

    def _show_mode(self, push_to_talk: bool) -> None:
        self.talk.set_push_to_talk(push_to_talk)
        self.hands_free.blockSignals(True)
        self.hands_free.setChecked(not push_to_talk)
        self.hands_free.blockSignals(False)

    def _show_error(self, error: ErrorRaised) -> None:
        self._reconnecting_shown = False  # this sentence replaces the reconnecting one: keep it
        about_config = not error.retryable or error.code in _CONFIG_CODES
        # Starting over helps only when the conversation ended; a device problem heals by itself.
        shown = localized(error)
        self.banner.show_message(shown, retry=error.fatal, settings=about_config)
        self.banner.message.setToolTip(error.message if shown != error.message else "")

    def show_tools_unavailable(self) -> None:
        """The calendar or knowledge base did not open: talking works, booking does not. No retry
        (starting the conversation over would not reopen them); the cause is in the log."""
        self.banner.show_message(self.tr(
            "The calendar could not be opened, so meetings cannot be booked in this run; "
            "the details are in the log."
        ))

    def show_unexpected_error(self) -> None:
        """What the person sees of a bug: one sentence; the traceback goes to the log only."""
        self.banner.show_message(self.tr("Something went wrong; the details are in the log."), retry=True)

    def _open_settings_dialog(self, context: SettingsContext) -> None:
        assert self.controller is not None
        shortcut = self.global_shortcut
        saved = self._settings_saved
        dialog = open_settings_dialog(self, self.controller, context, saved, shortcut.status.sentence)
        shortcut.statusChanged.connect(dialog.shortcut.show_status)  # the desktop's later answer
        self.settings_dialog = dialog

    def _settings_saved(self) -> None:
        self.usage.refresh()  # the prices may have changed
        if self.end.isEnabled():  # a conversation is on: it keeps the settings it started with
            saved = self.tr("Saved. The new settings apply from the next conversation.")
            self.statusBar().showMessage(saved, 6000)
        chosen = self.controller.prefs.talk_shortcut if self.controller else ""
        if chosen != self.global_shortcut.text:  # what goes wrong with it is said over that
            self.global_shortcut.set_shortcut(chosen, chosen=True)

    def quit_app(self, reason: str = "Quit was chosen (the File menu or its shortcut, Ctrl+Q)") -> None:
        """Quits for real, whether or not closing the window would keep the app in the tray."""
        self._close_reason = reason
        self.keep_on_close = lambda: False
        self.close()

    def confirmations_open(self) -> int:
        return len(self._confirming)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.keep_on_close():  # the app stays in the tray (desktop/ui/tray.py)
            event.ignore()
            self.hide()
            self.keptInTray.emit()
            return
        self.space.stop()
        self.global_shortcut.stop()
        event.accept()
        self.closeRequested.emit(self._close_reason)

