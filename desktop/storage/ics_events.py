"""One meeting as a VEVENT and back: times, all-day dates, the series' RRULE, EXDATE, RDATE and TZID.

Its reminder goes out and comes in as a VALARM (ics_alarms.py).

Written: a meeting with a zone name in that zone (TZID), a series without one in floating time (its
wall-clock time, as it repeats), any other meeting in UTC; an all-day event as DATE values. Read: a
TZID or UTC time is that instant (a series keeps the zone it repeats in), a floating time is local, a
DATE is all-day. An event that cannot be stored comes back as the reason (`NotImported`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from desktop.storage.ics_alarms import event_reminder, reminder_alarm
from desktop.storage.meeting_model import (
    MAX_ALL_DAY_DAYS,
    MAX_DURATION_MINUTES,
    MAX_YEARS_AWAY,
    MINUTES_PER_DAY,
    InvalidMeeting,
    Meeting,
    MeetingDraft,
    Recurrence,
    check_title,
    localize,
)
from desktop.storage.occurrences import checked_draft, wall_start, zone
from desktop.storage.recurrence_rule import MAX_SPAN_YEARS, check_span, parse_rule


class NotImported(StrEnum):
    """Why an event was left out of an import (the window shows these in the person's language)."""

    NO_START = "it has no start time"
    NO_LENGTH = "it has no end time or length"
    ENDS_BEFORE_START = "it ends before it starts"
    LONGER_THAN_A_DAY = "it lasts longer than 24 hours"
    LONGER_THAN_A_YEAR = "it lasts longer than a year"
    TOO_FAR = "it is too far from today"
    RULE_NOT_SUPPORTED = "its repeat rule is not supported"
    NO_OCCURRENCE = "its repeat rule leaves no meeting"
    CANCELLED = "it was cancelled"


# Writing


def meeting_event(meeting: Meeting, stamp: datetime) -> Any:
    from icalendar import Event, vRecur

    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", stamp)
    keeps = zone(meeting.time_zone)
    if meeting.all_day:
        first = meeting.start.date()
        event.add("dtstart", first)
        event.add("dtend", first + timedelta(days=meeting.duration // MINUTES_PER_DAY))
    else:
        event.add("dtstart", _written(wall_start(meeting), meeting, keeps))
        event.add("duration", timedelta(minutes=meeting.duration))
    event.add("summary", meeting.title)
    recurrence = meeting.recurrence
    if recurrence is not None:
        if recurrence.rule:
            event.add("rrule", vRecur.from_ical(_written_rule(recurrence.rule, meeting, keeps)))
        for name, walls in (("exdate", recurrence.exdates), ("rdate", recurrence.rdates)):
            if walls:
                event.add(name, [_written(wall, meeting, keeps) for wall in sorted(walls)])
    alarm = reminder_alarm(meeting.reminder, meeting.title)
    if alarm is not None:
        event.add_component(alarm)
    return event


def _written(wall: datetime, meeting: Meeting, keeps: ZoneInfo | None) -> date:
    if meeting.all_day:
        return wall.date()
    if keeps is not None:
        return wall.replace(tzinfo=keeps)
    if meeting.recurrence is not None:
        return wall  # floating: the series repeats in local wall-clock time
    return meeting.start.astimezone(UTC)


def _written_rule(rule: str, meeting: Meeting, keeps: ZoneInfo | None) -> str:
    """RFC 5545 wants UNTIL as a DATE for all-day series, in UTC beside a TZID, floating otherwise."""
    parts = parse_rule(rule)
    until = parts.until
    if until is None:
        return parts.text()
    if meeting.all_day:
        until = until.date() if isinstance(until, datetime) else until
    else:
        last = until if isinstance(until, datetime) else datetime.combine(until, time(23, 59, 59))
        try:
            if keeps is not None:
                until = (last if last.tzinfo is not None else last.replace(tzinfo=keeps)).astimezone(UTC)
            else:
                until = last.astimezone().replace(tzinfo=None) if last.tzinfo is not None else last
        except OverflowError:  # near the year 9999 (stored before such an UNTIL was refused): as it is
            until = last
    return replace(parts, until=until).text()


# Reading


def event_draft(event: Any, tz: tzinfo | None, now: datetime) -> MeetingDraft | NotImported:
    """The draft of one VEVENT (not a changed occurrence), or why it cannot be stored."""
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return NotImported.CANCELLED
    start = _decoded(event, "DTSTART")
    if not isinstance(start, date):
        return NotImported.NO_START
    timed = start if isinstance(start, datetime) else None
    all_day = timed is None
    moment = localize(timed, tz) if timed is not None else localize(datetime.combine(start, time()), tz)
    if abs(moment.year - now.year) > MAX_YEARS_AWAY:
        return NotImported.TOO_FAR
    duration = _minutes(event, start, moment, all_day)
    if isinstance(duration, NotImported):
        return duration
    time_zone = _zone_name(timed.tzinfo) if timed is not None and timed.tzinfo is not None else None
    if time_zone is None and not all_day:
        moment = moment.astimezone(tz)  # a zone without a name: the local time (a series keeps it)
    recurrence = _recurrence(event, moment, all_day, time_zone, tz)
    if isinstance(recurrence, NotImported):
        return recurrence
    draft = MeetingDraft(title=event_title(event), start=moment, duration=duration, source="import",
                         uid=str(event.get("UID", "")) or _content_uid(moment, duration, event_title(event)),
                         all_day=all_day, time_zone=time_zone, recurrence=recurrence,
                         reminder=event_reminder(event, moment, duration))
    try:
        return checked_draft(draft, now)
    except InvalidMeeting:
        return NotImported.NO_OCCURRENCE


def event_title(event: Any) -> str:
    summary = str(event.get("SUMMARY", ""))
    try:
        return check_title(summary)
    except InvalidMeeting:
        return check_title("".join(ch for ch in summary if ch.isprintable())[:200])


def _minutes(event: Any, start: date, moment: datetime, all_day: bool) -> int | NotImported:
    length = _decoded(event, "DURATION")
    end = _decoded(event, "DTEND")
    if not isinstance(length, timedelta):
        if all_day:
            dated = isinstance(end, date) and not isinstance(end, datetime)
            length = end - start if dated and isinstance(end, date) else timedelta(days=1)
        elif isinstance(end, datetime):
            length = localize(end, moment.tzinfo) - moment
        else:
            return NotImported.NO_LENGTH
    minutes = int(length.total_seconds() // 60)
    if minutes <= 0:
        return NotImported.ENDS_BEFORE_START
    if all_day:
        days = max(1, round(minutes / MINUTES_PER_DAY))
        return days * MINUTES_PER_DAY if days <= MAX_ALL_DAY_DAYS else NotImported.LONGER_THAN_A_YEAR
    return minutes if minutes <= MAX_DURATION_MINUTES else NotImported.LONGER_THAN_A_DAY


def _zone_name(tz: tzinfo) -> str | None:
    """The IANA name behind a time's zone (a TZID icalendar resolved, Windows names included); a
    zone without one leaves the series in local time."""
    key = getattr(tz, "key", None)
    if key is None and tz.utcoffset(None) == timedelta(0) and tz.tzname(None) in ("UTC", "Z"):
        key = "UTC"
    return key if isinstance(key, str) and zone(key) is not None else None


def _recurrence(event: Any, moment: datetime, all_day: bool, time_zone: str | None,
                tz: tzinfo | None) -> Recurrence | NotImported | None:
    rules = event.rrules
    if len(rules) > 1 or event.get("EXRULE") is not None:
        return NotImported.RULE_NOT_SUPPORTED
    rule = rules[0].to_ical().decode() if rules else ""
    try:
        parts = parse_rule(rule) if rule else None
    except InvalidMeeting:
        return NotImported.RULE_NOT_SUPPORTED
    keeps = zone(time_zone)
    first = moment.astimezone(keeps) if keeps is not None else moment
    if parts is not None:
        try:
            check_span(parts, first)
        except InvalidMeeting:
            return NotImported.TOO_FAR
    rdates = _walls((r[0] for r in event.rdates), first, all_day, keeps, tz)
    if parts is None and not rdates:
        return None
    exdates = _walls(event.exdates, first, all_day, keeps, tz)
    return Recurrence(parts.text() if parts is not None else "", exdates, rdates)


def _walls(values: Iterable[date], first: datetime, all_day: bool, keeps: ZoneInfo | None,
           tz: tzinfo | None) -> tuple[datetime, ...]:
    """Left-out or added dates as wall-clock times, those near enough to the series to matter: from
    MAX_YEARS_AWAY before its start (an added date may come first) to MAX_SPAN_YEARS after it. Others
    (the year 1, one no time zone reaches) are dropped."""
    walls = []
    for value in values:
        try:
            wall = wall_time(value, first, all_day, keeps, tz)
        except (OverflowError, ValueError):
            continue
        if -MAX_YEARS_AWAY <= wall.year - first.year <= MAX_SPAN_YEARS:
            walls.append(wall)
    return tuple(walls)


def wall_time(
    value: date, first: datetime, all_day: bool, keeps: ZoneInfo | None, tz: tzinfo | None
) -> datetime:
    """An EXDATE, RDATE or RECURRENCE-ID as wall-clock time in the series' zone: a DATE names that
    day's occurrence, an instant is turned to the series' zone (or the local one)."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time() if all_day else first.time())
    if all_day:
        return datetime.combine(value.date(), time())
    if value.tzinfo is None:
        return value
    return value.astimezone(keeps or tz).replace(tzinfo=None)


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
