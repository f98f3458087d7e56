"""Series and all-day events in the store: a 10-week RRULE with an EXDATE expanded (across a
daylight-saving change), listed, found as an overlap, one occurrence cancelled or the series removed;
all-day events on their dates; the migration that added them; hostile rules refused in one sentence."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from desktop.storage.meeting_migrations import MIGRATIONS
from desktop.storage.meeting_model import InvalidMeeting, MeetingDraft, Recurrence
from desktop.storage.meetings import MeetingStore
from desktop.storage.occurrences import checked_draft, zone_name
from desktop.storage.recurrence_rule import parse_rule

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=BERLIN)
RULE = "FREQ=WEEKLY;BYDAY=MO;COUNT=10"
FIRST = datetime(2025, 9, 15, 10, 0, tzinfo=BERLIN)  # a Monday; daylight saving ends on 26 October
LEFT_OUT = datetime(2025, 9, 29, 10, 0)  # wall-clock, as EXDATE names it


def weekly(store: MeetingStore, exdates: tuple[datetime, ...] = (LEFT_OUT,)) -> int:
    draft = MeetingDraft("Team sync", FIRST, 30, time_zone="Europe/Berlin",
                         recurrence=Recurrence(RULE, exdates))
    return store.create(checked_draft(draft, NOW)).id


def starts(meetings: list) -> list[datetime]:
    return [m.start for m in meetings]


def test_a_ten_week_series_with_an_exdate_is_stored_once_and_expanded(store: MeetingStore) -> None:
    series_id = weekly(store)
    (stored,) = store.all()
    assert stored.recurrence == Recurrence(RULE, (LEFT_OUT,)) and stored.time_zone == "Europe/Berlin"
    found = store.on_days(date(2025, 9, 1), date(2025, 12, 31), BERLIN)
    expected = [FIRST + timedelta(weeks=w) for w in range(10) if w != 2]
    assert starts(found) == expected  # nine: the tenth week is the count's, the third left out
    assert all(m.start.astimezone(BERLIN).hour == 10 for m in found)  # before and after 26 October
    assert {m.start.utcoffset() for m in found} == {timedelta(hours=2), timedelta(hours=1)}
    assert all(m.id == series_id and m.in_series and m.duration == 30 for m in found)
    assert found[0].occurrence == datetime(2025, 9, 15, 10, 0)
    assert store.on_days(date(2025, 9, 29), date(2025, 9, 29), BERLIN) == []
    assert store.on_days(date(2025, 11, 24), date(2025, 11, 24), BERLIN) == []  # after the tenth
    # Seen from elsewhere, an occurrence is at the matching local time.
    (in_new_york,) = store.on_days(date(2025, 10, 27), date(2025, 10, 27), ZoneInfo("America/New_York"))
    assert in_new_york.start.astimezone(ZoneInfo("America/New_York")).hour == 5


def test_overlaps_are_found_against_occurrences(store: MeetingStore) -> None:
    series_id = weekly(store)
    clash = store.overlapping(datetime(2025, 10, 6, 10, 15, tzinfo=BERLIN), 30, tz=BERLIN)
    assert [(m.id, m.start) for m in clash] == [(series_id, datetime(2025, 10, 6, 10, 0, tzinfo=BERLIN))]
    assert store.overlapping(datetime(2025, 9, 29, 10, 0, tzinfo=BERLIN), 30, tz=BERLIN) == []  # left out
    assert store.overlapping(datetime(2025, 10, 7, 10, 0, tzinfo=BERLIN), 30, tz=BERLIN) == []  # a Tuesday
    assert store.overlapping(datetime(2025, 10, 6, 10, 0, tzinfo=BERLIN), 30, series_id, BERLIN) == []


def test_cancelling_one_occurrence_then_the_series(store: MeetingStore) -> None:
    series_id = weekly(store)
    target = store.on_days(date(2025, 10, 13), date(2025, 10, 13), BERLIN)[0]
    after = store.cancel_occurrence(series_id, target.occurrence)  # type: ignore[arg-type]
    assert after is not None and datetime(2025, 10, 13, 10, 0) in after.recurrence.exdates  # type: ignore[union-attr]
    assert store.on_days(date(2025, 10, 13), date(2025, 10, 13), BERLIN) == []
    assert len(store.on_days(date(2025, 9, 1), date(2025, 12, 31), BERLIN)) == 8
    assert store.delete(series_id) is not None
    assert store.on_days(date(2025, 9, 1), date(2025, 12, 31), BERLIN) == [] and store.all() == []
    assert store.cancel_occurrence(series_id, datetime(2025, 10, 20, 10, 0)) is None


def test_cancelling_the_last_occurrence_left_removes_the_series(store: MeetingStore) -> None:
    draft = MeetingDraft("twice", FIRST, 30, time_zone="Europe/Berlin",
                         recurrence=Recurrence("FREQ=DAILY;COUNT=2", (datetime(2025, 9, 16, 10, 0),)))
    made = store.create(checked_draft(draft, NOW))
    assert store.cancel_occurrence(made.id, datetime(2025, 9, 15, 10, 0)) is not None
    assert store.all() == []


def test_moving_a_series_moves_its_left_out_dates(store: MeetingStore) -> None:
    series_id = weekly(store)
    moved = store.update(series_id, "Team sync", FIRST + timedelta(hours=1), 30)
    assert moved.recurrence == Recurrence(RULE, (LEFT_OUT + timedelta(hours=1),))
    autumn = store.on_days(date(2025, 9, 1), date(2025, 12, 31), BERLIN)
    hours = {m.start.astimezone(BERLIN).hour for m in autumn}
    assert hours == {11}
    assert store.on_days(date(2025, 9, 29), date(2025, 9, 29), BERLIN) == []


def test_an_all_day_event_is_on_its_dates_and_clashes_with_nothing(store: MeetingStore) -> None:
    holiday = MeetingDraft("Holiday", datetime(2025, 10, 3, 0, 0, tzinfo=BERLIN), 2 * 1440, all_day=True)
    made = store.create(checked_draft(holiday, NOW))
    assert made.all_day and made.duration == 2880
    shanghai = timezone(timedelta(hours=8))
    for tz in (BERLIN, shanghai):  # on its dates wherever the person is
        (seen,) = store.on_days(date(2025, 10, 4), date(2025, 10, 4), tz)
        assert seen.start == datetime(2025, 10, 3, 0, 0, tzinfo=tz) and seen.all_day
        assert store.on_days(date(2025, 10, 5), date(2025, 10, 5), tz) == []
    assert store.overlapping(datetime(2025, 10, 3, 9, 0, tzinfo=BERLIN), 60, tz=BERLIN) == []
    with pytest.raises(InvalidMeeting):
        checked_draft(MeetingDraft("Trip", holiday.start, 400 * 1440, all_day=True), NOW)


def test_a_series_without_a_zone_name_keeps_local_wall_clock_time(store: MeetingStore) -> None:
    cst = timezone(timedelta(hours=8))
    assert zone_name(cst) is None and zone_name(BERLIN) == "Europe/Berlin"
    draft = MeetingDraft("站会", datetime(2025, 9, 15, 9, 0, tzinfo=cst), 15,
                         recurrence=Recurrence("FREQ=DAILY;COUNT=3"))
    store.create(checked_draft(draft, NOW))
    seen = store.on_days(date(2025, 9, 1), date(2025, 9, 30), BERLIN)
    assert [m.start for m in seen] == [datetime(2025, 9, d, 9, 0, tzinfo=BERLIN) for d in (15, 16, 17)]


def test_the_start_moves_to_the_first_occurrence() -> None:
    tuesday = MeetingDraft("x", FIRST + timedelta(days=1), 30, recurrence=Recurrence("freq=weekly;byday=mo"))
    checked = checked_draft(tuesday, NOW)
    assert checked.start == FIRST + timedelta(days=7)
    assert checked.recurrence == Recurrence("FREQ=WEEKLY;BYDAY=MO")


HOSTILE = [
    "FREQ=SECONDLY", "FREQ=HOURLY;COUNT=5", "FREQ=WEEKLY;BYHOUR=9", "FREQ=WEEKLY;COUNT=0",
    "FREQ=WEEKLY;COUNT=99999999999999999999", "FREQ=DAILY;INTERVAL=-1", "FREQ=DAILY;COUNT=2;UNTIL=20251231",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31", "FREQ=DAILY;BYSETPOS=2",
    "FREQ=WEEKLY;BYDAY=2MO", "FREQ=MONTHLY;BYDAY=6MO", "FREQ=WEEKLY;BYMONTHDAY=3",
    "FREQ=WEEKLY;UNTIL=20259999",
    "FREQ=WEEKLY;FREQ=DAILY", "FREQ=WEEKLY;;COUNT=3", "FREQ=WEEKLY;BYDAY=XX", "DTSTART:20250101T000000",
    "FREQ=WEEKLY\nBEGIN:VEVENT", "FREQ=WEEKLY;X-NAME=1", "FREQ=" + "W" * 300, "FREQ=DAILY;UNTIL=20000101",
    "FREQ=WEEKLY;BYDAY=MO;EXDATE=20250922", "ＦＲＥＱ=WEEKLY", "FREQ=WEEKLY;COUNT=1e3",
    "FREQ=WEEKLY;BYDAY=+0MO",
]


@pytest.mark.parametrize("rule", HOSTILE)
def test_hostile_rules_get_one_sentence(rule: str) -> None:
    with pytest.raises(InvalidMeeting) as refused:
        checked_draft(MeetingDraft("x", FIRST, 30, recurrence=Recurrence(rule)), NOW)
    sentence = str(refused.value)
    assert sentence.startswith("recurrence") and sentence.endswith(".") and "\n" not in sentence
    assert len(sentence) < 200


def test_rules_that_seldom_or_never_happen_end_quickly_within_a_bound() -> None:
    """dateutil looks period by period, up to MAX_YEARS_AWAY after the start: a monthly rule that
    never matches stops there; so does a daily one whose next day (Monday the 29th of February 2044)
    is further away."""
    never = MeetingDraft("x", FIRST, 30, recurrence=Recurrence("FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=1"))
    with pytest.raises(InvalidMeeting, match="no meeting"):
        checked_draft(never, NOW)
    leap_monday = Recurrence("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO")
    seldom = MeetingDraft("x", FIRST, 30, recurrence=leap_monday)
    with pytest.raises(InvalidMeeting, match="no meeting within 10 years"):
        checked_draft(seldom, NOW)
    assert parse_rule("rrule:freq=monthly;byday=-1fr").text() == "FREQ=MONTHLY;BYDAY=-1FR"


def test_a_version_2_calendar_is_migrated_to_series(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path)
    MIGRATIONS[0](conn)
    MIGRATIONS[1](conn)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO meetings (uid, title, start, start_epoch, duration, created_at, source,"
                 " call_id)"
                 " VALUES ('u1', 'kept', '2025-09-09T15:30:00+08:00', 1757403000, 60,"
                 " '2025-09-01T10:00:00+08:00', 'voice', 'call-1')")
    conn.commit()
    conn.close()
    store = MeetingStore(path)
    (kept,) = store.all()
    assert (kept.title, kept.uid, kept.call_id) == ("kept", "u1", "call-1")
    assert not kept.all_day and kept.recurrence is None
    assert store.on_days(date(2025, 9, 9), date(2025, 9, 9), timezone(timedelta(hours=8))) == [kept]
    store.close()
