"""The meeting dialog: confirming what the assistant proposes, and creating or editing by hand.

Opened with `open()` (window-modal), never `exec()`, so the conversation and its audio go on while
it is shown. The warning line (overlap, a time in the past) follows the fields as they are edited.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any, Literal

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import (
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
    DEFAULT_TITLE,
    MAX_DURATION_MINUTES,
    MAX_TITLE_CHARS,
    Meeting,
    format_local,
    localize,
    overlapping,
    parse_local,
)

Mode = Literal["create", "cancel", "new", "edit"]



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
    ) -> None:
        super().__init__(parent)
        self._mode = mode
        self._tz = tz
        self._now = now or (lambda: datetime.now().astimezone(tz))
        self._others = others
        self._exclude_id = exclude_id
        self._given_warnings = tuple(warnings)
        title, heading = self._headings()[mode]
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._build(heading)
        self._fill(fields)
        self._initial = self.values()
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
        self.start_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.start_edit.setCalendarPopup(True)
        self.duration_edit = QSpinBox()
        self.duration_edit.setRange(1, MAX_DURATION_MINUTES)
        self.duration_edit.setSuffix(self.tr(" min"))
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #b35c00;")
        form = QFormLayout()
        form.addRow(self.tr("Title"), self.title_edit)
        form.addRow(self.tr("Start"), self.start_edit)
        form.addRow(self.tr("Duration"), self.duration_edit)
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
        layout = QVBoxLayout(self)
        if heading:
            layout.addWidget(QLabel(heading))
        layout.addLayout(form)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.buttons)
        read_only = self._mode == "cancel"
        self.title_edit.setReadOnly(read_only)
        self.start_edit.setReadOnly(read_only)
        self.duration_edit.setReadOnly(read_only)
        self.title_edit.textChanged.connect(self._refresh_warning)
        self.start_edit.dateTimeChanged.connect(self._refresh_warning)
        self.duration_edit.valueChanged.connect(self._refresh_warning)

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
        self.duration_edit.setValue(duration if isinstance(duration, int) else 30)

    def start(self) -> datetime:
        moment = self.start_edit.dateTime()
        day, clock = moment.date(), moment.time()
        naive = datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute())
        return localize(naive, self._tz)

    def values(self) -> dict[str, Any]:
        """The fields as shown, in the same form the tools use."""
        return {
            "title": self.title_edit.text().strip() or DEFAULT_TITLE,
            "start_time": format_local(self.start()),
            "duration": self.duration_edit.value(),
        }

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
            for m in clashes
        ]
        if start < self._now():
            notes.append(_filled(self.tr("The start time %1 is in the past."), format_local(start)[:16]))
        return notes

    def warning_text(self) -> str:
        return self.warning_label.text()

    def _refresh_warning(self) -> None:
        if not hasattr(self, "_initial"):
            return  # still filling the fields
        start, duration = self.start(), self.duration_edit.value()
        notes: Sequence[str]
        if self._others is not None:
            notes = self._notes(start, overlapping(start, duration, self._others, self._exclude_id))
        elif self.values() == self._initial:
            notes = self._given_warnings  # the tool's own (English) words: no calendar to recheck with
        else:  # edited, and no calendar to compare with: only what we can know here
            notes = self._notes(start, ())
        self.warning_label.setText("\n".join(f"⚠ {note}" for note in notes))
        self.warning_label.setVisible(bool(notes))


def _filled(template: str, *values: str) -> str:
    """Qt's %1, %2… placeholders filled in one pass, so a title containing "%2" stays as typed; a
    placeholder without a value (a slip in a translation) stays as it is."""

    def value(found: re.Match[str]) -> str:
        number = int(found[1])
        return values[number - 1] if 1 <= number <= len(values) else found[0]

    return re.sub(r"%(\d)", value, template)
