"""The calendar pane's .ics export and import: choosing the file, running it on the store's worker,
and saying what happened, with each event that could not be imported and why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.storage import ImportReport, MeetingStore, NotImported, export_calendar, import_calendar
from desktop.ui.placeholders import filled
from desktop.ui.store_calls import StoreCalls

MAX_LISTED = 5  # events named in the notice; the rest are counted

translate = QCoreApplication.translate


class CalendarFiles(QObject):
    def __init__(self, pane: QWidget, store: MeetingStore, calls: StoreCalls, tz: tzinfo | None,
                 notice: Callable[[str], None]) -> None:
        super().__init__(pane)
        self._pane = pane
        self._store = store
        self._calls = calls
        self._tz = tz
        self._notice = notice

    def choose_export(self) -> None:
        dialog = QFileDialog(self._pane, self.tr("Export meetings"), "meetings.ics", self._ics_filter())
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("ics")
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        dialog.open()

    def choose_import(self) -> None:
        dialog = QFileDialog(self._pane, self.tr("Import meetings"), "", self._ics_filter())
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.import_from(Path(path)))
        dialog.open()

    def export_to(self, path: Path) -> None:
        exported = self.tr("Exported %1 meeting(s) to %2.")
        self._calls.call(export_calendar, lambda n: self._notice(filled(exported, str(n), path.name)),
                         filled(self.tr("Could not write %1"), path.name), self._store, path)

    def import_from(self, path: Path) -> None:
        self._calls.call(import_calendar, lambda report: self._notice(import_notice(report)),
                         filled(self.tr("Could not import %1"), path.name), self._store, path, self._tz)

    def _ics_filter(self) -> str:
        return self.tr("iCalendar files (*.ics)")


def import_notice(report: ImportReport) -> str:
    """"Imported 3 meeting(s), 1 already in the calendar. Not imported: “Trip” (it lasts longer than
    a year)." in the interface's language."""
    notes = [filled(translate("CalendarPane", "Imported %1 meeting(s)"), str(report.added))]
    if report.already_there:
        there = translate("CalendarPane", "%1 already in the calendar")
        notes.append(filled(there, str(report.already_there)))
    sentence = translate("CalendarPane", ", ").join(notes) + translate("CalendarPane", ".")
    if not report.not_imported:
        return sentence
    named = [filled(translate("CalendarFiles", "“%1” (%2)"), summary, reason_text(reason))
             for summary, reason in report.not_imported[:MAX_LISTED]]
    listed = translate("CalendarFiles", "; ").join(named)
    more = len(report.not_imported) - MAX_LISTED
    if more > 0:
        listed += filled(translate("CalendarFiles", "; and %1 more"), str(more))
    return filled(translate("CalendarFiles", "%1 Not imported: %2."), sentence, listed)


def reason_text(reason: str) -> str:
    """Why an event was not imported, in the interface's language (the English one if unknown)."""
    reasons: dict[str, str] = {
        NotImported.NO_START: translate("CalendarFiles", "it has no start time"),
        NotImported.NO_LENGTH: translate("CalendarFiles", "it has no end time or length"),
        NotImported.ENDS_BEFORE_START: translate("CalendarFiles", "it ends before it starts"),
        NotImported.LONGER_THAN_A_DAY: translate("CalendarFiles", "it lasts longer than 24 hours"),
        NotImported.LONGER_THAN_A_YEAR: translate("CalendarFiles", "it lasts longer than a year"),
        NotImported.TOO_FAR: translate("CalendarFiles", "it is too far from today"),
        NotImported.RULE_NOT_SUPPORTED: translate("CalendarFiles", "its repeat rule is not supported"),
        NotImported.NO_OCCURRENCE: translate("CalendarFiles", "its repeat rule leaves no meeting"),
        NotImported.CANCELLED: translate("CalendarFiles", "it was cancelled"),
    }
    return reasons.get(reason, reason)
