"""The repeat rule of a meeting series: an RFC 5545 RRULE, checked part by part before dateutil sees it.

The rule comes from the model, the dialog or a calendar file, so it is read as hostile: only the parts a
meeting needs are accepted, each within bounds, and every refusal is one sentence. dateutil's `rrule`
looks at one period (day, week, month, year) after another until a date matches, so on its own a rule
that can never match (February 30th, the second of one day, every seventh day on a Tuesday from a
Monday) would keep it busy until the year 9999, UNTIL or not. So every caller gives `rule_set` an end
(`not_after`: a window's end, or how far a first occurrence is looked for) and `rule_set` asks dateutil
so that the year 9999 comes at most 400 years after that end (docs/measurements.md, A repeat rule that
never matches). The combinations that can never happen in a daily or weekly rule are refused here too,
with a sentence. An UNTIL may be at most MAX_SPAN_YEARS
after the series' start: later ones overflow the datetime arithmetic near the year 9999.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import islice

from dateutil import rrule as dateutil_rrule

from desktop.storage.meeting_model import InvalidMeeting

MAX_RULE_CHARS = 200
MAX_COUNT = 1000
MAX_INTERVAL = 99
MAX_SPAN_YEARS = 100  # an UNTIL this far after the start is refused; no occurrence is looked for beyond
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
EXAMPLE = "FREQ=WEEKLY;BYDAY=MO;COUNT=10"

_KNOWN_PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST")
_RULE_CHARS = re.compile(r"[A-Z0-9=;,+\-]+")
_UNTIL = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?")
_BYDAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_CYCLE_YEARS = 400  # the Gregorian calendar, weekdays included, repeats every 400 years
_FREQ_CODES = {"DAILY": dateutil_rrule.DAILY, "WEEKLY": dateutil_rrule.WEEKLY,
               "MONTHLY": dateutil_rrule.MONTHLY, "YEARLY": dateutil_rrule.YEARLY}


@dataclass(frozen=True, slots=True)
class RuleParts:
    """An RRULE taken apart. `by_day` holds (n, weekday) with weekday 0 = Monday and n = 0 for "every"."""

    freq: str
    interval: int = 1
    count: int | None = None
    until: date | None = None  # a date, a floating date-time, or a date-time in UTC
    by_day: tuple[tuple[int, int], ...] = ()
    by_month_day: tuple[int, ...] = ()
    by_month: tuple[int, ...] = ()
    by_set_pos: tuple[int, ...] = ()
    week_start: int | None = None

    def text(self) -> str:
        """The rule in RFC 5545 form, its parts in one fixed order."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.by_day:
            parts.append("BYDAY=" + ",".join(f"{n or ''}{WEEKDAYS[day]}" for n, day in self.by_day))
        for name, values in (("BYMONTHDAY", self.by_month_day), ("BYMONTH", self.by_month),
                             ("BYSETPOS", self.by_set_pos)):
            if values:
                parts.append(f"{name}={','.join(map(str, values))}")
        if self.week_start is not None:
            parts.append(f"WKST={WEEKDAYS[self.week_start]}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={until_text(self.until)}")
        return ";".join(parts)


def until_text(until: date) -> str:
    if not isinstance(until, datetime):
        return f"{until:%Y%m%d}"
    return f"{until:%Y%m%dT%H%M%S}" + ("Z" if until.tzinfo is not None else "")


def parse_rule(text: str) -> RuleParts:
    """The rule's parts, or InvalidMeeting with one sentence saying what is wrong."""
    cleaned = text.strip().upper()
    cleaned = cleaned.removeprefix("RRULE:")
    if not cleaned:
        raise InvalidMeeting("recurrence is empty; leave it out for a meeting that does not repeat.")
    if len(cleaned) > MAX_RULE_CHARS:
        raise InvalidMeeting(f"recurrence is {len(cleaned)} characters long; at most {MAX_RULE_CHARS}.")
    if not _RULE_CHARS.fullmatch(cleaned):
        raise InvalidMeeting(f"recurrence must be an RFC 5545 RRULE such as {EXAMPLE}.")
    values: dict[str, str] = {}
    for pair in cleaned.split(";"):
        name, sep, value = pair.partition("=")
        if not sep or not name or not value:
            raise InvalidMeeting(f"recurrence part {pair[:20]!r} is not NAME=VALUE (as in {EXAMPLE}).")
        if name in values:
            raise InvalidMeeting(f"recurrence gives {name[:12]} twice.")
        values[name] = value
    unknown = [name for name in values if name not in _KNOWN_PARTS]
    if unknown:
        raise InvalidMeeting(f"recurrence part {unknown[0][:12]} is not supported for meetings; "
                             f"use FREQ, INTERVAL, COUNT or UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS.")
    parts = _parts(values)
    _check_combination(parts)
    return parts


