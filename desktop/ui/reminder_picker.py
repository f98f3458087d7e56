"""The choice of a meeting's reminder (the meeting dialog) or of the default one (Settings): how long
before the start, "no reminder", or (in the dialog) the default of Settings.

Its value is what the store keeps: minutes before the start, NO_REMINDER, or None for the default. A
value off the list (a file's "20 minutes before") is added to it as it is, so nothing is lost.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from desktop.storage import NO_REMINDER
from desktop.ui.placeholders import filled

CHOICES = (0, 5, 10, 15, 30, 60, 120, 24 * 60)


class ReminderPicker(QComboBox):
    def __init__(self, default_minutes: int | None = None, parent: QWidget | None = None) -> None:
        """With `default_minutes` (the default of Settings), the first choice is "Default (…)"."""
        super().__init__(parent)
        self._offers_default = default_minutes is not None
        if default_minutes is not None:
            self.addItem(filled(self.tr("Default (%1)"), self.lead_text(default_minutes)), None)
        self.addItem(self.tr("No reminder"), NO_REMINDER)
        for minutes in CHOICES:
            self.addItem(self.lead_text(minutes), minutes)

    def lead_text(self, minutes: int) -> str:
        """"10 minutes before", "1 hour before", "At the start", "No reminder"."""
        if minutes == NO_REMINDER:
            return self.tr("No reminder")
        if minutes == 0:
            return self.tr("At the start")
        days, hours = minutes // (24 * 60), minutes // 60
        if minutes % (24 * 60) == 0:
            return self.tr("1 day before") if days == 1 else filled(self.tr("%1 days before"), str(days))
        if minutes % 60 == 0:
            return self.tr("1 hour before") if hours == 1 else filled(self.tr("%1 hours before"), str(hours))
        if minutes == 1:
            return self.tr("1 minute before")
        return filled(self.tr("%1 minutes before"), str(minutes))

    def value(self) -> int | None:
        data = self.currentData()
        return int(data) if isinstance(data, int) else None

    def set_value(self, minutes: int | None) -> None:
        """Chooses `minutes` (None: the default, or the first choice without one), adding it if new."""
        if minutes is None and self._offers_default:
            self.setCurrentIndex(0)
            return
        if minutes is None:
            minutes = NO_REMINDER
        index = self.findData(minutes)
        if index < 0:
            self.addItem(self.lead_text(minutes), minutes)
            index = self.count() - 1
        self.setCurrentIndex(index)
