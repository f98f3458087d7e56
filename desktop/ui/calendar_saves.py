"""The calendar pane's saving by hand: the dialog's values checked on the store's worker (a series'
first date is looked for with dateutil, which must not hold up the GUI thread), then stored there,
or the one sentence saying why not.

Its sentences keep the calendar pane's translation context, where they were first written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QWidget

from desktop.storage import (
    InvalidMeeting,
    Meeting,
    MeetingDraft,
    MeetingStore,
    Recurrence,
    check_reminder,
    checked_draft,
    moved_recurrence,
    parse_local,
    zone_name,
)
from desktop.ui.placeholders import filled
from desktop.ui.store_calls import StoreCalls

translate = QCoreApplication.translate


class CalendarSaves(QObject):
    def __init__(self, pane: QWidget, store: MeetingStore, calls: StoreCalls, tz: tzinfo | None,
                 now: Callable[[], datetime], notice: Callable[[str], None]) -> None:
        super().__init__(pane)
        self._store = store
        self._calls = calls
        self._tz = tz
        self._now = now
        self._notice = notice

    def save_new(self, values: dict[str, Any]) -> None:
        added = translate("CalendarPane", "Added “%1”.")
        self._checked(values, lambda draft: self._calls.call(
            self._store.create, lambda m: self._notice(filled(added, m.title)), _failed(), draft))

    def save_edit(self, meeting: Meeting, values: dict[str, Any]) -> None:
        """Saves the edited series or meeting; a series' left-out and added dates move with its start."""
        saved = translate("CalendarPane", "Saved “%1”.")

        def save(draft: MeetingDraft) -> None:
            rule = draft.recurrence.rule if draft.recurrence is not None else None
            draft = replace(draft, recurrence=moved_recurrence(meeting, draft.start, rule))
            self._calls.call(self._store.update_from, lambda m: self._notice(filled(saved, m.title)),
                             _failed(), meeting.id, draft)

        self._checked(values, save, meeting.time_zone)

    def _checked(self, values: dict[str, Any], then: Callable[[MeetingDraft], None],
                 time_zone: str | None = None) -> None:
        """`then(draft)` with the checked draft of the dialog's values, or the reason shown. A series
        keeps `time_zone`, or takes the local zone's name."""
        far = translate("CalendarPane", "The start time is too far from today.")
        rule = str(values.get("recurrence") or "")
        try:
            draft = MeetingDraft(title=values["title"], start=parse_local(values["start_time"], self._tz),
                                 duration=values["duration"], source="manual",
                                 all_day=values.get("all_day") is True,
                                 time_zone=(time_zone or zone_name(self._tz)) if rule else None,
                                 recurrence=Recurrence(rule) if rule else None,
                                 reminder=check_reminder(values.get("reminder")))
        except (InvalidMeeting, OverflowError, ValueError) as exc:
            self._notice(str(exc) if isinstance(exc, InvalidMeeting) else far)
            return

        def answered(checked: MeetingDraft | str) -> None:
            if isinstance(checked, str):
                self._notice(checked)
            else:
                then(checked)

        self._calls.call(_checked_draft, answered, _failed(), draft, self._now(), far)


def _failed() -> str:
    return translate("CalendarPane", "Could not save the meeting")


def _checked_draft(draft: MeetingDraft, now: datetime, far: str) -> MeetingDraft | str:
    """On the worker: the draft as it will be stored, or the sentence refusing it (`far` for a date
    the calendar cannot count with)."""
    try:
        return checked_draft(draft, now)
    except InvalidMeeting as exc:
        return str(exc)
    except (OverflowError, ValueError):
        return far