def _parts(values: dict[str, str]) -> RuleParts:
    freq = values.get("FREQ")
    if freq is None:
        raise InvalidMeeting(f"recurrence lacks FREQ (as in {EXAMPLE}).")
    if freq not in FREQUENCIES:
        raise InvalidMeeting("recurrence FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY.")
    week_start = values.get("WKST")
    if week_start is not None and week_start not in WEEKDAYS:
        raise InvalidMeeting("recurrence WKST must be a weekday such as MO.")
    return RuleParts(
        freq=freq,
        interval=_number(values.get("INTERVAL", "1"), "INTERVAL", 1, MAX_INTERVAL),
        count=_number(values["COUNT"], "COUNT", 1, MAX_COUNT) if "COUNT" in values else None,
        until=_until(values["UNTIL"]) if "UNTIL" in values else None,
        by_day=tuple(_weekday(item) for item in _items(values, "BYDAY")),
        by_month_day=tuple(_number(item, "BYMONTHDAY", -31, 31) for item in _items(values, "BYMONTHDAY")),
        by_month=tuple(_number(item, "BYMONTH", 1, 12) for item in _items(values, "BYMONTH")),
        by_set_pos=tuple(_number(item, "BYSETPOS", -366, 366) for item in _items(values, "BYSETPOS")),
        week_start=WEEKDAYS.index(week_start) if week_start else None,
    )


def _items(values: dict[str, str], name: str) -> list[str]:
    return values[name].split(",") if name in values else []


def _number(text: str, name: str, lowest: int, highest: int) -> int:
    if not re.fullmatch(r"[+-]?\d{1,4}", text) or not lowest <= int(text) <= highest or int(text) == 0:
        raise InvalidMeeting(f"recurrence {name}={text[:12]} is out of range; "
                             f"give a number from {lowest} to {highest}, not 0.")
    return int(text)


def _weekday(text: str) -> tuple[int, int]:
    match = _BYDAY.fullmatch(text)
    if match is None:
        raise InvalidMeeting(f"recurrence BYDAY={text[:12]} is not a weekday such as MO, 2TU or -1FR.")
    n = int(match[1]) if match[1] else 0
    if match[1] and n == 0:
        raise InvalidMeeting(f"recurrence BYDAY={text[:12]}: the position cannot be 0.")
    return n, WEEKDAYS.index(match[2])


def _until(text: str) -> date:
    match = _UNTIL.fullmatch(text)
    if match is None:
        raise InvalidMeeting(f"recurrence UNTIL={text[:20]} is not a date such as 20251231 "
                             "or 20251231T235959Z.")
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    try:
        if match[4] is None:
            return date(year, month, day)
        clock = (int(match[4]), int(match[5]), int(match[6]))
        return datetime(year, month, day, *clock, tzinfo=UTC if match[7] else None)
    except ValueError:
        raise InvalidMeeting(f"recurrence UNTIL={text[:20]} is not a real date.") from None


def _check_combination(parts: RuleParts) -> None:
    """Refuses what RFC 5545 forbids and what can never happen in a daily or weekly rule."""
    if parts.count is not None and parts.until is not None:
        raise InvalidMeeting("recurrence gives both COUNT and UNTIL; give one of them.")
    numbered = [n for n, _day in parts.by_day if n]
    if numbered and parts.freq not in ("MONTHLY", "YEARLY"):
        raise InvalidMeeting("recurrence BYDAY with a position (like 2TU) needs FREQ=MONTHLY or YEARLY.")
    within_month = parts.freq == "MONTHLY" or parts.by_month
    if any(abs(n) > (5 if within_month else 53) for n in numbered):
        raise InvalidMeeting("recurrence BYDAY asks for a weekday that no month or year has that many of.")
    if parts.by_month_day and parts.freq == "WEEKLY":
        raise InvalidMeeting("recurrence BYMONTHDAY cannot be used with FREQ=WEEKLY.")
    if parts.by_set_pos and (parts.freq not in ("MONTHLY", "YEARLY") or not parts.by_day):
        raise InvalidMeeting("recurrence BYSETPOS needs FREQ=MONTHLY or YEARLY and BYDAY.")
    if parts.by_month_day and not _month_day_exists(parts.by_month_day, parts.by_month or range(1, 13)):
        raise InvalidMeeting("recurrence never happens: no month has that day.")


