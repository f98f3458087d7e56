"""How a meeting sits in its SQLite row: the columns, and a series' wall-clock date lists as text."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from typing import Any

from desktop.storage.meeting_model import Meeting, MeetingDraft, Recurrence, Source
from desktop.storage.occurrences import last_end, zone

log = logging.getLogger(__name__)

COLUMNS = (
    "id, uid, title, start, duration, created_at, source, call_id, all_day, time_zone, rrule, exdates,"
    " rdates, reminder"
)
# Rows that are expanded in Python: a series (its rule or added dates) and all-day events (on their
# dates in the person's zone). The others are found by their epoch alone.
EXPANDED = "(rrule IS NOT NULL OR rdates != '' OR all_day = 1)"
WALL_FORMAT = "%Y%m%dT%H%M%S"


def wall_times_text(times: tuple[datetime, ...]) -> str:
    """The times as YYYYMMDDTHHMMSS, four-digit years always (strftime's %Y leaves year 1 as "1")."""
    return ",".join(f"{moment.year:04d}{moment:%m%dT%H%M%S}" for moment in sorted(set(times)))


def wall_times(text: str) -> tuple[datetime, ...]:
    """The times `wall_times_text` wrote; an item that is not one is skipped (and logged), so one bad
    row cannot make the calendar unreadable."""
    times = []
    for item in text.split(","):
        if not item:
            continue
        try:
            times.append(datetime.strptime(item, WALL_FORMAT))
        except ValueError:
            log.warning("skipped a stored date that is not one: %r", item[:40])
    return tuple(times)


def row_to_meeting(row: sqlite3.Row) -> Meeting:
    source: Source = row["source"]
    start = datetime.fromisoformat(row["start"])
    keeps = zone(row["time_zone"])
    recurrence = None
    if row["rrule"] is not None or row["rdates"]:
        recurrence = Recurrence(row["rrule"] or "", wall_times(row["exdates"]), wall_times(row["rdates"]))
    return Meeting(
        id=row["id"],
        uid=row["uid"],
        title=row["title"],
        start=start.astimezone(keeps) if keeps is not None else start,
        duration=row["duration"],
        created_at=datetime.fromisoformat(row["created_at"]),
        source=source,
        call_id=row["call_id"],
        all_day=bool(row["all_day"]),
        time_zone=row["time_zone"],
        recurrence=recurrence,
        reminder=row["reminder"],
    )


def draft_values(draft: MeetingDraft) -> dict[str, Any]:
    """The columns a draft sets (a series' start is its first occurrence: `start_epoch` finds it; its
    last one's end, when it has one, `end_epoch`)."""
    recurrence = draft.recurrence
    start_epoch = int(draft.start.timestamp())
    return {
        "title": draft.title,
        "start": draft.start.isoformat(timespec="seconds"),
        "start_epoch": start_epoch,
        "end_epoch": _end_epoch(draft, start_epoch),
        "duration": draft.duration,
        "all_day": int(draft.all_day),
        "time_zone": draft.time_zone,
        "rrule": (recurrence.rule or None) if recurrence is not None else None,
        "exdates": wall_times_text(recurrence.exdates) if recurrence is not None else "",
        "rdates": wall_times_text(recurrence.rdates) if recurrence is not None else "",
        "reminder": draft.reminder,
    }


def _end_epoch(draft: MeetingDraft, start_epoch: int) -> int | None:
    """When the meeting ends, or its series' last occurrence does; None for a series without an end."""
    if draft.recurrence is None:
        return start_epoch + draft.duration * 60
    end = last_end(draft)
    return int(end.timestamp()) if end is not None else None
