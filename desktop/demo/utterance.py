"""Reading a meeting request out of a sentence: day, time, duration, title and how it repeats, in
Chinese or English.

Deliberately simple and deterministic: the patterns the demo script and the tests use, with the
defaults the brief names (tomorrow, 15:00, 60 minutes) for anything it cannot find. A repeat is read
from "every Monday … for ten weeks", "every day", "每周一……，十周", "每天", "每月" and becomes an RRULE.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

DEFAULT_HOUR = 15
DEFAULT_MINUTES = 60

_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = r"(\d{1,3}|[零一二两三四五六七八九十]{1,3})"
_EN_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "half an": 0.5, "half a": 0.5}
_EN_COUNTS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_EN_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ZH_WEEKDAYS = "一二三四五六日"

_ZH_TIME = re.compile(
    r"(上午|早上|中午|下午|晚上)?\s*" + _NUMBER + r"\s*[点點时:：]\s*(半|" + _NUMBER + r"\s*分?)?"
)
_EN_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)", re.IGNORECASE)
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_EN_AT_HOUR = re.compile(r"\bat (\d{1,2})\b(?!:)")
_EN_EVERY = re.compile(r"\bevery (day|week|month|" + "|".join(_EN_WEEKDAYS) + r")\b", re.IGNORECASE)
_EN_COUNT = re.compile(
    r"\bfor (\d{1,3}|" + "|".join(_EN_COUNTS) + r") (weeks|days|months|times)\b", re.IGNORECASE
)
_ZH_EVERY = re.compile(r"每(天|日|月|周|星期|礼拜)([一二三四五六日天])?")
_ZH_COUNT = re.compile(_NUMBER + r"\s*(?:个)?\s*(?:周|星期|次|天|个月)(?![一二三四五六日天])")
_ZH_HOURS = re.compile(_NUMBER + r"?\s*个?\s*(半)?\s*个?\s*(?:小时|钟头)")
_ZH_MINUTES = re.compile(_NUMBER + r"\s*分钟")
_EN_DURATION = re.compile(
    r"\b(\d+(?:\.\d+)?|an?|one|two|three|four|half an?)\s*(hours?|hrs?|minutes?|mins?)\b", re.IGNORECASE
)
_ZH_TITLE = re.compile(r"(?:叫|名为|主题是|标题是)[“\"「]?([^，,。！!？?\s”\"」]{1,20})")
_ZH_TITLE_BEFORE_MEETING = re.compile(r"的([^，,。！!？?\s的]{1,12}?(?:会议|会))")
_EN_TITLE = re.compile(
    r"(?:called|titled|named)\s+[\"']?([\w' -]+?)[\"']?(?=[,.!?]|$| at | on | for | tomorrow)"
)
_EN_TITLE_BEFORE_MEETING = re.compile(r"\b(?:a|an|the|our|my)\s+([\w -]+?)\s+meeting\b", re.IGNORECASE)


def chinese_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        return _DIGITS.get(tens, 1) * 10 + _DIGITS.get(units, 0)
    return _DIGITS.get(text, 0)


def day_offset(text: str) -> int:
    lowered = text.lower()
    if "后天" in text or "day after tomorrow" in lowered:
        return 2
    if "今天" in text or "today" in lowered or "tonight" in lowered:
        return 0
    return 1


def start_time(text: str, now: datetime) -> datetime:
    """The first meeting: on the named day (tomorrow by default), or the next named weekday of a
    weekly repeat."""
    hour, minute = _clock_time(text)
    day = (now + timedelta(days=day_offset(text))).date()
    weekday = _repeat(text)[1]
    if weekday is not None:
        day = now.date() + timedelta(days=(weekday - now.weekday() - 1) % 7 + 1)
    return datetime(day.year, day.month, day.day, hour, minute)


def recurrence(text: str) -> str | None:
    """An RRULE for "every Monday … for ten weeks", "每周一……十周" and the like; None without a repeat."""
    freq, weekday = _repeat(text)
    if freq is None:
        return None
    rule = f"FREQ={freq}" + (f";BYDAY={_WEEKDAYS[weekday]}" if weekday is not None else "")
    count = _count(text)
    return rule + (f";COUNT={count}" if count else "")


def _repeat(text: str) -> tuple[str | None, int | None]:
    """(FREQ, weekday) of a repeat named in the sentence."""
    if match := _EN_EVERY.search(text):
        unit = match.group(1).lower()
        if unit in _EN_WEEKDAYS:
            return "WEEKLY", _EN_WEEKDAYS.index(unit)
        return {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY"}[unit], None
    if match := _ZH_EVERY.search(text):
        unit, day = match.group(1), match.group(2)
        if unit in ("天", "日"):
            return "DAILY", None
        if unit == "月":
            return "MONTHLY", None
        return "WEEKLY", (_ZH_WEEKDAYS.index("日" if day == "天" else day) if day else None)
    return None, None


def _count(text: str) -> int | None:
    if match := _EN_COUNT.search(text):
        amount = match.group(1).lower()
        return _EN_COUNTS.get(amount) or int(amount)
    if match := _ZH_COUNT.search(text):
        return chinese_number(match.group(1)) or None
    return None


def _clock_time(text: str) -> tuple[int, int]:
    if match := _EN_TIME.search(text):
        hour = int(match.group(1)) % 12
        return hour + (12 if match.group(3).lower().startswith("p") else 0), int(match.group(2) or 0)
    if match := _CLOCK.search(text):
        return int(match.group(1)) % 24, int(match.group(2)) % 60
    if match := _EN_AT_HOUR.search(text):  # "at 10": a working hour, so "at 3" is 15:00
        hour = int(match.group(1)) % 24
        return hour + 12 if 1 <= hour < 8 else hour, 0
    if match := _ZH_TIME.search(text):
        hour = chinese_number(match.group(2)) % 24
        if match.group(1) in ("下午", "晚上") and hour < 12:
            hour += 12
        minute = 30 if match.group(3) == "半" else chinese_number(match.group(4)) if match.group(4) else 0
        return hour, minute % 60
    return DEFAULT_HOUR, 0


def duration_minutes(text: str) -> int:
    if match := _ZH_HOURS.search(text):
        hours = chinese_number(match.group(1)) if match.group(1) else 0
        return hours * 60 + (30 if match.group(2) else 0) or DEFAULT_MINUTES
    if match := _ZH_MINUTES.search(text):
        return chinese_number(match.group(1))
    if match := _EN_DURATION.search(text):
        amount_text = match.group(1).lower()
        amount = float(_EN_NUMBERS.get(amount_text, 0) or amount_text)
        return int(amount * 60) if match.group(2).lower().startswith("h") else int(amount)
    return DEFAULT_MINUTES


def title(text: str, *, chinese: bool) -> str | None:
    """The meeting's name when the sentence gives one."""
    patterns = (_ZH_TITLE, _ZH_TITLE_BEFORE_MEETING) if chinese else (_EN_TITLE, _EN_TITLE_BEFORE_MEETING)
    for pattern in patterns:
        if match := pattern.search(text):
            return match.group(1).strip()
    return None
