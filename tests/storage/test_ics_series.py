"""iCalendar with series, all-day events and time zones: a weekly series with an EXDATE, an all-day
event and a TZID event from America/New_York, imported at the right local time, exported and imported
again unchanged; changed occurrences; what cannot be imported, with the reason."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from desktop.storage.ics import from_ics, import_calendar, to_ics
from desktop.storage.meetings import MeetingStore

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=BERLIN)

SAMPLE = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Outlook-like//EN\r
BEGIN:VEVENT\r
UID:weekly@example.com\r
DTSTAMP:20250901T000000Z\r
DTSTART;TZID=Europe/Berlin:20250915T100000\r
DTEND;TZID=Europe/Berlin:20250915T103000\r
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10\r
EXDATE;TZID=Europe/Berlin:20250929T100000\r
SUMMARY:Team sync\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:holiday@example.com\r
DTSTAMP:20250901T000000Z\r
DTSTART;VALUE=DATE:20251003\r
DTEND;VALUE=DATE:20251004\r
SUMMARY:Unity Day\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:new-york@example.com\r
DTSTAMP:20250901T000000Z\r
DTSTART;TZID=America/New_York:20250910T090000\r
DURATION:PT1H\r
SUMMARY:Call with New York\r
END:VEVENT\r
END:VCALENDAR\r
"""


def stored(tmp_path: Path, name: str, data: bytes, tz: ZoneInfo = BERLIN) -> MeetingStore:
    store = MeetingStore(tmp_path / f"{name}.sqlite3")
    parsed = from_ics(data, tz, NOW)
    assert parsed.not_imported == ()
    assert store.import_drafts(parsed.drafts) == (len(parsed.drafts), 0)
    return store


def autumn(store: MeetingStore, tz: ZoneInfo = BERLIN) -> list[tuple[str, str, int, bool, bool]]:
    """Every occurrence from September to December as (title, local start, minutes, all day, series)."""
    return [(m.title, f"{m.start.astimezone(tz):%Y-%m-%d %H:%M}", m.duration, m.all_day, m.in_series)
            for m in store.on_days(date(2025, 9, 1), date(2025, 12, 31), tz)]


def test_series_all_day_and_new_york_come_in_at_the_right_local_times(tmp_path: Path) -> None:
    store = stored(tmp_path, "in", SAMPLE)
    seen = autumn(store)
    assert ("Call with New York", "2025-09-10 15:00", 60, False, False) in seen  # 09:00 EDT is 15:00 CEST
    assert ("Unity Day", "2025-10-03 00:00", 1440, True, False) in seen
    weekly = [s for s in seen if s[0] == "Team sync"]
    assert len(weekly) == 9 and all(s[1].endswith("10:00") and s[4] for s in weekly)
    assert "2025-09-29 10:00" not in [s[1] for s in weekly]
    assert weekly[-1][1] == "2025-11-17 10:00"  # after the change to winter time, still 10:00
    series = next(m for m in store.all() if m.in_series)
    assert series.time_zone == "Europe/Berlin" and series.recurrence.exdates == (datetime(2025, 9, 29, 10),)  # type: ignore[union-attr]


