"""The calendar pane: a month view with meeting days marked, the chosen day's meetings, and
creating, editing, deleting, exporting and importing by hand.

Every store call runs on the store's worker thread (`StoreCalls`); results and the store's change
notices come back to the GUI thread through queued signals, so the pane follows meetings the
assistant books the moment they are committed. It holds the occurrences from the month before the
shown one to a year after it (a series repeats without end), and loads again when the page turns.
An occurrence of a series is marked as such; editing it edits the series; deleting it asks whether
it alone or the whole series goes. All-day events show as "all day".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QFont, QTextCharFormat
from PySide6.QtWidgets import (
    QCalendarWidget,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.storage import (
    DEFAULT_REMINDER_MINUTES,
    MAX_YEARS_AWAY,
    Meeting,
    MeetingChange,
    MeetingStore,
    StoreWorker,
    localize,
)
from desktop.ui import theme
from desktop.ui.calendar_files import CalendarFiles
from desktop.ui.calendar_saves import CalendarSaves
from desktop.ui.colour_scheme import on_change
from desktop.ui.meeting_dialog import MeetingDialog
from desktop.ui.placeholders import filled
from desktop.ui.recurrence_words import rule_in_words
from desktop.ui.store_calls import StoreCalls

MONTHS_BEFORE, MONTHS_AFTER = 1, 13  # the occurrences held, around the shown month
_OCCURRENCE = Qt.ItemDataRole.UserRole + 1
Loaded = tuple[list[Meeting], dict[int, Meeting], dict[date, list[Meeting]]]


class CalendarPane(QWidget):
    notice = Signal(str)  # one sentence about the last action, for a status bar

    def __init__(
        self,
        store: MeetingStore,
        worker: StoreWorker,
        parent: QWidget | None = None,
        *,
        tz: tzinfo | None = None,
        now: Callable[[], datetime] | None = None,
        default_reminder: Callable[[], int] = lambda: DEFAULT_REMINDER_MINUTES,
    ) -> None:
        """`default_reminder()` is the default of Settings, which the meeting dialog names."""
        super().__init__(parent)
        self._store = store
        self._default_reminder = default_reminder
        self._tz = tz
        self._now = now or (lambda: datetime.now().astimezone(tz))
        self._meetings: list[Meeting] = []
        self._by_day: dict[date, list[Meeting]] = {}  # the occurrences on each local day they touch
        self._series: dict[int, Meeting] = {}  # the stored series behind the occurrences held
        self._build()
        self._calls = StoreCalls(store, worker, self)
        self._calls.changed.connect(self._store_changed)
        self._calls.failed.connect(self._show_notice)
        self._files = CalendarFiles(self, store, self._calls, tz, self._show_notice)
        self._saves = CalendarSaves(self, store, self._calls, tz, self._now, self._show_notice)
        self.calendar.currentPageChanged.connect(lambda _year, _month: self.reload())
        self.restyle()
        on_change(self.restyle)
        self.reload()

    def _build(self) -> None:
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        today = self._now().date()
        reach = MAX_YEARS_AWAY + 1  # the store refuses meetings further away; and QDate ends at 9999
        self.calendar.setDateRange(QDate(today.year - reach, 1, 1), QDate(today.year + reach, 12, 31))
        self.calendar.selectionChanged.connect(self._show_day)
        self.day_label = QLabel()
        self.day_list = QListWidget()
        self.day_list.itemDoubleClicked.connect(lambda _item: self.edit_selected())
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        buttons = QHBoxLayout()
        for text, slot in ((self.tr("New"), self.new_meeting), (self.tr("Edit"), self.edit_selected),
                           (self.tr("Delete"), self.delete_selected),
                           (self.tr("Import…"), lambda: self._files.choose_import()),
                           (self.tr("Export…"), lambda: self._files.choose_export())):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.calendar)
        layout.addWidget(self.day_label)
        layout.addWidget(self.day_list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)

    def shutdown(self) -> None:
        """Stop following the store (call before the store is closed)."""
        self._calls.stop()

    # Reading

    def meetings(self) -> list[Meeting]:
        """The occurrences as last loaded (a snapshot for overlap warnings in dialogs)."""
        return list(self._meetings)

    def day_meetings(self) -> list[Meeting]:
        day = self.selected_day()
        return list(self._by_day.get(day, ()))

    def selected_day(self) -> date:
        chosen = self.calendar.selectedDate()
        return date(chosen.year(), chosen.month(), chosen.day())

    def select_day(self, day: date) -> None:
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        self.calendar.setCurrentPage(day.year, day.month)

    def _store_changed(self, change: MeetingChange) -> None:
        """A meeting just booked (by voice or by hand) is shown on its day: the person sees it land."""
        if change.kind == "created" and change.meeting is not None:
            self.select_day(change.meeting.start.astimezone(self._tz).date())
        self.reload()

    def reload(self) -> None:
        lowest, highest = _month_index(self.calendar.minimumDate()), _month_index(self.calendar.maximumDate())
        # Qt turns to any page asked for, even outside the calendar's range.
        shown = min(max(self.calendar.yearShown() * 12 + self.calendar.monthShown() - 1, lowest), highest)
        first, last = (_first_of_month(shown - MONTHS_BEFORE), _first_of_month(shown + MONTHS_AFTER))
        start, end = (localize(datetime.combine(day, time()), self._tz) for day in (first, last))
        self._calls.call(_load, self._loaded, self.tr("Could not read the calendar"),
                         self._store, start, end, self._tz)

    def _loaded(self, loaded: Loaded) -> None:
        self._meetings, self._series, self._by_day = loaded
        self._mark_days()
        self._show_day()

    def restyle(self) -> None:
        """Weekends and busy days in the colours of the scheme shown now."""
        weekend = QTextCharFormat()
        weekend.setForeground(QColor(theme.current().weekend))
        for day in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
            self.calendar.setWeekdayTextFormat(day, weekend)
        self._mark_days()

    def _mark_days(self) -> None:
        self.calendar.setDateTextFormat(QDate(), QTextCharFormat())  # clears every marked day
        busy = theme.current().busy_day
        marked = QTextCharFormat()
        marked.setFontWeight(QFont.Weight.Bold)
        marked.setForeground(QColor(busy.text))
        marked.setBackground(QColor(busy.background))
        for day in self._by_day:  # a daily series is held ~400 times over: each day once
            self.calendar.setDateTextFormat(QDate(day.year, day.month, day.day), marked)

    def _show_day(self) -> None:
        self.day_list.clear()
        meetings = self.day_meetings()
        count = filled(self.tr("%1 meeting(s)"), str(len(meetings))) if meetings else self.tr("no meetings")
        self.day_label.setText(f"{self.selected_day():%Y-%m-%d}: {count}")
        for meeting in meetings:
            item = QListWidgetItem(self._line(meeting))
            item.setData(Qt.ItemDataRole.UserRole, meeting.id)
            item.setData(_OCCURRENCE, meeting.occurrence)
            if meeting.recurrence is not None:
                item.setToolTip(rule_in_words(meeting.recurrence.rule, meeting.start.astimezone(self._tz)))
            self.day_list.addItem(item)

    def _line(self, meeting: Meeting) -> str:
        """"15:30–16:30  Title", "all day  Title"; an occurrence of a series is marked with ↻."""
        if meeting.all_day:
            when = self.tr("all day")
        else:
            when = f"{meeting.start.astimezone(self._tz):%H:%M}–{meeting.end.astimezone(self._tz):%H:%M}"
        return f"{when}  {'↻ ' if meeting.in_series else ''}{meeting.title}"

    def selected_meeting(self) -> Meeting | None:
        """The chosen occurrence (a meeting, or one occurrence of a series)."""
        item = self.day_list.currentItem()
        if item is None:
            return None
        wanted = (item.data(Qt.ItemDataRole.UserRole), item.data(_OCCURRENCE))
        return next((m for m in self._meetings if (m.id, m.occurrence) == wanted), None)

    # Writing, by hand

    def new_meeting(self) -> MeetingDialog:
        day = self.selected_day()
        start = localize(datetime.combine(day, time(9)), self._tz)
        fields = {"title": "", "start_time": f"{start:%Y-%m-%d %H:%M:00}", "duration": 30}
        return self._open(MeetingDialog(self, "new", fields, others=self._meetings, tz=self._tz,
                                        now=self._now, default_reminder=self._default_reminder()),
                          self._save_new)

    def edit_selected(self) -> MeetingDialog | None:
        """Edits the chosen meeting; for an occurrence of a series, the series."""
        chosen = self.selected_meeting()
        if chosen is None:
            self._show_notice(self.tr("Choose a meeting in the list first."))
            return None
        meeting = self._series.get(chosen.id, chosen)
        dialog = MeetingDialog(self, "edit", meeting.describe(self._tz), others=self._meetings,
                               exclude_id=meeting.id, tz=self._tz, now=self._now,
                               default_reminder=self._default_reminder())
        return self._open(dialog, lambda values: self._save_edit(meeting, values))

    def delete_selected(self) -> MeetingDialog | None:
        """Deletes the chosen meeting; for an occurrence of a series the person chooses it alone or
        the whole series."""
        meeting = self.selected_meeting()
        if meeting is None:
            self._show_notice(self.tr("Choose a meeting in the list first."))
            return None
        one = {"scope": "occurrence"} if meeting.occurrence is not None else {}
        fields = meeting.describe(self._tz) | one
        dialog = MeetingDialog(self, "cancel", fields, tz=self._tz, now=self._now)
        deleted = filled(self.tr("Deleted “%1”."), meeting.title)
        failed = self.tr("Could not delete the meeting")

        def remove(_values: dict[str, Any]) -> None:
            if meeting.occurrence is not None and dialog.cancel_scope() == "occurrence":
                self._calls.call(self._store.cancel_occurrence, lambda _m: self._show_notice(deleted), failed,
                                 meeting.id, meeting.occurrence)
            else:
                self._calls.call(self._store.delete, lambda _m: self._show_notice(deleted), failed,
                                 meeting.id)

        return self._open(dialog, remove)

    def _open(self, dialog: MeetingDialog, on_accept: Callable[[dict[str, Any]], None]) -> MeetingDialog:
        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                on_accept(dialog.values())
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def _save_new(self, values: dict[str, Any]) -> None:
        self._saves.save_new(values)

    def _save_edit(self, meeting: Meeting, values: dict[str, Any]) -> None:
        self._saves.save_edit(meeting, values)

    # Files (calendar_files.py)

    def export_to(self, path: Path) -> None:
        self._files.export_to(path)

    def import_from(self, path: Path) -> None:
        self._files.import_from(path)

    def _show_notice(self, text: str) -> None:
        self.status_label.setText(text)
        self.notice.emit(text)


def _load(store: MeetingStore, start: datetime, end: datetime, tz: tzinfo | None) -> Loaded:
    """On the worker: the occurrences in [start, end), the stored series behind them, and the
    occurrences on each local day (what the month view marks and the day's list shows)."""
    shown = store.between(start, end, tz)
    series = {key: store.get(key) for key in {m.id for m in shown if m.in_series}}
    by_day: dict[date, list[Meeting]] = {}
    for meeting in shown:
        for day in _days_of(meeting, tz):
            by_day.setdefault(day, []).append(meeting)
    return shown, {key: value for key, value in series.items() if value is not None}, by_day


def _month_index(day: QDate) -> int:
    return day.year() * 12 + day.month() - 1


def _first_of_month(months: int) -> date:
    """The first day of the month `months` months after January of year 0."""
    year, month = divmod(months, 12)
    return date(year, month + 1, 1)


def _days_of(meeting: Meeting, tz: tzinfo | None) -> list[date]:
    """The local days a meeting touches (one, unless it runs past midnight)."""
    first = meeting.start.astimezone(tz).date()
    last = (meeting.end - timedelta(seconds=1)).astimezone(tz).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
