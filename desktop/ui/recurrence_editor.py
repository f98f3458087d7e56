"""What a series adds to the meeting dialog: editing how it repeats, and choosing what to cancel.

The editor offers a few choices (does not repeat, daily, weekly, monthly, yearly; no end, after a
number of times, until a date) and builds the RRULE from them and the start (weekly repeats on the
start's weekday). A richer rule (from the assistant or a file) stays as it is, shown in words, until
the person picks one of the choices instead.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.storage import MAX_COUNT, InvalidMeeting, RuleParts, parse_rule
from desktop.ui.placeholders import filled
from desktop.ui.recurrence_words import rule_in_words

CUSTOM = "custom"
_DEFAULT_COUNT = 10


class RecurrenceEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._start = datetime.now().astimezone()
        self._custom = ""
        self._read_only = False
        self.repeat_box = QComboBox()
        for text, freq in ((self.tr("Does not repeat"), ""), (self.tr("Daily"), "DAILY"),
                           (self.tr("Weekly"), "WEEKLY"), (self.tr("Monthly"), "MONTHLY"),
                           (self.tr("Yearly"), "YEARLY")):
            self.repeat_box.addItem(text, freq)
        self.end_box = QComboBox()
        for text, end in ((self.tr("No end"), "never"), (self.tr("After"), "count"),
                          (self.tr("Until"), "until")):
            self.end_box.addItem(text, end)
        self.count_edit = QSpinBox()
        self.count_edit.setRange(1, MAX_COUNT)
        self.count_edit.setValue(_DEFAULT_COUNT)
        self.count_edit.setSuffix(self.tr(" times"))
        self.until_edit = QDateEdit()
        self.until_edit.setDisplayFormat("yyyy-MM-dd")
        self.until_edit.setCalendarPopup(True)
        self.words_label = QLabel()
        self.words_label.setWordWrap(True)
        choices = QHBoxLayout()
        choices.setContentsMargins(0, 0, 0, 0)
        for widget in (self.repeat_box, self.end_box, self.count_edit, self.until_edit):
            choices.addWidget(widget)
        choices.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(choices)
        layout.addWidget(self.words_label)
        for signal in (self.repeat_box.currentIndexChanged, self.end_box.currentIndexChanged,
                       self.count_edit.valueChanged, self.until_edit.dateChanged):
            signal.connect(self._edited)
        self._show_fitting()

    def set_rule(self, rule: str, start: datetime) -> None:
        """Shows `rule` (a series' RRULE; "" for none) for a series starting at `start`."""
        self._start = start
        self._set_until(start.date() + timedelta(days=91))
        parts = _parsed(rule)
        fields = (self.repeat_box, self.end_box, self.count_edit, self.until_edit)
        blocked = [field.blockSignals(True) for field in fields]
        if parts is None or not _simple(parts, start):
            self._custom = rule.strip()
            if self._custom:
                if self.repeat_box.findData(CUSTOM) < 0:
                    self.repeat_box.addItem(self.tr("Custom"), CUSTOM)
                self.repeat_box.setCurrentIndex(self.repeat_box.findData(CUSTOM))
            else:
                self.repeat_box.setCurrentIndex(0)
        else:
            self.repeat_box.setCurrentIndex(self.repeat_box.findData(parts.freq))
            self._show_end(parts)
        for field, was in zip(fields, blocked, strict=True):
            field.blockSignals(was)
        self._show_fitting()

    def set_start(self, start: datetime) -> None:
        """The start moved: a rule built from the choices follows it (weekly: its weekday)."""
        self._start = start
        self._show_fitting()

    def rule(self) -> str:
        choice = self.repeat_box.currentData()
        if not choice:
            return ""
        if choice == CUSTOM:
            return self._custom
        by_day = ((0, self._start.weekday()),) if choice == "WEEKLY" else ()
        parts = RuleParts(freq=choice, by_day=by_day)
        end = self.end_box.currentData()
        if end == "count":
            parts = replace(parts, count=self.count_edit.value())
        elif end == "until":
            until = self.until_edit.date()
            parts = replace(parts, until=date(until.year(), until.month(), until.day()))
        return parts.text()

    def words(self) -> str:
        return self.words_label.text()

    def set_read_only(self, read_only: bool) -> None:
        """Read-only (a meeting about to be cancelled): only the rule in words."""
        self._read_only = read_only
        self._show_fitting()

    def _show_end(self, parts: RuleParts) -> None:
        if parts.count is not None:
            self.end_box.setCurrentIndex(self.end_box.findData("count"))
            self.count_edit.setValue(parts.count)
        elif parts.until is not None:
            self.end_box.setCurrentIndex(self.end_box.findData("until"))
            self._set_until(parts.until.date() if isinstance(parts.until, datetime) else parts.until)
        else:
            self.end_box.setCurrentIndex(self.end_box.findData("never"))

    def _set_until(self, day: date) -> None:
        self.until_edit.setDate(QDate(day.year, day.month, day.day))

    def _edited(self) -> None:
        self._show_fitting()
        self.changed.emit()

    def _show_fitting(self) -> None:
        """Only the end fields that apply, and the rule in words."""
        choice = self.repeat_box.currentData()
        simple = bool(choice) and choice != CUSTOM and not self._read_only
        end = self.end_box.currentData()
        self.repeat_box.setVisible(not self._read_only)
        self.end_box.setVisible(simple)
        self.count_edit.setVisible(simple and end == "count")
        self.until_edit.setVisible(simple and end == "until")
        words = rule_in_words(self.rule(), self._start)
        self.words_label.setText(words)
        self.words_label.setVisible(bool(words))


class CancelScope(QWidget):
    """For an occurrence of a series: cancel only it, or the whole series."""

    def __init__(self, occurrence: str, series_words: str, parent: QWidget | None = None) -> None:
        """`occurrence`: its date and time as shown; `series_words`: how the series repeats."""
        super().__init__(parent)
        self.only_this = QRadioButton(filled(self.tr("Only this one (%1)"), occurrence))
        self.whole_series = QRadioButton(filled(self.tr("The whole series (%1)"), series_words))
        group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("This meeting is part of a series. Cancel:")))
        for button in (self.only_this, self.whole_series):
            group.addButton(button)
            layout.addWidget(button)

    def choose(self, scope: str) -> None:
        (self.only_this if scope == "occurrence" else self.whole_series).setChecked(True)

    def scope(self) -> str:
        return "occurrence" if self.only_this.isChecked() else "series"


def _parsed(rule: str) -> RuleParts | None:
    try:
        return parse_rule(rule) if rule.strip() else None
    except InvalidMeeting:
        return None


def _simple(parts: RuleParts, start: datetime) -> bool:
    """A rule the choices can show and build again unchanged."""
    plain = parts.interval == 1 and not (parts.by_month_day or parts.by_month or parts.by_set_pos)
    by_day_fits = not parts.by_day or (parts.freq == "WEEKLY" and parts.by_day == ((0, start.weekday()),))
    until_is_a_day = not isinstance(parts.until, datetime)
    return plain and by_day_fits and until_is_a_day and parts.week_start is None
