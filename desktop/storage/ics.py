"""iCalendar export and import. Times go out in UTC (tz-aware, and every calendar app agrees on
what `Z` means) and come back as local time; the UID is the meeting's own, so re-importing a file
skips what is already there.

icalendar is imported on first use (on the store's worker thread): an app that never exports or
imports should not carry its memory (docs/measurements.md, Storage and knowledge)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from desktop.storage.meeting_model import (
    MAX_DURATION_MINUTES,
    InvalidMeeting,
    Meeting,
    MeetingDraft,
    check_title,
    localize,
)
from desktop.storage.meetings import MeetingStore

PRODID = "-//VoiceAssistant//Meetings//EN"


@dataclass(frozen=True, slots=True)
class IcsImport:
    drafts: tuple[MeetingDraft, ...]
    unusable: int  # events without a usable time or duration (all-day, > 24 h, ...)


def to_ics(meetings: Iterable[Meeting]) -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for meeting in meetings:
        event = Event()
        event.add("uid", meeting.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.start.astimezone(UTC))
        event.add("duration", timedelta(minutes=meeting.duration))
        event.add("summary", meeting.title)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def from_ics(data: bytes, tz: tzinfo | None = None) -> IcsImport:
    """Raises ValueError when `data` is not an iCalendar file at all."""
    from icalendar import Calendar

    calendar = Calendar.from_ical(data)
    drafts: list[MeetingDraft] = []
    unusable = 0
    for event in calendar.walk("VEVENT"):
        draft = _draft(event, tz)
        if draft is None:
            unusable += 1
        else:
            drafts.append(draft)
    return IcsImport(tuple(drafts), unusable)


def export_calendar(store: MeetingStore, path: Path) -> int:
    """Writes every meeting to `path`; returns how many."""
    meetings = store.all()
    path.write_bytes(to_ics(meetings))
    return len(meetings)


def import_calendar(store: MeetingStore, path: Path, tz: tzinfo | None = None) -> tuple[int, int, int]:
    """Adds the file's events to the store; returns (added, already there, unusable)."""
    try:
        parsed = from_ics(path.read_bytes(), tz)
    except ValueError:
        raise ValueError("it is not an iCalendar (.ics) file") from None
    added, skipped = store.import_drafts(parsed.drafts)
    return added, skipped, parsed.unusable


def _draft(event: Any, tz: tzinfo | None) -> MeetingDraft | None:
    start = _decoded(event, "DTSTART")
    if not isinstance(start, datetime):  # missing, or an all-day date
        return None
    start = localize(start, tz).astimezone(tz)
    duration = _minutes(event, start)
    if duration is None or not 0 < duration <= MAX_DURATION_MINUTES:
        return None
    try:
        title = check_title(str(event.get("SUMMARY", "")))
    except InvalidMeeting:
        title = check_title("".join(ch for ch in str(event.get("SUMMARY", "")) if ch.isprintable())[:200])
    uid = str(event.get("UID", "")) or _content_uid(start, duration, title)
    return MeetingDraft(title=title, start=start.replace(second=0, microsecond=0), duration=duration,
                        source="import", uid=uid)


def _minutes(event: Any, start: datetime) -> int | None:
    length = _decoded(event, "DURATION")
    if not isinstance(length, timedelta):
        end = _decoded(event, "DTEND")
        if not isinstance(end, datetime):
            return None
        length = localize(end).astimezone(start.tzinfo) - start
    return int(length.total_seconds() // 60)


def _decoded(event: Any, name: str) -> date | timedelta | None:
    try:
        value = event.decoded(name)
    except (KeyError, ValueError):
        return None
    return value if isinstance(value, (date, timedelta)) else None


def _content_uid(start: datetime, duration: int, title: str) -> str:
    """A UID for events that lack one, stable across imports of the same file."""
    digest = hashlib.sha256(f"{start.isoformat()}|{duration}|{title}".encode()).hexdigest()[:24]
    return f"{digest}@imported"
