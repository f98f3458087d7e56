"""The edges of a series found in review: dates before the year 1000 stored and read back, a bad stored
date skipped rather than making the calendar unreadable, an UNTIL near the year 9999 refused, one bad
event not costing a file's others, a rule that never matches bounded, and ended series skipped (the
end each series is stored with since schema version 4)."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule as dateutil_rrule

from desktop.storage.ics import from_ics, to_ics
from desktop.storage.ics_events import NotImported
from desktop.storage.meeting_migrations import MIGRATIONS
from desktop.storage.meeting_model import InvalidMeeting, MeetingDraft, Recurrence
from desktop.storage.meeting_rows import wall_times, wall_times_text
from desktop.storage.meetings import MeetingStore
from desktop.storage.occurrences import checked_draft, draft_occurrences
from desktop.storage.recurrence_rule import parse_rule, rule_set

BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=BERLIN)
MONDAY = datetime(2025, 9, 15, 10, 0, tzinfo=BERLIN)


def ics(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(
        f"BEGIN:VEVENT\r\n{event}END:VEVENT\r\n" for event in events) + "END:VCALENDAR\r\n").encode()


GOOD = "UID:good@test\r\nSUMMARY:Good\r\nDTSTART:20250915T100000Z\r\nDURATION:PT30M\r\n"


def test_a_date_before_the_year_1000_is_written_with_four_digits_and_read_back() -> None:
    times = (datetime(1, 1, 1, 10), datetime(999, 12, 31, 23, 59, 59), datetime(2025, 9, 29, 10))
    assert wall_times_text(times) == "00010101T100000,09991231T235959,20250929T100000"
    assert wall_times(wall_times_text(times)) == times


def test_a_stored_date_that_cannot_be_read_is_skipped_and_the_calendar_stays_readable(
        store: MeetingStore) -> None:
    draft = MeetingDraft("Sync", MONDAY, 30, time_zone="Europe/Berlin",
                         recurrence=Recurrence("FREQ=WEEKLY;COUNT=3", (datetime(2025, 9, 22, 10),)))
    series = store.create(checked_draft(draft, NOW))
    store._conn.execute("UPDATE meetings SET exdates = '10101T100000,20250922T100000' WHERE id = ?",
                        (series.id,))
    (stored,) = store.all()
    assert stored.recurrence is not None and stored.recurrence.exdates == (datetime(2025, 9, 22, 10),)
    assert [m.start.day for m in store.on_days(date(2025, 9, 15), date(2025, 9, 30))] == [15, 29]
    assert b"EXDATE" in to_ics(store.all())
    assert store.cancel_occurrence(series.id, datetime(2025, 9, 29, 10)) is not None


def test_an_import_drops_left_out_and_added_dates_far_from_the_series() -> None:
    series = ("UID:s@test\r\nSUMMARY:S\r\nDTSTART:20250915T100000\r\nDURATION:PT30M\r\n"
              "RRULE:FREQ=DAILY;COUNT=3\r\nEXDATE:00010101T100000,20250916T100000\r\n"
              "RDATE:00010101T100000,99990101T100000,20250920T100000\r\n")
    (draft,) = from_ics(ics(series), BERLIN, NOW).drafts
    assert draft.recurrence is not None
    assert draft.recurrence.exdates == (datetime(2025, 9, 16, 10),)
    assert draft.recurrence.rdates == (datetime(2025, 9, 20, 10),)


def test_an_until_a_century_after_the_start_is_refused_in_one_sentence() -> None:
    draft = MeetingDraft("x", MONDAY.astimezone(SHANGHAI), 30, time_zone="Asia/Shanghai",
                         recurrence=Recurrence("FREQ=DAILY;UNTIL=99991231T235959Z"))
    with pytest.raises(InvalidMeeting, match=r"^recurrence UNTIL=99991231T235959Z is more than 100 years "
                                             r"after the first meeting; give an earlier end or none\.$"):
        checked_draft(draft, NOW)
    fine = replace_rule(draft, "FREQ=DAILY;UNTIL=21251231T235959Z")
    assert checked_draft(fine, NOW).recurrence is not None


def replace_rule(draft: MeetingDraft, rule: str) -> MeetingDraft:
    return MeetingDraft(draft.title, draft.start, draft.duration, time_zone=draft.time_zone,
                        recurrence=Recurrence(rule))


def test_one_bad_event_is_not_imported_with_a_reason_and_the_others_are() -> None:
    year_one = "UID:y1@test\r\nSUMMARY:Year one\r\nDTSTART;VALUE=DATE:00010101\r\n"
    until_9999 = ("UID:u@test\r\nSUMMARY:Forever\r\nDTSTART;TZID=Asia/Shanghai:20250915T100000\r\n"
                  "DURATION:PT30M\r\nRRULE:FREQ=DAILY;UNTIL=99991231T235959Z\r\n")
    west = ("UID:w@test\r\nSUMMARY:West\r\nDTSTART;TZID=America/New_York:20250915T100000\r\n"
            "DURATION:PT30M\r\nRRULE:FREQ=DAILY;UNTIL=99991231\r\n")
    series = ("UID:s@test\r\nSUMMARY:Series\r\nDTSTART;TZID=America/New_York:20250915T100000\r\n"
              "DURATION:PT30M\r\nRRULE:FREQ=DAILY;COUNT=3\r\n")
    changed_year_one = ("UID:s@test\r\nSUMMARY:Moved\r\nRECURRENCE-ID:00010101T000000Z\r\n"
                        "DTSTART:20250916T100000Z\r\nDURATION:PT30M\r\n")
    read = from_ics(ics(year_one, GOOD, until_9999, west, series, changed_year_one), BERLIN, NOW)
    assert [d.title for d in read.drafts] == ["Good", "Series"]
    assert ("Moved", str(NotImported.TOO_FAR)) in read.not_imported
    too_far = str(NotImported.TOO_FAR)
    assert ("Year one", too_far) in read.not_imported
    assert ("Forever", too_far) in read.not_imported and ("West", too_far) in read.not_imported


def test_a_rule_that_never_matches_is_bounded_and_its_added_date_still_shows() -> None:
    never = "FREQ=DAILY;INTERVAL=7;BYDAY=TU"  # from a Monday: every seventh day is a Monday
    added = datetime(2025, 9, 17, 10)
    draft = MeetingDraft("x", MONDAY, 30, time_zone="Europe/Berlin",
                         recurrence=Recurrence(never, (), (added,)))
    found = draft_occurrences(checked_draft(draft, NOW), MONDAY + timedelta(days=400))
    assert [m.occurrence for m in found] == [added]
    assert rule_set(parse_rule("BYMONTHDAY=13;BYDAY=FR;FREQ=DAILY;INTERVAL=7"), datetime(2025, 9, 15, 10),
                    not_after=datetime(2035, 9, 15)) == []


@pytest.mark.parametrize("rule", [
    "FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY;BYDAY=MO,FR;WKST=SU;INTERVAL=2", "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1",
    "FREQ=WEEKLY;COUNT=7", "FREQ=DAILY;UNTIL=20251003T100000",
])
def test_the_bounded_expansion_gives_what_dateutil_gives(rule: str) -> None:
    parts = parse_rule(rule)
    first, low, high = datetime(2024, 1, 31, 10), datetime(2025, 2, 1), datetime(2029, 3, 1)
    everything = dateutil_rrule.rrulestr(f"RRULE:{rule}", dtstart=first).between(first, high, inc=True)
    expected = [w for w in everything if w >= low]
    assert rule_set(parts, first, not_after=high, not_before=low) == expected


def test_an_ended_series_is_skipped_by_a_later_query_and_an_open_one_is_not(store: MeetingStore) -> None:
    def series(title: str, rule: str) -> int:
        draft = MeetingDraft(title, MONDAY, 30, time_zone="Europe/Berlin", recurrence=Recurrence(rule))
        return store.create(checked_draft(draft, NOW)).id

    ended, until = series("Ended", "FREQ=WEEKLY;COUNT=3"), series("Until", "FREQ=DAILY;UNTIL=20251001")
    series("Open", "FREQ=WEEKLY")
    ends = dict(store._conn.execute("SELECT title, end_epoch FROM meetings").fetchall())
    assert ends["Ended"] == int(datetime(2025, 9, 29, 10, 30, tzinfo=BERLIN).timestamp())
    assert ends["Until"] == int(datetime(2025, 10, 1, 10, 30, tzinfo=BERLIN).timestamp())
    assert ends["Open"] is None
    on_the_29th = store.on_days(date(2025, 9, 29), date(2025, 9, 29))
    assert [m.title for m in on_the_29th] == ["Ended", "Until", "Open"]
    assert [m.title for m in store.on_days(date(2026, 1, 5), date(2026, 1, 5))] == ["Open"]
    assert {ended, until} <= {m.id for m in store.all()}


def test_a_series_stored_before_version_4_has_no_end_and_is_still_listed(tmp_path: Path) -> None:
    path = tmp_path / "v3.sqlite3"
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS[:3]:
        migration(conn)
    conn.execute("PRAGMA user_version = 3")
    conn.execute("INSERT INTO meetings (uid, title, start, start_epoch, duration, created_at, source,"
                 " time_zone, rrule) VALUES ('u1', 'Old series', '2025-09-15T10:00:00+02:00', ?, 30,"
                 " '2025-09-01T10:00:00+02:00', 'manual', 'Europe/Berlin', 'FREQ=WEEKLY;COUNT=3')",
                 (int(MONDAY.timestamp()),))
    conn.commit()
    conn.close()
    store = MeetingStore(path)
    assert store._conn.execute("SELECT end_epoch FROM meetings").fetchone()[0] is None
    assert [m.start for m in store.on_days(date(2025, 9, 29), date(2025, 9, 29))] == [
        datetime(2025, 9, 29, 10, tzinfo=BERLIN)]
    store.close()


def test_a_series_stored_with_an_until_near_the_year_9999_still_exports(store: MeetingStore) -> None:
    draft = MeetingDraft("Sync", MONDAY, 30, time_zone="America/New_York",
                         recurrence=Recurrence("FREQ=DAILY;COUNT=3"))
    series = store.create(checked_draft(draft, NOW))
    store._conn.execute("UPDATE meetings SET rrule = 'FREQ=DAILY;UNTIL=99991231' WHERE id = ?", (series.id,))
    assert b"UNTIL=99991231T235959" in to_ics(store.all())
    assert len(store.on_days(date(2025, 9, 15), date(2025, 9, 21))) == 7
