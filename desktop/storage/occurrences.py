"""A series' occurrences: a stored meeting expanded (with dateutil) into the meetings it stands for in
a range, and the checks every draft passes before it is stored.

A series repeats in wall-clock time: "every Monday at 10" stays at 10 across daylight-saving changes.
With a zone name (`time_zone`) that is 10:00 in that zone, shown at the matching local time; without
one (floating times from a file, or a system zone whose name cannot be told) it is 10:00 wherever the
person is. An all-day event is on its dates in whatever zone the person is in.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desktop.storage.meeting_model import (
    MAX_YEARS_AWAY,
    InvalidMeeting,
    Meeting,
    MeetingDraft,
    Recurrence,
    check_duration,
    check_start,
    check_title,
    localize,
)
from desktop.storage.recurrence_rule import MAX_SPAN_YEARS, RuleParts, check_span, parse_rule, rule_set

_SLACK = timedelta(days=2)  # wall-clock and instants differ by at most a day: look a little wider
_HORIZON = timedelta(days=MAX_SPAN_YEARS * 366)  # no occurrence is looked for further from a series' start
_FIRST_WITHIN = timedelta(days=MAX_YEARS_AWAY * 366)  # a first occurrence is looked for this far

Timed = Meeting | MeetingDraft


def zone(name: str | None) -> ZoneInfo | None:
    """The zone of an IANA name, or None for no name or one this system does not know."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def zone_name(tz: tzinfo | None) -> str | None:
    """The IANA name of `tz` (None: the system's zone), for a series to keep; None when there is none
    to tell (a fixed offset; Windows without TZ), and the series then keeps local wall-clock time."""
    if tz is not None:
        key = getattr(tz, "key", None)
        return key if isinstance(key, str) and zone(key) is not None else None
    configured = os.environ.get("TZ", "").lstrip(":")
    if configured:
        return configured if not configured.startswith("/") and zone(configured) else None
    target = os.path.realpath("/etc/localtime")
    name = target.split("/zoneinfo/", 1)[1] if "/zoneinfo/" in target else ""
    return name if zone(name) is not None else None


def wall_start(meeting: Timed) -> datetime:
    """The first start as naive wall-clock time in the series' zone (DTSTART as a file writes it)."""
    if meeting.all_day:
        return datetime.combine(meeting.start.date(), time())
    keeps = zone(meeting.time_zone)
    return (meeting.start.astimezone(keeps) if keeps is not None else meeting.start).replace(tzinfo=None)


def _aware(wall: datetime, meeting: Timed, tz: tzinfo | None) -> datetime:
    keeps = None if meeting.all_day else zone(meeting.time_zone)
    return wall.replace(tzinfo=keeps) if keeps is not None else localize(wall, tz)


def _to_wall(moment: datetime, meeting: Timed, tz: tzinfo | None) -> datetime:
    keeps = None if meeting.all_day else zone(meeting.time_zone)
    return moment.astimezone(keeps or tz).replace(tzinfo=None)


def _walls(meeting: Timed, tz: tzinfo | None, not_after: datetime,
           not_before: datetime | None = None) -> list[datetime]:
    """The series' wall-clock occurrences from `not_before` (None: its start) to `not_after`."""
    recurrence = meeting.recurrence or Recurrence()
    first = wall_start(meeting)
    parts: RuleParts | None = parse_rule(recurrence.rule) if recurrence.rule else None
    rdates = recurrence.rdates if parts is not None else (first, *recurrence.rdates)
    return rule_set(parts, first, recurrence.exdates, rdates, lambda until: _to_wall(until, meeting, tz),
                    not_after=not_after, not_before=not_before)


def occurrences(meeting: Meeting, start: datetime, end: datetime, tz: tzinfo | None = None) -> list[Meeting]:
    """The occurrences of `meeting` that overlap [start, end), each a `Meeting` with its own start and
    `occurrence`; a meeting that does not repeat is its own one occurrence."""
    if meeting.recurrence is None:
        single = meeting
        if meeting.all_day:  # on its dates wherever the person is
            single = replace(meeting, start=_aware(wall_start(meeting), meeting, tz))
        return [single] if single.start < end and start < single.end else []
    first = wall_start(meeting)
    low = _to_wall(start, meeting, tz) - timedelta(minutes=meeting.duration) - _SLACK
    high = min(_to_wall(end, meeting, tz) + _SLACK, _later(first, _HORIZON))
    if low > high:
        return []
    try:
        walls = _walls(meeting, tz, high, low)
    except InvalidMeeting:  # a rule stored by a version that accepted more: its first meeting stands
        walls = [first]
    found = [replace(meeting, start=_aware(wall, meeting, tz), occurrence=wall) for wall in walls]
    return [m for m in found if m.start < end and start < m.end]


