"""What a meeting is, and the rules every way of making one shares (voice, dialog, .ics import).

Times are local wall-clock times made time-zone aware with the offset in force at that instant
(so a meeting after a daylight-saving change carries the right offset). A series is stored once, with
its rule, its left-out and added dates and its time zone (`Recurrence`); the store hands out each
occurrence as a `Meeting` of its own, whose `occurrence` names it within the series. An all-day
event lasts whole days (`duration` is a multiple of 1,440 minutes) and is shown on its dates wherever
the person is.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

Source = Literal["voice", "manual", "import"]

DEFAULT_TITLE = "我的会议"
MAX_TITLE_CHARS = 200
MAX_DURATION_MINUTES = 24 * 60
MAX_ALL_DAY_DAYS = 366
MINUTES_PER_DAY = 24 * 60
# Further out than this is almost certainly a misheard year, not a plan.
MAX_YEARS_AWAY = 10
MAX_LISTED_CLASHES = 5  # a weekly series over a weekly meeting clashes every week: name a few
# A meeting's reminder: minutes before its start; None is the person's default (Settings), and
# NO_REMINDER none at all. A week ahead is the most a calendar file may ask for.
NO_REMINDER = -1
DEFAULT_REMINDER_MINUTES = 10
MAX_REMINDER_MINUTES = 7 * 24 * 60

LOCAL_FORMAT = "%Y-%m-%d %H:%M:00"
_LOCAL_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$")
_DATE_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Bidirectional embedding, override and isolate marks: invisible, and they make a title read
# differently from what it holds (a spoofing trick), so they are refused like control characters.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class InvalidMeeting(ValueError):
    """One sentence saying what is wrong, fit to show a person or hand back to the model."""


@dataclass(frozen=True, slots=True)
class Recurrence:
    """How a series repeats. Left-out and added dates are naive wall-clock times in the series' zone
    (midnight for an all-day series), as EXDATE and RDATE give them."""

    rule: str = ""  # the RRULE value, e.g. "FREQ=WEEKLY;BYDAY=MO;COUNT=10"; "" when only `rdates` repeat it
    exdates: tuple[datetime, ...] = ()
    rdates: tuple[datetime, ...] = ()


@dataclass(frozen=True, slots=True)
class MeetingDraft:
    title: str
    start: datetime
    duration: int
    source: Source = "manual"
    call_id: str | None = None
    uid: str | None = None
    all_day: bool = False
    time_zone: str | None = None  # the IANA zone a series keeps its wall-clock time in; None: local
    recurrence: Recurrence | None = None
    reminder: int | None = None  # minutes before; None: the default; NO_REMINDER: none


@dataclass(frozen=True, slots=True)
class Meeting:
    id: int
    uid: str
    title: str
    start: datetime
    duration: int
    created_at: datetime
    source: Source
    call_id: str | None = None
    all_day: bool = False
    time_zone: str | None = None
    recurrence: Recurrence | None = None
    # On an occurrence of a series: its wall-clock start within the series (what an EXDATE names).
    occurrence: datetime | None = None
    reminder: int | None = None  # minutes before; None: the default; NO_REMINDER: none

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration)

    @property
    def in_series(self) -> bool:
        """A series, or one occurrence of one."""
        return self.recurrence is not None

    def describe(self, tz: tzinfo | None = None) -> dict[str, object]:
        """The plain form the model and the dialogs see, in the wall-clock time of `tz` (None: the
        system's zone now, which differs from the stored offset after travelling). `all_day`,
        `recurrence` and `reminder` appear only on an all-day event, on a series, and when the meeting
        has a reminder of its own."""
        described: dict[str, object] = {
            "id": self.id,
            "title": self.title,
            "start_time": format_local(self.start.astimezone(tz)),
            "duration": self.duration,
        }
        if self.all_day:
            described["all_day"] = True
        if self.recurrence is not None:
            described["recurrence"] = self.recurrence.rule
        if self.reminder is not None:
            described["reminder"] = self.reminder
        return described


def localize(naive: datetime, tz: tzinfo | None = None) -> datetime:
    """Attach `tz`, or the system's local offset valid at that instant when `tz` is None."""
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()


def format_local(moment: datetime) -> str:
    return moment.strftime(LOCAL_FORMAT)


def parse_local(text: str, tz: tzinfo | None = None) -> datetime:
    match = _LOCAL_PATTERN.match(text.strip())
    if not match:
        raise InvalidMeeting(f"start_time {text!r} is not in the form YYYY-MM-DD HH:MM:00.")
    year, month, day, hour, minute = (int(g) for g in match.groups()[:5])
    second = int(match.group(6) or 0)
    try:
        naive = datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise InvalidMeeting(f"start_time {text!r} is not a real date and time.") from None
    return localize(naive.replace(second=0), tz)


def parse_day(text: str, field: str) -> date:
    match = _DATE_PATTERN.match(text.strip())
    if not match:
        raise InvalidMeeting(f"{field} {text!r} is not in the form YYYY-MM-DD.")
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise InvalidMeeting(f"{field} {text!r} is not a real date.") from None


def check_title(title: str) -> str:
    """The title as stored: trimmed, the default when empty; refuses control characters."""
    cleaned = title.strip()
    if len(cleaned) > MAX_TITLE_CHARS:
        raise InvalidMeeting(f"The title is {len(cleaned)} characters long; at most {MAX_TITLE_CHARS}.")
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") or ch in _BIDI_CONTROLS for ch in cleaned):
        raise InvalidMeeting("The title contains control or invalid characters.")
    return cleaned or DEFAULT_TITLE


def check_duration(duration: int, all_day: bool = False) -> int:
    if all_day:
        if duration % MINUTES_PER_DAY or not 0 < duration <= MAX_ALL_DAY_DAYS * MINUTES_PER_DAY:
            raise InvalidMeeting(f"An all-day event lasts from 1 to {MAX_ALL_DAY_DAYS} whole days.")
        return duration
    if duration <= 0 or duration > MAX_DURATION_MINUTES:
        raise InvalidMeeting(
            f"duration {duration} is not possible; give minutes from 1 to {MAX_DURATION_MINUTES}."
        )
    return duration


def check_reminder(minutes: object) -> int | None:
    """A reminder as stored: None (the default), NO_REMINDER, or minutes before the start."""
    if minutes is None:
        return None
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not (
            minutes == NO_REMINDER or 0 <= minutes <= MAX_REMINDER_MINUTES):
        raise InvalidMeeting(f"reminder {minutes!r} is not possible; give minutes from 0 to "
                             f"{MAX_REMINDER_MINUTES}, or {NO_REMINDER} for none.")
    return minutes


def check_start(start: datetime, now: datetime) -> datetime:
    if abs(start.year - now.year) > MAX_YEARS_AWAY:
        raise InvalidMeeting(f"start_time year {start.year} is too far from today ({now.year}).")
    return start


def overlapping(
    start: datetime, duration: int, meetings: Iterable[Meeting], exclude_id: int | None = None
) -> list[Meeting]:
    """The timed meetings that overlap [start, start + duration). All-day events (a holiday, a trip)
    do not count as a clash."""
    end = start + timedelta(minutes=duration)
    return [m for m in meetings if m.id != exclude_id and not m.all_day and m.start < end and start < m.end]


def clashes_of(proposed: Iterable[Meeting], others: Sequence[Meeting],
               exclude_id: int | None = None) -> list[Meeting]:
    """The meetings among `others` (sorted by start, as `MeetingStore.between` hands them out) that
    overlap any of the `proposed` occurrences, each once. A timed meeting lasts at most a day, so each
    occurrence is looked for by bisection among those starting from a day before it until its end: the
    work grows with the proposed occurrences and their clashes, not with `others`."""
    longest = timedelta(minutes=MAX_DURATION_MINUTES)
    found: dict[tuple[int, datetime], Meeting] = {}
    for occurrence in proposed:
        low = bisect_left(others, occurrence.start - longest, key=_start_of)
        high = bisect_left(others, occurrence.end, lo=low, key=_start_of)
        nearby = (others[i] for i in range(low, high))
        for clash in overlapping(occurrence.start, occurrence.duration, nearby, exclude_id):
            found.setdefault((clash.id, clash.start), clash)
    return sorted(found.values(), key=lambda m: (m.start, m.id))


def _start_of(meeting: Meeting) -> datetime:
    return meeting.start


def warnings_for(start: datetime, clashes: Iterable[Meeting], now: datetime) -> tuple[str, ...]:
    """The overlaps (the first MAX_LISTED_CLASHES of them) and a start in the past, in English for
    the model."""
    clashing = list(clashes)
    notes = [
        f"Overlaps with “{m.title}” ({format_local(m.start.astimezone(start.tzinfo))[:16]},"
        f" {m.duration} min, id {m.id})."
        for m in clashing[:MAX_LISTED_CLASHES]
    ]
    if len(clashing) > MAX_LISTED_CLASHES:
        notes.append(f"And {len(clashing) - MAX_LISTED_CLASHES} more overlaps.")
    if start < now:
        notes.append(f"The start time {format_local(start)[:16]} is in the past.")
    return tuple(notes)
