"""The calendar pane: a month view with meeting days marked, the chosen day's meetings, and
creating, editing, deleting, exporting and importing by hand.

Every store call runs on the store's worker thread (`StoreCalls`); results and the store's change
notices come back to the GUI thread through queued signals, so the pane follows meetings the
assistant books the moment they are committed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtGui import QColor, QFont, QTextCharFormat
from PySide6.QtWidgets import (
    QCalendarWidget,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.storage import (
    InvalidMeeting,
    Meeting,
    MeetingChange,
    MeetingDraft,
    MeetingStore,
    StoreWorker,
    checked_draft,
    export_calendar,
    import_calendar,
    localize,
    parse_local,
)
from desktop.ui.meeting_dialog import MeetingDialog
from desktop.ui.store_calls import StoreCalls


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
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._tz = tz
        self._now = now or (lambda: datetime.now().astimezone(tz))
        self._meetings: list[Meeting] = []
        self._build()
        self._calls = StoreCalls(store, worker, self)
        self._calls.changed.connect(self._store_changed)
        self._calls.failed.connect(self._show_notice)
        self.reload()

    def _build(self) -> None:
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.calendar.selectionChanged.connect(self._show_day)
        self.day_label = QLabel()
        self.day_list = QListWidget()
        self.day_list.itemDoubleClicked.connect(lambda _item: self.edit_selected())
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        buttons = QHBoxLayout()
        for text, slot in ((self.tr("New"), self.new_meeting), (self.tr("Edit"), self.edit_selected),
                           (self.tr("Delete"), self.delete_selected),
                           (self.tr("Import…"), self.choose_import),
                           (self.tr("Export…"), self.choose_export)):
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
        """The meetings as last loaded (a snapshot for overlap warnings in dialogs)."""
        return list(self._meetings)

    def day_meetings(self) -> list[Meeting]:
        day = self.selected_day()
        return [m for m in self._meetings if day in _days_of(m, self._tz)]

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
        self._calls.call(self._store.all, self._loaded, self.tr("Could not read the calendar"))

    def _loaded(self, meetings: list[Meeting]) -> None:
        self._meetings = meetings
        self._mark_days()
        self._show_day()

    def _mark_days(self) -> None:
        self.calendar.setDateTextFormat(QDate(), QTextCharFormat())  # clears every marked day
        marked = QTextCharFormat()
        marked.setFontWeight(QFont.Weight.Bold)
        marked.setForeground(QColor("#1565c0"))
        marked.setBackground(QColor("#e3f2fd"))
        for meeting in self._meetings:
            for day in _days_of(meeting, self._tz):
                self.calendar.setDateTextFormat(QDate(day.year, day.month, day.day), marked)

    def _show_day(self) -> None:
        self.day_list.clear()
        meetings = self.day_meetings()
        count = _filled(self.tr("%1 meeting(s)"), len(meetings)) if meetings else self.tr("no meetings")
        self.day_label.setText(f"{self.selected_day():%Y-%m-%d}: {count}")
        for meeting in meetings:
            start = meeting.start.astimezone(self._tz)
            item = QListWidgetItem(f"{start:%H:%M}–{meeting.end.astimezone(self._tz):%H:%M}  {meeting.title}")
            item.setData(Qt.ItemDataRole.UserRole, meeting.id)
            self.day_list.addItem(item)

    def selected_meeting(self) -> Meeting | None:
        item = self.day_list.currentItem()
        if item is None:
            return None
        wanted = item.data(Qt.ItemDataRole.UserRole)
        return next((m for m in self._meetings if m.id == wanted), None)

    # Writing, by hand

    def new_meeting(self) -> MeetingDialog:
        day = self.selected_day()
        start = localize(datetime.combine(day, datetime.min.time()).replace(hour=9), self._tz)
        fields = {"title": "", "start_time": f"{start:%Y-%m-%d %H:%M:00}", "duration": 30}
        return self._open(MeetingDialog(self, "new", fields, others=self._meetings, tz=self._tz,
                                        now=self._now), self._save_new)

    def edit_selected(self) -> MeetingDialog | None:
        meeting = self.selected_meeting()
        if meeting is None:
            self._show_notice(self.tr("Choose a meeting in the list first."))
            return None
        dialog = MeetingDialog(self, "edit", meeting.describe(self._tz), others=self._meetings,
                               exclude_id=meeting.id, tz=self._tz, now=self._now)
        return self._open(dialog, lambda values: self._save_edit(meeting.id, values))

    def delete_selected(self) -> MeetingDialog | None:
        meeting = self.selected_meeting()
        if meeting is None:
            self._show_notice(self.tr("Choose a meeting in the list first."))
            return None
        dialog = MeetingDialog(self, "cancel", meeting.describe(self._tz), tz=self._tz, now=self._now)
        deleted = _filled(self.tr("Deleted “%1”."), meeting.title)
        return self._open(dialog, lambda _values: self._calls.call(
            self._store.delete, lambda _m: self._show_notice(deleted),
            self.tr("Could not delete the meeting"), meeting.id))

    def _open(self, dialog: MeetingDialog, on_accept: Callable[[dict[str, Any]], None]) -> MeetingDialog:
        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                on_accept(dialog.values())
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def _draft(self, values: dict[str, Any]) -> MeetingDraft | None:
        try:
            draft = MeetingDraft(title=values["title"], start=parse_local(values["start_time"], self._tz),
                                 duration=values["duration"], source="manual")
            return checked_draft(draft, self._now())
        except InvalidMeeting as exc:
            self._show_notice(str(exc))
            return None

    def _save_new(self, values: dict[str, Any]) -> None:
        draft = self._draft(values)
        if draft is not None:
            added = self.tr("Added “%1”.")
            self._calls.call(self._store.create, lambda m: self._show_notice(_filled(added, m.title)),
                             self.tr("Could not save the meeting"), draft)

    def _save_edit(self, meeting_id: int, values: dict[str, Any]) -> None:
        draft = self._draft(values)
        if draft is not None:
            saved, failed = self.tr("Saved “%1”."), self.tr("Could not save the meeting")
            self._calls.call(self._store.update, lambda m: self._show_notice(_filled(saved, m.title)),
                             failed, meeting_id, draft.title, draft.start, draft.duration)

    # Files

    def choose_export(self) -> None:
        dialog = QFileDialog(self, self.tr("Export meetings"), "meetings.ics", self._ics_filter())
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("ics")
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        dialog.open()

    def choose_import(self) -> None:
        dialog = QFileDialog(self, self.tr("Import meetings"), "", self._ics_filter())
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.import_from(Path(path)))
        dialog.open()

    def export_to(self, path: Path) -> None:
        exported = self.tr("Exported %1 meeting(s) to %2.")
        self._calls.call(export_calendar,
                         lambda n: self._show_notice(exported.replace("%1", str(n)).replace("%2", path.name)),
                         _filled(self.tr("Could not write %1"), path.name), self._store, path)

    def import_from(self, path: Path) -> None:
        self._calls.call(import_calendar, lambda counts: self._show_notice(_import_notice(counts)),
                         _filled(self.tr("Could not import %1"), path.name), self._store, path, self._tz)

    def _ics_filter(self) -> str:
        return self.tr("iCalendar files (*.ics)")

    def _show_notice(self, text: str) -> None:
        self.status_label.setText(text)
        self.notice.emit(text)


def _days_of(meeting: Meeting, tz: tzinfo | None) -> list[date]:
    """The local days a meeting touches (one, unless it runs past midnight)."""
    first = meeting.start.astimezone(tz).date()
    last = (meeting.end - timedelta(seconds=1)).astimezone(tz).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _import_notice(counts: tuple[int, int, int]) -> str:
    added, skipped, unusable = counts
    translate = QCoreApplication.translate
    notes = [_filled(translate("CalendarPane", "Imported %1 meeting(s)"), added)]
    if skipped:
        notes.append(_filled(translate("CalendarPane", "%1 already in the calendar"), skipped))
    if unusable:
        notes.append(_filled(translate("CalendarPane", "%1 without a usable time skipped"), unusable))
    return translate("CalendarPane", ", ").join(notes) + translate("CalendarPane", ".")


def _filled(template: str, value: object) -> str:
    """A translated sentence with its one placeholder (%1) filled in."""
    return template.replace("%1", str(value))
