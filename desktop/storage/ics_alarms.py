"""A meeting's reminder as a VALARM and back.

Written: minutes before the start as `TRIGGER:-PT10M` with `ACTION:DISPLAY` (and the title as its
DESCRIPTION, which RFC 5545 asks of a display alarm); "no reminder" as RFC 9074's `ACTION:NONE` alarm
(with the fixed trigger Apple's calendars write for it), so a file says so to calendars that know it;
the person's default (None) as no alarm at all. Read: of the event's alarms, the one nearest its start
(a trigger before or at the start, relative to the start or the end, or at a given instant); an
`ACTION:NONE` alarm alone is "no reminder"; no usable alarm is the default.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.storage.meeting_model import MAX_REMINDER_MINUTES, NO_REMINDER

_NONE_TRIGGER = datetime(1976, 4, 1, 0, 55, 45, tzinfo=UTC)  # RFC 9074, section 6


def reminder_alarm(reminder: int | None, title: str) -> Any | None:
    """The VALARM of a stored reminder, or None for the default."""
    from icalendar import Alarm

    if reminder is None:
        return None
    alarm = Alarm()
    if reminder == NO_REMINDER:
        alarm.add("action", "NONE")
        alarm.add("trigger", _NONE_TRIGGER)
        return alarm
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", timedelta(minutes=-reminder))
    return alarm


def event_reminder(event: Any, start: datetime, duration: int) -> int | None:
    """The reminder of a VEVENT whose (first) start is `start` and which lasts `duration` minutes."""
    leads: list[int] = []
    said_none = False
    for alarm in event.walk("VALARM"):
        if str(alarm.get("ACTION", "")).upper() == "NONE":
            said_none = True
            continue
        lead = _lead(alarm, start, duration)
        if lead is not None:
            leads.append(lead)
    if leads:
        return min(leads)
    return NO_REMINDER if said_none else None


def _lead(alarm: Any, start: datetime, duration: int) -> int | None:
    """Minutes before the start, when that is from 0 to MAX_REMINDER_MINUTES; None otherwise."""
    try:
        trigger = alarm.decoded("TRIGGER")
    except (KeyError, ValueError):
        return None
    if isinstance(trigger, timedelta):
        related_to_end = str(alarm["TRIGGER"].params.get("RELATED", "START")).upper() == "END"
        before = -trigger - (timedelta(minutes=duration) if related_to_end else timedelta())
    elif isinstance(trigger, datetime):
        moment = trigger if trigger.tzinfo is not None else trigger.replace(tzinfo=start.tzinfo)
        before = start - moment
    else:
        return None
    minutes = int(before.total_seconds() // 60)
    return minutes if 0 <= minutes <= MAX_REMINDER_MINUTES else None
