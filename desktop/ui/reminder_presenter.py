"""Shows what the reminder scheduler (desktop/tools/reminders.py) finds due: the system's notification
where it has one with buttons (native_notifications.py), else the app's own small window
(reminder_popup.py). Show raises the main window on the meeting's day; Dismiss closes it. It needs no
tray icon and works with the window hidden.

The meetings found missed while the app was closed are kept (`missed`, for a tray menu) and said once
(`missed_found`, for the status bar); those of the last day found by an earlier run come back with
`restore`, unsaid (that run said them). It runs on the GUI thread and never waits: a native send is a
task whose failure opens the app's own window instead.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop.tools import Checked, Reminder
from desktop.ui.calendar_pane import CalendarPane
from desktop.ui.native_notifications import NativeNotifications
from desktop.ui.placeholders import filled
from desktop.ui.reminder_popup import ReminderPopup

log = logging.getLogger(__name__)


class ReminderPresenter(QObject):
    missed_found = Signal(str)  # one sentence naming the meetings missed while the app was closed
    missed_restored = Signal()  # an earlier run's missed meetings are listed again

    def __init__(self, show_meeting: Callable[[Reminder], None], *,
                 native: NativeNotifications | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
                 parent: QObject | None = None) -> None:
        """`show_meeting(reminder)` raises the window on the meeting's day; `native` None: always the
        app's own window."""
        super().__init__(parent)
        self._show_meeting = show_meeting
        self._native = native
        self._clock = clock
        self.missed: list[Reminder] = []
        self.popups: list[ReminderPopup] = []
        self._sending: set[asyncio.Task[bool]] = set()

    def present(self, checked: Checked) -> None:
        for reminder in checked.due:
            self.announce(reminder)
        if checked.missed:
            self._keep_missed(checked.missed)
            self.missed_found.emit(self.missed_sentence(checked.missed))

    def restore(self, missed: tuple[Reminder, ...]) -> None:
        """The meetings an earlier run found missed (the reminder log's last day): listed, not said."""
        if missed:
            self._keep_missed(missed)
            self.missed_restored.emit()

    def _keep_missed(self, found: tuple[Reminder, ...]) -> None:
        known = {reminder.key for reminder in self.missed}
        self.missed.extend(reminder for reminder in found if reminder.key not in known)
        self.missed.sort(key=lambda reminder: reminder.key[1])

    def announce(self, reminder: Reminder) -> None:
        if self._native is None:
            self._popup(reminder)
            return
        buttons = (self.tr("Show"), self.tr("Dismiss"))
        sending = asyncio.ensure_future(self._native.send(
            self.heading(reminder), f"{reminder.title}\n{self.when(reminder)}", buttons,
            lambda: self._show_meeting(reminder), lambda: None))
        self._sending.add(sending)
        sending.add_done_callback(lambda task: self._sent(task, reminder))

    def _sent(self, task: asyncio.Task[bool], reminder: Reminder) -> None:
        self._sending.discard(task)
        handed_over = not task.cancelled() and task.exception() is None and task.result()
        if not handed_over:
            self._popup(reminder)

    def _popup(self, reminder: Reminder) -> None:
        popup = ReminderPopup(reminder, self.heading(reminder), self.when(reminder))
        popup.show_requested.connect(self._show_meeting)
        popup.destroyed.connect(lambda *_: self.popups.remove(popup) if popup in self.popups else None)
        popup.place(len(self.popups))
        self.popups.append(popup)
        popup.show()

    def close_all(self) -> None:
        for popup in list(self.popups):
            popup.close()
        self.popups.clear()

    # The words

    def heading(self, reminder: Reminder) -> str:
        """"Starts in 10 minutes", "Starting now", "All day today"."""
        if reminder.all_day:
            return self.tr("All-day event")
        minutes = math.ceil((reminder.start - self._clock()).total_seconds() / 60)
        if minutes <= 0:
            return self.tr("Starting now")
        if minutes == 1:
            return self.tr("Starts in 1 minute")
        return filled(self.tr("Starts in %1 minutes"), str(minutes))

    def when(self, reminder: Reminder) -> str:
        """"2026-12-07 10:00–10:30 (30 min)", or the dates of an all-day event."""
        start = reminder.start.astimezone()
        if reminder.all_day:
            return f"{start:%Y-%m-%d}"
        end = start.timestamp() + reminder.duration * 60
        until = datetime.fromtimestamp(end).astimezone()
        return filled(self.tr("%1–%2 (%3 min)"), f"{start:%Y-%m-%d %H:%M}", f"{until:%H:%M}",
                      str(reminder.duration))

    def missed_sentence(self, missed: tuple[Reminder, ...]) -> str:
        first = missed[0]
        named = filled(self.tr("Missed while the app was closed: “%1” at %2."), first.title,
                       f"{first.start.astimezone():%Y-%m-%d %H:%M}")
        if len(missed) == 1:
            return named
        return named + " " + filled(self.tr("And %1 more."), str(len(missed) - 1))


def show_day(window: QWidget, pane: CalendarPane | None, day: date) -> None:
    """A reminder's Show: the window up (from hidden or minimised) and in front, the calendar on `day`."""
    if window.isMinimized() or window.isHidden():
        window.showNormal()
    window.raise_()
    window.activateWindow()
    if pane is not None:
        pane.select_day(day)