def _later(moment: datetime, delta: timedelta) -> datetime:
    try:
        return moment + delta
    except OverflowError:
        return datetime.max


def first_occurrence(meeting: Timed, tz: tzinfo | None = None) -> datetime | None:
    """The wall-clock start of the first occurrence left within MAX_YEARS_AWAY of the series' start,
    or None when there is none."""
    not_after = _later(wall_start(meeting), _FIRST_WITHIN)
    walls = _walls(meeting, tz, not_after)
    return walls[0] if walls else None


def last_end(meeting: Timed) -> datetime | None:
    """When the last occurrence of a series with an end (COUNT, UNTIL, or added dates only) ends; None
    for a series without one (or whose end cannot be told). A series in local time is placed in the
    system's zone, so the answer may be a day off: callers look a little wider."""
    recurrence = meeting.recurrence or Recurrence()
    first = wall_start(meeting)
    try:
        parts = parse_rule(recurrence.rule) if recurrence.rule else None
        if parts is not None and parts.count is None and parts.until is None:
            return None
        last = max([first, *_walls(meeting, None, _later(first, _HORIZON)), *recurrence.rdates])
        return _aware(last, meeting, None) + timedelta(minutes=meeting.duration)
    except (OverflowError, ValueError):  # InvalidMeeting too: a rule an older version accepted
        return None


def checked_draft(draft: MeetingDraft, now: datetime) -> MeetingDraft:
    """The draft as it will be stored, or InvalidMeeting: the title normalised, an all-day event
    starting at midnight, a series' rule checked and written in one form, and its start moved to its
    first occurrence (where dateutil and other calendars agree the series begins)."""
    check_start(draft.start, now)
    check_duration(draft.duration, draft.all_day)
    start = draft.start.replace(hour=0, minute=0, second=0, microsecond=0) if draft.all_day else draft.start
    checked = replace(draft, title=check_title(draft.title), start=start,
                      time_zone=None if draft.all_day else draft.time_zone)
    recurrence = draft.recurrence
    if recurrence is None or not (recurrence.rule.strip() or recurrence.rdates):
        return replace(checked, recurrence=None)
    parts = parse_rule(recurrence.rule) if recurrence.rule.strip() else None
    if parts is not None:
        check_span(parts, wall_start(checked))
    rule = parts.text() if parts is not None else ""
    checked = replace(checked, recurrence=replace(recurrence, rule=rule))
    first = first_occurrence(checked, start.tzinfo)
    if first is None:
        raise InvalidMeeting(f"recurrence gives no meeting within {MAX_YEARS_AWAY} years of its start: the "
                             "rule never matches, or its end or the left-out dates remove every one.")
    synchronized = _aware(first, checked, start.tzinfo)
    if abs(synchronized.year - now.year) > MAX_YEARS_AWAY:
        raise InvalidMeeting(f"recurrence: its first meeting would be in {synchronized.year}, "
                             "too far from today.")
    return replace(checked, start=synchronized)


def moved_recurrence(series: Meeting, start: datetime, rule: str | None) -> Recurrence | None:
    """The recurrence of `series` after its start moves to `start` and its rule becomes `rule` (None:
    it no longer repeats; "": only its added dates repeat it). Left-out and added dates move by as much
    as the start did."""
    if rule is None:
        return None
    before = series.recurrence or Recurrence()
    shift = wall_start(replace(series, start=start)) - wall_start(series)
    return Recurrence(rule, tuple(d + shift for d in before.exdates), tuple(d + shift for d in before.rdates))


def draft_occurrences(draft: MeetingDraft, until: datetime, tz: tzinfo | None = None) -> list[Meeting]:
    """The occurrences a draft would have from its start until `until` (id 0: not stored yet)."""
    proposed = Meeting(0, draft.uid or "", draft.title, draft.start, draft.duration, draft.start,
                       draft.source, draft.call_id, draft.all_day, draft.time_zone, draft.recurrence)
    return occurrences(proposed, draft.start, until, tz)
