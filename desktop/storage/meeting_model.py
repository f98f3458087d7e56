"""What a meeting is, and the rules every way of making one shares (voice, dialog, .ics import).

Times are local wall-clock times made time-zone aware with the offset in force at that instant
(so a meeting after a daylight-saving change carries the right offset).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

Source = Literal["voice", "manual", "import"]

DEFAULT_TITLE = "我的会议"
MAX_TITLE_CHARS = 200
MAX_DURATION_MINUTES = 24 * 60
# Further out than this is almost certainly a misheard year, not a plan.
MAX_YEARS_AWAY = 10

LOCAL_FORMAT = "%Y-%m-%d %H:%M:00"
_LOCAL_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$")
_DATE_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Bidirectional embedding, override and isolate marks: invisible, and they make a title read
# differently from what it holds (a spoofing trick), so they are refused like control characters.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class InvalidMeeting(ValueError):
    """One sentence saying what is wrong, fit to show a person or hand back to the model."""


@dataclass(frozen=True, slots=True)
class MeetingDraft:
    title: str
    start: datetime
    duration: int
    source: Source = "manual"
    call_id: str | None = None
    uid: str | None = None


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

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration)

    def describe(self, tz: tzinfo | None = None) -> dict[str, object]:
        """The plain form the model and the dialogs see, in the wall-clock time of `tz` (None: the
        system's zone now, which differs from the stored offset after travelling)."""
        return {
            "id": self.id,
            "title": self.title,
            "start_time": format_local(self.start.astimezone(tz)),
            "duration": self.duration,
        }


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


def check_duration(duration: int) -> int:
    if duration <= 0 or duration > MAX_DURATION_MINUTES:
        raise InvalidMeeting(
            f"duration {duration} is not possible; give minutes from 1 to {MAX_DURATION_MINUTES}."
        )
    return duration


def check_start(start: datetime, now: datetime) -> datetime:
    if abs(start.year - now.year) > MAX_YEARS_AWAY:
        raise InvalidMeeting(f"start_time year {start.year} is too far from today ({now.year}).")
    return start


def checked_draft(draft: MeetingDraft, now: datetime) -> MeetingDraft:
    """The same draft with its title normalised, or InvalidMeeting."""
    check_start(draft.start, now)
    check_duration(draft.duration)
    return MeetingDraft(
        title=check_title(draft.title),
        start=draft.start,
        duration=draft.duration,
        source=draft.source,
        call_id=draft.call_id,
        uid=draft.uid,
    )


def overlapping(
    start: datetime, duration: int, meetings: Iterable[Meeting], exclude_id: int | None = None
) -> list[Meeting]:
    end = start + timedelta(minutes=duration)
    return [m for m in meetings if m.id != exclude_id and m.start < end and start < m.end]


def warnings_for(start: datetime, clashes: Iterable[Meeting], now: datetime) -> tuple[str, ...]:
    notes = [
        f"Overlaps with “{m.title}” ({format_local(m.start.astimezone(start.tzinfo))[:16]},"
        f" {m.duration} min, id {m.id})."
        for m in clashes
    ]
    if start < now:
        notes.append(f"The start time {format_local(start)[:16]} is in the past.")
    return tuple(notes)
