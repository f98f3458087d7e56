"""iCalendar export and import. A series goes out as one VEVENT with its RRULE, EXDATE, RDATE and
TZID (and the VTIMEZONE that names), an all-day event with DATE values; the UID is the meeting's own,
so re-importing a file skips what is already there. What cannot be imported is listed with the reason.

A changed occurrence of a series (a VEVENT with RECURRENCE-ID) comes in as a meeting of its own, and
its series leaves that occurrence out; a cancelled one only leaves it out.

icalendar is imported on first use (on the store's worker thread): an app that never exports or
imports should not carry its memory (docs/measurements.md, Storage and knowledge)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, NamedTuple

from desktop.storage.ics_events import NotImported, event_draft, event_title, meeting_event, wall_time
from desktop.storage.meeting_model import Meeting, MeetingDraft
from desktop.storage.meetings import MeetingStore
from desktop.storage.occurrences import zone

PRODID = "-//VoiceAssistant//Meetings//EN"


@dataclass(frozen=True, slots=True)
class IcsImport:
    drafts: tuple[MeetingDraft, ...]
    not_imported: tuple[tuple[str, str], ...]  # (summary, reason): what the file holds that cannot be stored

    @property
    def unusable(self) -> int:
        return len(self.not_imported)


class ImportReport(NamedTuple):
    added: int
    already_there: int
    not_imported: tuple[tuple[str, str], ...]  # (summary, `NotImported` reason in English)


def to_ics(meetings: Iterable[Meeting]) -> bytes:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, stamp))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def from_ics(data: bytes, tz: tzinfo | None = None, now: datetime | None = None) -> IcsImport:
    """Raises ValueError when `data` is not an iCalendar file at all."""
    from icalendar import Calendar

    calendar = Calendar.from_ical(data)
    moment = now or datetime.now().astimezone(tz)
    drafts: list[MeetingDraft] = []
    refused: list[tuple[str, str]] = []
    changed: list[Any] = []
    for event in calendar.walk("VEVENT"):
        if event.get("RECURRENCE-ID") is not None:
            changed.append(event)
            continue
        read = _event_draft(event, tz, moment)
        if isinstance(read, NotImported):
            refused.append((event_title(event), str(read)))
        else:
            drafts.append(read)
    for event in changed:
        try:
            _apply_change(event, drafts, refused, tz, moment)
        except (ValueError, OverflowError):  # a RECURRENCE-ID no time zone reaches
            refused.append((event_title(event), str(NotImported.TOO_FAR)))
    return IcsImport(tuple(drafts), tuple(refused))


def _event_draft(event: Any, tz: tzinfo | None, now: datetime) -> MeetingDraft | NotImported:
    """`event_draft`, with a date no time zone reaches (the year 1 or 9999) as too far: one such
    event must not cost the file's others."""
    try:
        return event_draft(event, tz, now)
    except (ValueError, OverflowError):
        return NotImported.TOO_FAR


def _apply_change(event: Any, drafts: list[MeetingDraft], refused: list[tuple[str, str]],
                  tz: tzinfo | None, now: datetime) -> None:
    """One changed or cancelled occurrence: out of its series, and in as a meeting of its own."""
    uid = str(event.get("UID", ""))
    try:
        replaced = event.decoded("RECURRENCE-ID")
    except (KeyError, ValueError):
        refused.append((event_title(event), str(NotImported.NO_START)))
        return
    position = next((i for i, d in enumerate(drafts) if d.uid == uid and d.recurrence is not None), None)
    if position is not None:
        series = drafts[position]
        assert series.recurrence is not None
        keeps = zone(series.time_zone)
        first = series.start.astimezone(keeps) if keeps is not None else series.start
        exdates = (*series.recurrence.exdates, wall_time(replaced, first, series.all_day, keeps, tz))
        drafts[position] = replace(series, recurrence=replace(series.recurrence, exdates=exdates))
    for name in ("RRULE", "RDATE", "EXDATE"):
        event.pop(name, None)
    read = _event_draft(event, tz, now)
    if read is NotImported.CANCELLED:
        return
    if isinstance(read, NotImported):
        refused.append((event_title(event), str(read)))
        return
    drafts.append(replace(read, uid=f"{uid}/{replaced:%Y%m%dT%H%M%S}"))


def export_calendar(store: MeetingStore, path: Path) -> int:
    """Writes every meeting to `path` (a series once); returns how many."""
    meetings = store.all()
    path.write_bytes(to_ics(meetings))
    return len(meetings)


def import_calendar(store: MeetingStore, path: Path, tz: tzinfo | None = None) -> ImportReport:
    """Adds the file's events to the store: how many were added, how many were there already, and
    each event that could not be imported with the reason."""
    try:
        parsed = from_ics(path.read_bytes(), tz)
    except ValueError:
        raise ValueError("it is not an iCalendar (.ics) file") from None
    added, skipped = store.import_drafts(parsed.drafts)
    return ImportReport(added, skipped, parsed.not_imported)
