"""The meeting dialog's overlap check: the occurrences a meeting as edited would have over its first
year, and which of the calendar's occurrences they overlap.

It runs on the GUI thread while the person edits, so every step is bounded: dateutil looks for a
rule's dates only until a year after the start, at most `CHECKED_OCCURRENCES` are compared, and
each is looked up by bisection among the calendar's occurrences (`clashes_of`). dateutil checks an
UNTIL only against a date that matches, so a rule that never matches would keep it looking until the
year 9999 all the same: the one such rule the storage's checks let through (they cannot know the
start), a daily one every 7n days on weekdays the start is not on, is not expanded here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo

from desktop.storage import (
    InvalidMeeting,
    Meeting,
    MeetingDraft,
    Recurrence,
    RuleParts,
    draft_occurrences,
    parse_rule,
)

CHECKED_DAYS = 366  # a series' overlaps are looked for over its first year
CHECKED_OCCURRENCES = 100


def proposed_occurrences(start: datetime, duration: int, rule: str, tz: tzinfo | None) -> list[Meeting]:
    """The first occurrences of a meeting starting at `start` that repeats by `rule` ("" for none);
    a rule that does not check out (it is refused on saving) counts as its first meeting only."""
    single = MeetingDraft("", start, duration)
    until = start + timedelta(days=CHECKED_DAYS)
    try:
        bounded, count = bounded_rule(rule, until.date())
        if bounded and _never_matches(parse_rule(bounded), start):
            return draft_occurrences(single, until, tz)
        series = replace(single, recurrence=Recurrence(bounded) if bounded else None)
        return draft_occurrences(series, until, tz)[:count]
    except InvalidMeeting:
        return draft_occurrences(single, until, tz)


def bounded_rule(rule: str, last: date) -> tuple[str, int]:
    """`rule` ending by `last` at the latest (an UNTIL in place of a COUNT or a later UNTIL, so that
    dateutil stops looking there), and how many of its occurrences to keep (its COUNT, at most
    `CHECKED_OCCURRENCES`). InvalidMeeting for a rule that does not check out."""
    if not rule.strip():
        return "", CHECKED_OCCURRENCES
    parts = parse_rule(rule)
    keep = min(parts.count or CHECKED_OCCURRENCES, CHECKED_OCCURRENCES)
    ends = parts.until.date() if isinstance(parts.until, datetime) else parts.until
    if ends is None or ends > last:
        parts = replace(parts, count=None, until=last)
    return parts.text(), keep


def _never_matches(parts: RuleParts, start: datetime) -> bool:
    """Every 7n days lands on the start's weekday only: on other given weekdays, never."""
    if parts.freq != "DAILY" or parts.interval % 7 or not parts.by_day:
        return False
    return start.weekday() not in {day for _n, day in parts.by_day}