def check_span(parts: RuleParts, first: datetime) -> None:
    """Refuses an UNTIL more than MAX_SPAN_YEARS after the series' first start `first`."""
    if parts.until is not None and parts.until.year - first.year > MAX_SPAN_YEARS:
        raise InvalidMeeting(f"recurrence UNTIL={until_text(parts.until)} is more than {MAX_SPAN_YEARS} "
                             "years after the first meeting; give an earlier end or none.")


def _month_day_exists(days: tuple[int, ...], months: tuple[int, ...] | range) -> bool:
    lengths = [calendar.monthrange(2024, month)[1] for month in months]  # 2024: February has 29 days
    return any(abs(day) <= length for day in days for length in lengths)


def rule_set(
    parts: RuleParts | None,
    first: datetime,
    exdates: tuple[datetime, ...] = (),
    rdates: tuple[datetime, ...] = (),
    to_wall: Callable[[datetime], datetime] | None = None,
    *,
    not_after: datetime,
    not_before: datetime | None = None,
) -> list[datetime]:
    """The series' occurrences from `not_before` (None: its start) to `not_after`, in order, as naive
    wall-clock times: the rule's from `first`, plus `rdates`, less `exdates`. `to_wall` turns an UNTIL
    in UTC into the series' wall-clock time."""
    walls = set(_rule_walls(parts, first, to_wall, not_before, not_after)) if parts is not None else set()
    walls.update(rdates)
    walls.difference_update(exdates)
    low = not_before or datetime.min
    return sorted(wall for wall in walls if low <= wall <= not_after)


def _rule_walls(parts: RuleParts, first: datetime, to_wall: Callable[[datetime], datetime] | None,
                not_before: datetime | None, not_after: datetime) -> list[datetime]:
    """The rule's occurrences up to `not_after` (from `not_before`, or some earlier ones). dateutil
    checks UNTIL only against a date that matched, and otherwise looks on until the year 9999; so it
    is asked whole 400-year Gregorian cycles later (the same dates on the same weekdays), where the
    year 9999 comes at most a cycle after `not_after`, and the answer is moved back."""
    until = _wall_until(parts.until, to_wall)
    end = not_after if until is None else min(until, not_after)
    if end < first or (not_before is not None and not_before > end):
        return []
    shift = (datetime.max.year - end.year) // _CYCLE_YEARS * _CYCLE_YEARS
    last = _years_later(end, shift)
    rule = dateutil_rrule.rrule(
        _FREQ_CODES[parts.freq], dtstart=_years_later(first, shift), interval=parts.interval,
        until=last, wkst=parts.week_start,
        byweekday=[dateutil_rrule.weekday(day, n or None) for n, day in parts.by_day] or None,
        bymonthday=parts.by_month_day or None, bymonth=parts.by_month or None,
        bysetpos=parts.by_set_pos or None,
    )
    if parts.count is None and not_before is not None and not_before > first:
        walls = rule.between(_years_later(not_before, shift), last, inc=True)
    else:
        walls = islice(rule, parts.count)  # dateutil deprecates COUNT beside UNTIL
    return [_years_later(wall, -shift) for wall in walls]


def _years_later(moment: datetime, years: int) -> datetime:
    return moment.replace(year=moment.year + years)


def _wall_until(until: date | None, to_wall: Callable[[datetime], datetime] | None) -> datetime | None:
    if until is None:
        return None
    if not isinstance(until, datetime):
        return datetime.combine(until, time(23, 59, 59))  # the whole last day counts
    if until.tzinfo is None:
        return until
    try:
        return to_wall(until) if to_wall is not None else until.replace(tzinfo=None)
    except OverflowError:  # an UNTIL near the year 9999 stored before `check_span`: the UTC time will do
        return until.replace(tzinfo=None)
