"""The demo server's stand-in for an embeddings model: deterministic vectors in which known
paraphrases and translations land near each other.

This is NOT a language model. A small table maps words of the sample knowledge folder
(resources/knowledge) and their common paraphrases, in Chinese and English, to concept ids
(预订 ~ 预约 ~ book ~ reserve -> "book"); each concept, and each remaining word (English words, single
Chinese characters at a lower weight), is hashed into one of the vector's dimensions with a sign and
added as often as it occurs (concepts every passage has, such as "meeting", weigh less); the sum is
normalised. Texts that share concepts point the same way, so offline tests and the demo provider
can show what hybrid retrieval adds without a network. Outside this table it knows only shared words.
"""

from __future__ import annotations

import hashlib
import math
import re

CONCEPTS: dict[str, tuple[str, ...]] = {
    "book": ("预订", "预约", "预定", "订", "约", "安排", "新建", "创建", "book", "books", "booking",
             "booked", "reserve", "reserved", "reservation", "schedule", "scheduling", "create"),
    "cancel": ("取消", "撤销", "cancel", "cancels", "cancelled", "canceled", "cancelling", "canceling",
               "cancellation", "call off"),
    "meeting": ("会议", "开会", "周会", "例会", "meeting", "meetings", "appointment"),
    "rules": ("规则", "规定", "规矩", "政策", "制度", "要求", "rule", "rules", "policy", "policies",
              "regulation", "regulations", "requires", "required"),
    "room": ("会议室", "房间", "厅", "room", "rooms"),
    "equipment": ("设备", "投影仪", "屏幕", "白板", "终端", "equipment", "projector", "screen", "whiteboard"),
    "record": ("录音", "录像", "录制", "record", "records", "recording", "recordings", "recorded"),
    "time_zone": ("时区", "时差", "time zone", "time zones", "timezone", "utc", "offset"),
    "limit": ("限制", "上限", "最多", "最长", "limit", "limits", "maximum", "at most", "up to"),
    "participant": ("参会者", "与会者", "参加者", "人数", "participant", "participants", "attendee",
                    "attendees", "people", "join", "joins"),
    "video": ("视频", "远程", "video", "remote", "online"),
    "notify": ("通知", "提醒", "告知", "notify", "notifying", "notification", "announcement", "tell"),
    "conflict": ("冲突", "重叠", "conflict", "conflicts", "overlap", "overlaps", "clash"),
    "duration": ("时长", "多久", "小时", "分钟", "duration", "hours", "hour", "minutes", "minute",
                 "how long", "last", "lasts"),
    "delete": ("删除", "delete", "deleted", "deletion"),
    "host": ("主持人", "host", "organiser", "organizer"),
    "how": ("如何", "怎么", "怎样", "how"),
}  # fmt: skip
CONCEPT_WEIGHT = 1.0
# Concepts nearly every passage of a meeting assistant's folder has say little about which one fits.
COMMON_CONCEPTS = {"meeting": 0.3, "how": 0.3}
WORD_WEIGHT = 0.6  # an English word outside the table
CHARACTER_WEIGHT = 0.2  # a Chinese character outside the table
_STOP_WORDS_TEXT = (
    "a an the of to in on at for and or is are be can do does i you it my your what about with this that"
    " 的 了 是 在 和 与 您 你 我 请 吗 呢 吧 里 说 把 会 有 可 以 中 或"
)
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_TERM_CONCEPT = {term: concept for concept, terms in CONCEPTS.items() for term in terms}


def _pattern(term: str) -> str:
    escaped = re.escape(term)
    return rf"\b{escaped}\b" if term.isascii() else escaped


# Longest first, so 会议室 is a room before 会议 is a meeting, and "time zone" before a lone word.
_TERMS = re.compile(
    "|".join(_pattern(term) for term in sorted(_TERM_CONCEPT, key=len, reverse=True)), re.IGNORECASE
)
_LEFTOVER = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]")


def features(text: str) -> dict[str, float]:
    """The weighted features of `text`: concept ids, then the words and characters the table lacks."""
    found: dict[str, float] = {}
    lowered = text.lower()
    for match in _TERMS.finditer(lowered):
        concept = _TERM_CONCEPT[match.group(0)]
        weight = COMMON_CONCEPTS.get(concept, CONCEPT_WEIGHT)
        found["concept:" + concept] = found.get("concept:" + concept, 0.0) + weight
    for token in _LEFTOVER.findall(_TERMS.sub(" ", lowered)):
        if token in STOP_WORDS:
            continue
        weight = WORD_WEIGHT if token.isascii() else CHARACTER_WEIGHT
        found["word:" + token] = found.get("word:" + token, 0.0) + weight
    return found


def _slot(feature: str, dimensions: int) -> tuple[int, float]:
    """Where a feature lands and with which sign: the same on every run and machine (no hash())."""
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    number = int.from_bytes(digest, "big")
    return number % dimensions, 1.0 if number >> 63 else -1.0


def embedding(text: str, dimensions: int) -> list[float]:
    """`text` as a normalised vector of `dimensions` numbers (a text without features: a fixed one)."""
    vector = [0.0] * dimensions
    for feature, weight in (features(text) or {"empty": 1.0}).items():
        slot, sign = _slot(feature, dimensions)
        # Plain counts: what a passage says most is what it is about (its concept's direction).
        vector[slot] += sign * weight
    length = math.sqrt(math.fsum(x * x for x in vector)) or 1.0
    return [x / length for x in vector]
