"""The meeting dialog: confirming what the assistant proposes, and creating or editing by hand.

Opened with `open()` (window-modal), never `exec()`, so the conversation and its audio go on while
it is shown. The warning line (overlap, a time in the past) follows the start, duration and repeat
as they are edited (for a series, over its first year: overlap_check.py), not the title. A meeting
may be all-day, and may repeat (recurrence_editor.py); when an occurrence of a series is cancelled,
the person chooses between it and the whole series.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any, Literal

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.storage import (
    DEFAULT_REMINDER_MINUTES,
    DEFAULT_TITLE,
    MAX_ALL_DAY_DAYS,
    MAX_DURATION_MINUTES,
    MAX_TITLE_CHARS,
    MINUTES_PER_DAY,
    InvalidMeeting,
    Meeting,
    check_start,
    clashes_of,
    format_local,
    localize,
    parse_local,
)
from desktop.ui.colour_scheme import tint
from desktop.ui.overlap_check import proposed_occurrences
from desktop.ui.placeholders import filled as _filled
from desktop.ui.recurrence_editor import CancelScope, RecurrenceEditor
from desktop.ui.recurrence_words import rule_in_words
from desktop.ui.reminder_picker import ReminderPicker

Mode = Literal["create", "cancel", "new", "edit"]
_LISTED_CLASHES = 5


class MeetingDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        mode: Mode,
        fields: dict[str, Any],
        warnings: Sequence[str] = (),
        *,
        others: Sequence[Meeting] | None = None,
        exclude_id: int | None = None,
        tz: tzinfo | None = None,
        now: Callable[[], datetime] | None = None,
        default_reminder: int = DEFAULT_REMINDER_MINUTES,
    ) -> None:
        """`default_reminder` is the default of Settings, which the reminder choice names."""
        super().__init__(parent)
        self._mode = mode
        self._default_reminder = default_reminder
        self._tz = tz
        self._now = now or (lambda: datetime.now().astimezone(tz))
        self._others = others  # sorted by start, as the calendar pane holds them
        self._exclude_id = exclude_id
        self._given_warnings = tuple(warnings)
        self._given = fields
        title, heading = self._headings()[mode]
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._build(heading)
        self._fill(fields)
        self._show_all_day()
        self._initial = self._timing()
        self._refresh_warning()

    def _headings(self) -> dict[Mode, tuple[str, str]]:
        """The window title and the line above the fields, for each mode."""
        return {
            "create": (
                self.tr("Confirm meeting"),
                self.tr("The assistant wants to book this meeting. Check or change it, then confirm."),
            ),
            "cancel": (
                self.tr("Cancel meeting?"),
                self.tr("This meeting will be removed from your calendar."),
            ),
            "new": (self.tr("New meeting"), ""),
            "edit": (self.tr("Edit meeting"), ""),
        }

    def _build(self, heading: str) -> None:
        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(MAX_TITLE_CHARS)
        self.title_edit.setPlaceholderText(DEFAULT_TITLE)
        self.start_edit = QDateTimeEdit()
        self.start_edit.setCalendarPopup(True)
        self.all_day_box = QCheckBox(self.tr("All day"))
        self.duration_edit = QSpinBox()
        self.duration_edit.setRange(1, MAX_DURATION_MINUTES)
        self.duration_edit.setSuffix(self.tr(" min"))
        self.days_edit = QSpinBox()
        self.days_edit.setRange(1, MAX_ALL_DAY_DAYS)
        self.days_edit.setSuffix(self.tr(" day(s)"))
        self.recurrence = RecurrenceEditor()
        self.reminder = ReminderPicker(self._default_reminder)
        self.warning_label = tint(QLabel(), lambda colours: colours.warning)
        self.warning_label.setWordWrap(True)
        self.form = QFormLayout()
        self.form.addRow(self.tr("Title"), self.title_edit)
        self.form.addRow(self.tr("Start"), self.start_edit)
        self.form.addRow("", self.all_day_box)
        self.form.addRow(self.tr("Duration"), self.duration_edit)
        self.form.addRow(self.tr("Days"), self.days_edit)
        self.form.addRow(self.tr("Repeats"), self.recurrence)
        self.form.addRow(self.tr("Reminder"), self.reminder)
        layout = QVBoxLayout(self)
        if heading:
            layout.addWidget(QLabel(heading))
        layout.addLayout(self.form)
        self.scope: CancelScope | None = None
        layout.addWidget(self.warning_label)
        layout.addWidget(self._buttons())
        read_only = self._mode == "cancel"
        for edit in (self.title_edit, self.duration_edit, self.days_edit):
            edit.setReadOnly(read_only)
        self.start_edit.setReadOnly(read_only)
        self.all_day_box.setEnabled(not read_only)
        self.reminder.setEnabled(not read_only)
        self.recurrence.set_read_only(read_only)
        # Not the title: it changes nothing the warning says, and each keystroke would recheck.
        self.start_edit.dateTimeChanged.connect(self._start_changed)
        self.all_day_box.toggled.connect(self._show_all_day)
        for spin in (self.duration_edit, self.days_edit):
            spin.valueChanged.connect(self._refresh_warning)
        self.recurrence.changed.connect(self._refresh_warning)

    def _buttons(self) -> QDialogButtonBox:
        self.buttons = QDialogButtonBox()
        if self._mode in ("create", "cancel"):
            role = QDialogButtonBox.ButtonRole
            self.accept_button = self.buttons.addButton(self.tr("Confirm"), role.AcceptRole)
            self.reject_button = self.buttons.addButton(self.tr("Decline"), role.RejectRole)
        else:
            self.accept_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Save)
            self.reject_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        return self.buttons

    def _fill(self, fields: dict[str, Any]) -> None:
        self.title_edit.setText(str(fields.get("title", "")))
        try:
            start = parse_local(str(fields.get("start_time", "")), self._tz)
        except ValueError:
            start = self._now()
        self.start_edit.setDateTime(
            QDateTime(QDate(start.year, start.month, start.day), QTime(start.hour, start.minute))
        )
        duration = fields.get("duration", 30)
        duration = duration if isinstance(duration, int) and duration > 0 else 30
        all_day = fields.get("all_day") is True
        self.all_day_box.setChecked(all_day)
        self.days_edit.setValue(max(1, duration // MINUTES_PER_DAY) if all_day else 1)
        self.duration_edit.setValue(30 if all_day else min(duration, MAX_DURATION_MINUTES))
        rule = str(fields.get("recurrence") or "")
        self.recurrence.set_rule(rule, start)
        reminder = fields.get("reminder")
        self.reminder.set_value(reminder if isinstance(reminder, int) else None)
        if self._mode == "cancel":  # only what the meeting is
            self.form.setRowVisible(self.recurrence, bool(rule))
            self.form.setRowVisible(self.reminder, False)
            self.form.setRowVisible(self.all_day_box, all_day)
            if "scope" in fields:  # an occurrence of a series: it alone, or the whole series
                self._add_scope(str(fields["scope"]), start, rule)

    def _add_scope(self, scope: str, start: datetime, rule: str) -> None:
        self.scope = CancelScope(format_local(start)[:16], rule_in_words(rule, start) or rule)
        self.scope.choose(scope)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.warning_label), self.scope)

    def _show_all_day(self) -> None:
        all_day = self.all_day_box.isChecked()
        self.start_edit.setDisplayFormat("yyyy-MM-dd" if all_day else "yyyy-MM-dd HH:mm")
        self.form.setRowVisible(self.duration_edit, not all_day)
        self.form.setRowVisible(self.days_edit, all_day)
        self._refresh_warning()

    def _start_changed(self) -> None:
        self.recurrence.set_start(self.start())
        self._refresh_warning()

    def start(self) -> datetime:
        moment = self.start_edit.dateTime()
        day, clock = moment.date(), moment.time()
        naive = datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute())
        return localize(naive.replace(hour=0, minute=0) if self.all_day_box.isChecked() else naive, self._tz)

    def duration(self) -> int:
        """Minutes: whole days for an all-day event."""
        if self.all_day_box.isChecked():
            return self.days_edit.value() * MINUTES_PER_DAY
        return self.duration_edit.value()

    def values(self) -> dict[str, Any]:
        """The fields as shown, in the same form the tools use (`all_day`, `recurrence` and `reminder`
        when set, or when they were given)."""
        values: dict[str, Any] = {
            "title": self.title_edit.text().strip() or DEFAULT_TITLE,
            "start_time": format_local(self.start()),
            "duration": self.duration(),
        }
        if self.all_day_box.isChecked() or "all_day" in self._given:
            values["all_day"] = self.all_day_box.isChecked()
        rule = self.recurrence.rule()
        if rule or "recurrence" in self._given:
            values["recurrence"] = rule
        if self.reminder.value() is not None or "reminder" in self._given:
            values["reminder"] = self.reminder.value()
        return values

    def _timing(self) -> dict[str, Any]:
        """What the warning depends on: the values without the title."""
        return {key: value for key, value in self.values().items() if key != "title"}

    def cancel_scope(self) -> str:
        """"occurrence" or "series" for a series; "" otherwise."""
        return self.scope.scope() if self.scope is not None else ""

    def _notes(self, start: datetime, clashes: Sequence[Meeting]) -> list[str]:
        """The tool's warnings (`warnings_for`, which the model reads in English) in the
        interface's language."""
        notes = [
            _filled(
                self.tr("Overlaps with “%1” (%2, %3 min)."),
                m.title,
                format_local(m.start.astimezone(start.tzinfo))[:16],
                str(m.duration),
            )
            for m in clashes[:_LISTED_CLASHES]
        ]
        if len(clashes) > _LISTED_CLASHES:
            notes.append(_filled(self.tr("And %1 more overlaps."), str(len(clashes) - _LISTED_CLASHES)))
        now = self._now()
        past = start.date() < now.date() if self.all_day_box.isChecked() else start < now
        if past:
            notes.append(_filled(self.tr("The start time %1 is in the past."), format_local(start)[:16]))
        return notes

    def _clashes(self, others: Sequence[Meeting]) -> list[Meeting]:
        """What the meeting, or a series' first occurrences, would overlap."""
        if self.all_day_box.isChecked():
            return []
        proposed = proposed_occurrences(self.start(), self.duration(), self.recurrence.rule(), self._tz)
        return clashes_of(proposed, others, self._exclude_id)

    def warning_text(self) -> str:
        return self.warning_label.text()

    def _refresh_warning(self) -> None:
        if not hasattr(self, "_initial"):
            return  # still filling the fields
        start = self.start()
        notes: Sequence[str]
        now = self._now()
        try:
            check_start(start, now)
        except InvalidMeeting:  # refused on saving; no overlap check (it could reach past the year 9999)
            far = _filled(self.tr("The start time %1 is too far from today."), format_local(start)[:10])
            notes = [far] if start > now else self._notes(start, [])
        else:
            notes = self._notes_for(start)
        self.warning_label.setText("\n".join(f"⚠ {note}" for note in notes))
        self.warning_label.setVisible(bool(notes))

    def _notes_for(self, start: datetime) -> Sequence[str]:
        if self._others is not None:
            return self._notes(start, self._clashes(self._others))
        if self._timing() == self._initial:
            return self._given_warnings  # the tool's own (English) words: no calendar to recheck with
        return self._notes(start, [])  # edited, and no calendar to compare with: only what we know here
