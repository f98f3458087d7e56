"""Reading a meeting request out of a sentence: day, time, duration and title, in Chinese or English.

Deliberately simple and deterministic: the patterns the demo script and the tests use, with the
defaults the brief names (tomorrow, 15:00, 60 minutes) for anything it cannot find.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

DEFAULT_HOUR = 15
DEFAULT_MINUTES = 60

_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = r"(\d{1,3}|[零一二两三四五六七八九十]{1,3})"
_EN_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "half an": 0.5, "half a": 0.5}

_ZH_TIME = re.compile(
    r"(上午|早上|中午|下午|晚上)?\s*" + _NUMBER + r"\s*[点點时:：]\s*(半|" + _NUMBER + r"\s*分?)?"
)
_EN_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)", re.IGNORECASE)
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b")
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
    hour, minute = _clock_time(text)
    day = (now + timedelta(days=day_offset(text))).date()
    return datetime(day.year, day.month, day.day, hour, minute)


def _clock_time(text: str) -> tuple[int, int]:
    if match := _EN_TIME.search(text):
        hour = int(match.group(1)) % 12
        return hour + (12 if match.group(3).lower().startswith("p") else 0), int(match.group(2) or 0)
    if match := _CLOCK.search(text):
        return int(match.group(1)) % 24, int(match.group(2)) % 60
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
