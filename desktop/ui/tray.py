"""The system tray: an icon that shows what the conversation is doing (tray_icons.py), and a menu to
show the window, start or end the conversation, switch hands-free, see the next meeting and the ones
missed while the app was closed, and quit. Clicking the icon shows the window, or hides it.

Where the desktop has a tray and the person leaves "keep running in the tray" on (Settings, Calendar),
closing the window only hides it: the app stays, reminders keep coming, and the first such close says
so once (a tray message, or a small note where the tray shows none), remembered in the settings.
Without a tray, closing quits as before. The composition root wires it; it runs on the GUI thread and
holds no asyncio work (the controller's slots start whatever runs).

Reminders stay with the system's notifications or the app's own window (reminder_presenter.py): a
tray message has no Show and Dismiss buttons, and not every platform says which message was clicked.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu, QMessageBox, QSystemTrayIcon

from desktop.session import SessionState
from desktop.ui.placeholders import filled
from desktop.ui.reminder_presenter import show_day
from desktop.ui.single_instance import bring_to_front
from desktop.ui.store_calls import StoreCalls
from desktop.ui.tray_icons import TrayState, state_icon, state_words, tray_state

if TYPE_CHECKING:
    from desktop.storage import Meeting, MeetingStore, StoreWorker
    from desktop.tools import Reminder
    from desktop.ui.calendar_pane import CalendarPane
    from desktop.ui.controller import Controller
    from desktop.ui.main_window import MainWindow
    from desktop.ui.reminder_presenter import ReminderPresenter

log = logging.getLogger(__name__)

CLOSE_NOTE_KEY = "tray/close_note_shown"  # the first close to the tray has been explained
# The start (epoch seconds) of the last missed meeting looked at through the menu: a restart does not
# list it again. Meetings are found missed in start order (each look covers the time since the last).
MISSED_SEEN_KEY = "tray/missed_seen_until"
TRAY_WATCH_MS = 5000
TRAY_WATCH_LOOKS = 60  # five minutes: a login's panel comes up well within that
_OFF = frozenset({SessionState.IDLE, SessionState.CLOSED, SessionState.FAILED})
_LONGEST_TITLE = 40  # characters of a meeting's title in the menu; the rest elided
_LOOK_AHEAD = timedelta(days=366)  # how far the next meeting is looked for
_KEPT = 20  # upcoming meetings kept between look-ups: time passing needs no new one


class Tray(QObject):
    noteShown = Signal(str)  # the first close's sentence, as said (a tray message or a note)

    def __init__(self, window: MainWindow, controller: Controller, store: QSettings, *,
                 now: Callable[[], datetime] = lambda: datetime.now().astimezone()) -> None:
        super().__init__(window)
        self._stopped = False  # after `shutdown` the menu is gone: late signals change nothing
        self._window = window
        self._controller = controller
        self._store = store
        self._now = now
        self._pane: CalendarPane | None = None
        self._calls: StoreCalls | None = None
        self._store_of_meetings: MeetingStore | None = None
        self._coming: list[Meeting] = []  # the next meetings, as last looked up
        self._reminders: ReminderPresenter | None = None
        self.note: QMessageBox | None = None
        self.shown = TrayState.IDLE
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu()
        self._build_menu()
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        controller.stateChanged.connect(self._state_changed)
        controller.pushToTalkChanged.connect(self._show_mode)
        window.confirmationsChanged.connect(self._state_changed)
        window.keep_on_close = self.keeps_app
        window.keptInTray.connect(self._explain_first_close)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._scheme_changed)
        self._show_mode(controller.push_to_talk)
        self._show_state()
        self._tray_watch = QTimer(self)  # a tray that comes up after the app (both started at login)
        self._tray_watch.setInterval(TRAY_WATCH_MS)
        self._tray_watch.timeout.connect(self._look_for_tray)
        self._tray_looks = 0
        if self.available():
            self.icon.show()
        else:
            self._tray_watch.start()

    def _look_for_tray(self) -> None:
        """Qt says nothing when a tray appears: look a few times after the start, then give up."""
        self._tray_looks += 1
        if self.available() and not self._stopped:
            self.icon.show()
            self._tray_watch.stop()
        elif self._tray_looks >= TRAY_WATCH_LOOKS:
            self._tray_watch.stop()

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def keeps_app(self) -> bool:
        """Whether closing the window leaves the app running in the tray."""
        # The icon must be up: a tray that appeared after the start has none of ours to bring it back.
        return self.available() and self.icon.isVisible() and self._controller.prefs.close_to_tray

    def _build_menu(self) -> None:
        menu = self.menu
        self.show_action = menu.addAction(self.tr("Show window"))
        self.show_action.triggered.connect(lambda: bring_to_front(self._window))
        menu.addSeparator()
        self.start_action = menu.addAction(self.tr("Start conversation"))
        self.start_action.triggered.connect(self._controller.start_call)
        self.end_action = menu.addAction(self.tr("End conversation"))
        self.end_action.triggered.connect(self._controller.end_call)
        self.hands_free_action = menu.addAction(self.tr("Hands-free"))
        self.hands_free_action.setCheckable(True)
        self.hands_free_action.triggered.connect(lambda on: self._controller.set_push_to_talk(not on))
        menu.addSeparator()
        self.next_action = menu.addAction("")
        self.next_action.triggered.connect(self._show_next_meeting)
        self.missed_action = menu.addAction("")
        self.missed_action.triggered.connect(self._show_missed)
        menu.addSeparator()
        self.quit_action = menu.addAction(self.tr("Quit"))
        self.quit_action.triggered.connect(lambda: self._window.quit_app("Quit was chosen in the tray"))
        menu.aboutToShow.connect(self.refresh)
        menu.aboutToShow.connect(self.look_up_next)
        self.refresh()

    # --- wiring from the composition root ----------------------------------------------------

    def use_calendar(self, pane: CalendarPane, store: MeetingStore, worker: StoreWorker) -> None:
        """The next meeting comes from `store` (looked up on its worker whenever the calendar changes
        and the menu opens); its day is shown in `pane`."""
        self._pane = pane
        self._store_of_meetings = store
        self._calls = StoreCalls(store, worker, self)
        self._calls.changed.connect(lambda _change: self.look_up_next())
        self.look_up_next()

    def use_reminders(self, reminders: ReminderPresenter) -> None:
        self._reminders = reminders
        reminders.missed_found.connect(self._missed_found)
        reminders.missed_restored.connect(self.refresh)
        self.refresh()

    def shutdown(self) -> None:
        """Quitting: the window closes for good, and the icon leaves the panel."""
        self._window.keep_on_close = lambda: False
        self._stopped = True
        self._tray_watch.stop()
        if self._calls is not None:
            self._calls.stop()
        self.icon.hide()
        self.menu.deleteLater()

    # --- what it shows -----------------------------------------------------------------------

    def _state_changed(self, *_about: object) -> None:
        self._show_state()

    def _missed_found(self, _sentence: str) -> None:
        self.refresh()

    def _show_state(self) -> None:
        if self._stopped:
            return
        state = self._controller.state
        self.shown = tray_state(state, self._window.confirmations_open())
        self.icon.setIcon(state_icon(self.shown, self._window.palette()))
        tip = filled(self.tr("Voice Assistant: %1"), state_words(self.shown, state))
        self.icon.setToolTip(tip)
        connected = state not in _OFF
        self.start_action.setEnabled(not connected)
        self.end_action.setEnabled(connected)

    def _scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        QTimer.singleShot(0, self._show_state)  # the badges' ring, once the palette has followed

    def _show_mode(self, push_to_talk: bool) -> None:
        if not self._stopped:
            self.hands_free_action.setChecked(not push_to_talk)

    def refresh(self) -> None:
        """The meeting lines, as the calendar and the reminders have them now (each time the menu opens)."""
        if self._stopped:
            return
        upcoming = self.next_meeting()
        if upcoming is None:
            self.next_action.setText(self.tr("No meetings coming up"))
        else:
            self.next_action.setText(filled(self.tr("Next: %1, %2"), _short(upcoming.title),
                                            _when(upcoming.start, upcoming.all_day)))
        self.next_action.setEnabled(upcoming is not None)
        missed = self._unseen_missed()
        self.missed_action.setVisible(bool(missed))
        if missed:
            first = missed[0]
            text = filled(self.tr("Missed while closed: %1, %2"), _short(first.title),
                          _when(first.start, first.all_day))
            if len(missed) > 1:
                text = filled(self.tr("%1 (and %2 more)"), text, str(len(missed) - 1))
            self.missed_action.setText(text)

    def look_up_next(self) -> None:
        if self._calls is not None and self._store_of_meetings is not None:
            self._calls.call(_coming, self._found, self.tr("Could not read the calendar"),
                             self._store_of_meetings, self._now())

    def _found(self, coming: list[Meeting]) -> None:
        self._coming = coming
        self.refresh()

    def next_meeting(self) -> Meeting | None:
        """The first meeting that has not started yet."""
        now = self._now()
        return next((meeting for meeting in self._coming if meeting.start >= now), None)

    def _unseen_missed(self) -> list[Reminder]:
        missed = self._reminders.missed if self._reminders is not None else []
        seen_until = _stored_int(self._store.value(MISSED_SEEN_KEY, 0))
        return [reminder for reminder in missed if reminder.key[1] > seen_until]

    # --- what the person does ----------------------------------------------------------------

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # macOS opens the menu on the same click: the window stays as it is (the menu can show it).
        if reason is QSystemTrayIcon.ActivationReason.Trigger and sys.platform != "darwin":
            self.toggle_window()

    def toggle_window(self) -> None:
        """A click on the icon: the window up and in front, or hidden when it is up already."""
        window = self._window
        if window.isVisible() and not window.isMinimized():
            window.hide()
        else:
            bring_to_front(window)

    def _show_next_meeting(self) -> None:
        upcoming = self.next_meeting()
        if upcoming is not None:
            show_day(self._window, self._pane, upcoming.start.astimezone().date())

    def _show_missed(self) -> None:
        missed = self._unseen_missed()
        if missed:
            self._store.setValue(MISSED_SEEN_KEY, max(reminder.key[1] for reminder in missed))
            self._store.sync()
            show_day(self._window, self._pane, missed[0].start.astimezone().date())
            self.refresh()

    def _explain_first_close(self) -> None:
        """The window went to the tray: the first time ever, say where the app went."""
        log.info("The window was closed; the app keeps running in the tray")
        if _stored_true(self._store.value(CLOSE_NOTE_KEY, False)):
            return
        self._store.setValue(CLOSE_NOTE_KEY, True)
        self._store.sync()
        title = self.tr("Voice Assistant is still running")
        text = self.tr("It stays in the tray, and meeting reminders keep coming. To quit, choose Quit "
                       "in the tray's menu or File → Quit.")
        if self.icon.isVisible() and self.icon.supportsMessages():
            self.icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10000)
        else:
            self.note = QMessageBox(QMessageBox.Icon.Information, self._window.windowTitle(), title)
            self.note.setInformativeText(text)
            self.note.setStyleSheet("#qt_msgbox_label, #qt_msgbox_informativelabel { min-width: 26em; }")
            self.note.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.note.show()
        self.noteShown.emit(text)


def _coming(store: MeetingStore, now: datetime) -> list[Meeting]:
    """On the store's worker: the next meetings that start from `now` on, in start order."""
    return [meeting for meeting in store.between(now, now + _LOOK_AHEAD) if meeting.start >= now][:_KEPT]


def _stored_true(raw: object) -> bool:
    """INI files hand back "true"/"false" strings, other formats bools."""
    return raw is True or str(raw).strip().lower() in {"true", "1"}


def _stored_int(raw: object) -> int:
    try:
        return int(str(raw))
    except ValueError:  # an edited settings file: everything counts as unseen
        return 0


def _short(title: str) -> str:
    return title if len(title) <= _LONGEST_TITLE else title[: _LONGEST_TITLE - 1] + "…"


def _when(start: datetime, all_day: bool) -> str:
    local = start.astimezone()
    return f"{local:%Y-%m-%d}" if all_day else f"{local:%Y-%m-%d %H:%M}"
