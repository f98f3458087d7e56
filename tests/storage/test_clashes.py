"""`clashes_of` looks each proposed occurrence up by bisection: its work follows the proposed
occurrences and their clashes, not the size of the calendar it compares with (counted, not timed)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import overload

from desktop.storage.meeting_model import Meeting, clashes_of

CST = timezone(timedelta(hours=8))
START = datetime(2025, 9, 1, 8, 0, tzinfo=CST)


class CountingMeetings(Sequence[Meeting]):
    """The calendar's occurrences, counting every one looked at."""

    def __init__(self, meetings: list[Meeting]) -> None:
        self._meetings = meetings
        self.looked_at = 0

    def __len__(self) -> int:
        return len(self._meetings)

    @overload
    def __getitem__(self, index: int) -> Meeting: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Meeting]: ...
    def __getitem__(self, index: int | slice) -> Meeting | Sequence[Meeting]:
        self.looked_at += 1 if isinstance(index, int) else len(range(*index.indices(len(self))))
        return self._meetings[index]


def meeting(key: int, start: datetime, minutes: int = 30, title: str = "") -> Meeting:
    return Meeting(key, f"u{key}", title or f"m{key}", start, minutes, START, "manual")


def test_the_work_follows_the_proposed_occurrences_not_the_calendar() -> None:
    # 20,000 occurrences, one every 30 minutes from 08:00 (a busy pane: 50 daily series over a year).
    others = CountingMeetings([meeting(i, START + timedelta(minutes=30 * i)) for i in range(20_000)])
    proposed = [meeting(0, START + timedelta(days=d, minutes=10), 15) for d in range(100)]
    clashes = clashes_of(proposed, others)
    assert [c.start for c in clashes] == [p.start - timedelta(minutes=10) for p in proposed]
    # Bisection (~2 × 15 looks) and the day before each occurrence (48): far below 100 × 20,000.
    assert others.looked_at < 100 * (2 * 16 + 50)


def test_a_long_meeting_the_day_before_still_clashes_and_all_day_ones_do_not() -> None:
    night = meeting(1, START - timedelta(hours=20), 24 * 60, "night shift")  # ends 12:00
    holiday = Meeting(2, "u2", "holiday", START.replace(hour=0), 24 * 60, START, "manual", all_day=True)
    later = meeting(3, START + timedelta(hours=3))
    others = sorted([night, holiday, later], key=lambda m: m.start)
    proposed = [meeting(0, START + timedelta(hours=1))]
    assert [c.title for c in clashes_of(proposed, others)] == ["night shift"]
    assert clashes_of(proposed, others, exclude_id=1) == []
