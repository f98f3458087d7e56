"""A series' repeat rule in words, in the interface's language: "Every Monday, 10 times", "每周一，共 10 次".

The common rules read as a sentence: every day, week, month or year (or every n of them), on given
weekdays, on a day of the month or its nth weekday, with a count or an end date. Anything richer shows
its RRULE after "Repeats:", so nothing the rule says is hidden.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QCoreApplication

from desktop.storage import InvalidMeeting, RuleParts, parse_rule
from desktop.ui.placeholders import filled as _filled

translate = QCoreApplication.translate
_WORKDAYS = ((0, 0), (0, 1), (0, 2), (0, 3), (0, 4))


def rule_in_words(rule: str, start: datetime) -> str:
    """"" for no rule; `start` is the first occurrence, whose weekday or day a bare rule repeats on."""
    if not rule:
        return ""
    try:
        parts = parse_rule(rule)
    except InvalidMeeting:
        return _filled(translate("RecurrenceWords", "Repeats: %1"), rule)
    how_often = _how_often(parts, start)
    if how_often is None:
        return _filled(translate("RecurrenceWords", "Repeats: %1"), parts.text())
    if parts.count is not None:
        return _filled(translate("RecurrenceWords", "%1, %2 times"), how_often, str(parts.count))
    if parts.until is not None:
        last = parts.until.date() if isinstance(parts.until, datetime) else parts.until
        return _filled(translate("RecurrenceWords", "%1, until %2"), how_often, _day_text(last))
    return how_often


def _how_often(parts: RuleParts, start: datetime) -> str | None:
    if parts.by_month or parts.by_set_pos:
        return None
    if parts.freq == "YEARLY":
        return _yearly(parts)
    if parts.freq == "MONTHLY":
        return _monthly(parts, start)
    if parts.by_month_day or any(n for n, _day in parts.by_day):
        return None
    if parts.freq == "DAILY" and not parts.by_day:
        if parts.interval == 1:
            return translate("RecurrenceWords", "Every day")
        return _filled(translate("RecurrenceWords", "Every %1 days"), str(parts.interval))
    days = parts.by_day or ((0, start.weekday()),)
    if parts.interval == 1:
        if tuple(sorted(days)) == _WORKDAYS:
            return translate("RecurrenceWords", "Every weekday")
        return _filled(translate("RecurrenceWords", "Every %1"), _listed([_weekday(d) for _n, d in days]))
    if parts.freq == "DAILY":
        return None
    weekdays = _listed([_weekday(d) for _n, d in days])
    return _filled(translate("RecurrenceWords", "Every %1 weeks on %2"), str(parts.interval), weekdays)


def _yearly(parts: RuleParts) -> str | None:
    if parts.by_day or parts.by_month_day:
        return None
    if parts.interval == 1:
        return translate("RecurrenceWords", "Every year")
    return _filled(translate("RecurrenceWords", "Every %1 years"), str(parts.interval))


def _monthly(parts: RuleParts, start: datetime) -> str | None:
    if len(parts.by_day) + len(parts.by_month_day) > 1:
        return None
    every = str(parts.interval)
    if parts.by_day:
        n, day = parts.by_day[0]
        ordinal = _ordinal(n)
        if ordinal is None:
            return None
        if parts.interval == 1:
            return _filled(translate("RecurrenceWords", "Every month on the %1 %2"), ordinal, _weekday(day))
        template = translate("RecurrenceWords", "Every %1 months on the %2 %3")
        return _filled(template, every, ordinal, _weekday(day))
    day_of_month = parts.by_month_day[0] if parts.by_month_day else start.day
    if day_of_month == -1:
        if parts.interval == 1:
            return translate("RecurrenceWords", "Every month on the last day")
        return _filled(translate("RecurrenceWords", "Every %1 months on the last day"), every)
    if day_of_month < 0:
        return None
    if parts.interval == 1:
        return _filled(translate("RecurrenceWords", "Every month on day %1"), str(day_of_month))
    return _filled(translate("RecurrenceWords", "Every %1 months on day %2"), every, str(day_of_month))


def _ordinal(n: int) -> str | None:
    ordinals = {
        1: translate("RecurrenceWords", "first"),
        2: translate("RecurrenceWords", "second"),
        3: translate("RecurrenceWords", "third"),
        4: translate("RecurrenceWords", "fourth"),
        5: translate("RecurrenceWords", "fifth"),
        -1: translate("RecurrenceWords", "last"),
    }
    return ordinals.get(n)


def _weekday(day: int) -> str:
    return (
        translate("RecurrenceWords", "Monday"),
        translate("RecurrenceWords", "Tuesday"),
        translate("RecurrenceWords", "Wednesday"),
        translate("RecurrenceWords", "Thursday"),
        translate("RecurrenceWords", "Friday"),
        translate("RecurrenceWords", "Saturday"),
        translate("RecurrenceWords", "Sunday"),
    )[day]


def _listed(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    head = translate("RecurrenceWords", ", ").join(names[:-1])
    return _filled(translate("RecurrenceWords", "%1 and %2"), head, names[-1])


def _day_text(day: date) -> str:
    return f"{day:%Y-%m-%d}"