def test_round_trip_keeps_series_all_day_and_zones(tmp_path: Path) -> None:
    first = stored(tmp_path, "first", SAMPLE)
    exported = to_ics(first.all())
    calendar = Calendar.from_ical(exported)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 3  # the series once
    weekly = events["weekly@example.com"]
    assert weekly.rrules[0].to_ical() == b"FREQ=WEEKLY;COUNT=10;BYDAY=MO"
    assert weekly.decoded("DTSTART") == datetime(2025, 9, 15, 10, 0, tzinfo=BERLIN)
    assert weekly["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert weekly.exdates == [datetime(2025, 9, 29, 10, 0, tzinfo=BERLIN)]
    holiday = events["holiday@example.com"]
    assert holiday.decoded("DTSTART") == date(2025, 10, 3) and holiday.decoded("DTEND") == date(2025, 10, 4)
    assert events["new-york@example.com"]["DTSTART"].params["TZID"] == "America/New_York"
    assert {tz.tz_name for tz in calendar.timezones} == {"Europe/Berlin", "America/New_York"}
    second = stored(tmp_path, "second", exported)
    assert autumn(second) == autumn(first)
    assert [(m.uid, m.recurrence, m.time_zone, m.all_day) for m in second.all()] == [
        (m.uid, m.recurrence, m.time_zone, m.all_day) for m in first.all()
    ]
    assert second.import_drafts(from_ics(exported, BERLIN, NOW).drafts) == (0, 3)


def test_a_new_york_event_seen_with_the_system_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No zone passed: the system's (TZ) decides the local time, as in the app."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        store = MeetingStore(tmp_path / "system.sqlite3")
        store.import_drafts(from_ics(SAMPLE).drafts)
        (call,) = [m for m in store.on_days(date(2025, 9, 10), date(2025, 9, 10)) if not m.in_series]
        assert f"{call.start.astimezone():%H:%M}" == "15:00"
        assert call.describe()["start_time"] == "2025-09-10 15:00:00"
        store.close()
    finally:
        monkeypatch.undo()
        time.tzset()


def test_an_all_day_series_and_a_floating_series_round_trip(tmp_path: Path) -> None:
    data = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//x//EN\r
BEGIN:VEVENT\r
UID:birthday@example.com\r
DTSTART;VALUE=DATE:20250920\r
RRULE:FREQ=YEARLY;COUNT=3\r
SUMMARY:Birthday\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:floating@example.com\r
DTSTART:20250916T083000\r
DURATION:PT15M\r
RRULE:FREQ=DAILY;UNTIL=20250918T083000\r
RDATE:20250925T083000\r
EXDATE:20250917T083000\r
SUMMARY:Stand-up\r
END:VEVENT\r
END:VCALENDAR\r
"""
    first = stored(tmp_path, "a", data)
    seen = autumn(first)
    assert ("Birthday", "2025-09-20 00:00", 1440, True, True) in seen
    stand_ups = [s[1] for s in seen if s[0] == "Stand-up"]
    assert stand_ups == ["2025-09-16 08:30", "2025-09-18 08:30", "2025-09-25 08:30"]
    again = stored(tmp_path, "b", to_ics(first.all()))
    assert autumn(again) == seen
    shanghai = ZoneInfo("Asia/Shanghai")  # floating: 08:30 wherever the person is
    assert next(s[1] for s in autumn(again, shanghai) if s[0] == "Stand-up") == "2025-09-16 08:30"


def test_a_changed_occurrence_comes_in_on_its_own_and_leaves_its_series(tmp_path: Path) -> None:
    changed = SAMPLE.replace(b"END:VCALENDAR", b"""BEGIN:VEVENT\r
UID:weekly@example.com\r
RECURRENCE-ID;TZID=Europe/Berlin:20251006T100000\r
DTSTART;TZID=Europe/Berlin:20251007T140000\r
DURATION:PT30M\r
SUMMARY:Team sync (moved)\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:weekly@example.com\r
RECURRENCE-ID;TZID=Europe/Berlin:20251013T100000\r
DTSTART;TZID=Europe/Berlin:20251013T100000\r
DURATION:PT30M\r
STATUS:CANCELLED\r
SUMMARY:Team sync\r
END:VEVENT\r
END:VCALENDAR""")
    store = stored(tmp_path, "changed", changed)
    days = [s[1] for s in autumn(store) if s[0].startswith("Team sync")]
    assert "2025-10-06 10:00" not in days and "2025-10-13 10:00" not in days
    assert "2025-10-07 14:00" in days and len(days) == 8


def test_what_cannot_be_imported_is_listed_with_the_reason(tmp_path: Path) -> None:
    bad = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//x//EN\r
BEGIN:VEVENT\r
UID:a\r
SUMMARY:No start\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:b\r
DTSTART:20250913T080000Z\r
DURATION:P3D\r
SUMMARY:Conference\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:c\r
DTSTART:20250913T080000Z\r
DURATION:PT1H\r
RRULE:FREQ=MINUTELY;COUNT=5\r
SUMMARY:Every minute\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:d\r
DTSTART:20250913T080000Z\r
DTEND:20250913T070000Z\r
SUMMARY:Backwards\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:e\r
DTSTART:20250913T080000Z\r
DURATION:PT1H\r
SUMMARY:Fine\r
END:VEVENT\r
END:VCALENDAR\r
"""
    path = tmp_path / "bad.ics"
    path.write_bytes(bad)
    store = MeetingStore(tmp_path / "bad.sqlite3")
    report = import_calendar(store, path, BERLIN)
    assert report.added == 1 and report.already_there == 0
    assert report.not_imported == (
        ("No start", "it has no start time"),
        ("Conference", "it lasts longer than 24 hours"),
        ("Every minute", "its repeat rule is not supported"),
        ("Backwards", "it ends before it starts"),
    )
    assert [m.title for m in store.all()] == ["Fine"]
    assert from_ics(bad, BERLIN).unusable == 4
    assert store.all()[0].start == datetime(2025, 9, 13, 10, 0, tzinfo=BERLIN)
