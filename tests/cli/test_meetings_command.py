"""`voice-assistant meetings list | import | export` as a person runs them: a new process on the
calendar in its own data folder, beside a store that stays open as the window's would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from desktop.storage.meeting_model import MeetingDraft
from desktop.storage.meetings import MeetingStore
from tests.cli.terminal import one_sentence, run

NEW_YORK = "America/New_York"
SHANGHAI = "Asia/Shanghai"

CALENDAR = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Other//EN\r
BEGIN:VEVENT\r
UID:planning@example.com\r
DTSTAMP:20270101T000000Z\r
DTSTART:20270301T150000Z\r
DURATION:PT45M\r
SUMMARY:Planning\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:retro@example.com\r
DTSTAMP:20270101T000000Z\r
DTSTART:20270302T090000Z\r
DTEND:20270302T100000Z\r
SUMMARY:周会 retro\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:no-start@example.com\r
DTSTAMP:20270101T000000Z\r
SUMMARY:No start at all\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture
def window_store(tmp_path: Path) -> Iterator[MeetingStore]:
    """The calendar the command uses, held open the whole time as the window holds it."""
    (tmp_path / "data").mkdir()
    store = MeetingStore(tmp_path / "data" / "calendar.sqlite3")
    yield store
    store.close()


def _book(store: MeetingStore, title: str, start: datetime, minutes: int = 45) -> None:
    store.create(MeetingDraft(title, start, minutes))


def _listed(tmp_path: Path, *args: str, tz: str = NEW_YORK) -> list[dict[str, object]]:
    done = run(tmp_path, "meetings", "list", "--json", *args, TZ=tz)
    assert done.returncode == 0, done.stderr
    listed: list[dict[str, object]] = json.loads(done.stdout)
    return listed


def test_an_empty_calendar_lists_nothing_from_today_to_30_days_ahead(tmp_path: Path) -> None:
    done = run(tmp_path, "meetings", "list")
    assert done.returncode == 0, done.stderr
    today = date.today()  # the child's day too: both read the same clock and TZ
    assert done.stdout.strip() == f"No meetings from {today} to {today + timedelta(days=30)}."
    assert _listed(tmp_path, tz="UTC") == []
    assert "30 days ahead" in run(tmp_path, "meetings", "list", "--help").stdout


def test_the_default_range_is_today_to_30_days_ahead(tmp_path: Path, window_store: MeetingStore) -> None:
    today = datetime.now(ZoneInfo(NEW_YORK)).date()

    def at_ten(days: int) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(10), ZoneInfo(NEW_YORK))

    _book(window_store, "Yesterday", at_ten(-1))
    _book(window_store, "Tomorrow", at_ten(1))
    _book(window_store, "In four weeks", at_ten(28))
    _book(window_store, "In six weeks", at_ten(42))
    assert [m["title"] for m in _listed(tmp_path)] == ["Tomorrow", "In four weeks"]


def test_json_gives_each_meeting_with_its_offset_and_plain_text_local_time(
    tmp_path: Path, window_store: MeetingStore
) -> None:
    zone = ZoneInfo(NEW_YORK)
    _book(window_store, "Winter", datetime(2027, 1, 11, 10, 0, tzinfo=zone), 45)
    _book(window_store, "Summer", datetime(2027, 7, 1, 9, 30, tzinfo=zone), 90)
    _book(window_store, "Later", datetime(2027, 8, 1, 9, 30, tzinfo=zone), 30)
    listed = _listed(tmp_path, "--from", "2027-01-01", "--to", "2027-07-01")
    assert listed == [
        {"title": "Winter", "start": "2027-01-11T10:00:00-05:00", "duration": 45, "all_day": False,
         "series": False},
        {"title": "Summer", "start": "2027-07-01T09:30:00-04:00", "duration": 90, "all_day": False,
         "series": False},
    ]  # fmt: skip
    for meeting in listed:
        assert datetime.fromisoformat(str(meeting["start"])).utcoffset() is not None
    # The same meetings for someone in Shanghai: their own wall-clock time, one line each.
    done = run(tmp_path, "meetings", "list", "--from", "2027-01-01", "--to", "2027-07-01", TZ=SHANGHAI)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "Mon 2027-01-11 23:00-23:45  Winter",
        "Thu 2027-07-01 21:30-23:00  Summer",
    ]


def test_import_then_list_and_what_was_not_imported(tmp_path: Path, window_store: MeetingStore) -> None:
    calendar = tmp_path / "other.ics"
    calendar.write_text(CALENDAR, encoding="utf-8")
    done = run(tmp_path, "meetings", "import", str(calendar))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"Imported 2 meetings from {calendar}."
    assert any(line.startswith("Not imported") for line in lines[1:])  # the event without a start
    assert [m.title for m in window_store.all()] == ["Planning", "周会 retro"]  # the open store sees them
    listed = _listed(tmp_path, "--from", "2027-03-01", "--to", "2027-03-02", tz="UTC")
    assert [(m["title"], m["start"], m["duration"]) for m in listed] == [
        ("Planning", "2027-03-01T15:00:00+00:00", 45),
        ("周会 retro", "2027-03-02T09:00:00+00:00", 60),
    ]
    again = run(tmp_path, "meetings", "import", str(calendar))
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[:2] == [
        f"Imported 0 meetings from {calendar}.",
        "2 meetings already in the calendar, not imported again.",
    ]


def test_export_then_import_elsewhere_gives_the_same_calendar(
    tmp_path: Path, window_store: MeetingStore
) -> None:
    zone = ZoneInfo(NEW_YORK)
    _book(window_store, "Budget", datetime(2027, 3, 12, 14, 0, tzinfo=zone), 60)
    _book(window_store, "预算评审", datetime(2027, 3, 15, 9, 0, tzinfo=zone), 30)  # after the DST change
    exported = tmp_path / "calendar.ics"
    done = run(tmp_path, "meetings", "export", str(exported))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Exported 2 meetings to {exported}."
    elsewhere = tmp_path / "elsewhere"
    done = run(elsewhere, "meetings", "import", str(exported))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"Imported 2 meetings from {exported}."]
    span = ("--from", "2027-03-01", "--to", "2027-03-31")
    assert _listed(elsewhere, *span) == _listed(tmp_path, *span)
    assert len(_listed(elsewhere, *span)) == 2


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["import", "{tmp}/missing.ics"], "There is no file {tmp}/missing.ics."),
        (["import", "{tmp}/bad.ics"], "{tmp}/bad.ics could not be imported: it is not an iCalendar (.ics) "),
        (["import", "{tmp}"], "{tmp} is a folder, not an .ics file."),
        (["export", "{tmp}/no/such/folder.ics"], "{tmp}/no/such/folder.ics could not be written: "),
        (["export", "{tmp}"], "{tmp} could not be written: "),
        (["list", "--from", "2027-13-01"], "--from '2027-13-01' is not a real date."),
        (["list", "--to", "next week"], "--to 'next week' is not in the form YYYY-MM-DD."),
        (["list", "--from", "2027-03-02", "--to", "2027-03-01"], "--to 2027-03-01 is before --from 2027-03"),
        (["list", "--from", "9999-12-20"], "beyond the dates the calendar can show."),
        (["list", "--from", "2000-01-01", "--to", "2999-12-31"],
         "2000-01-01 to 2999-12-31 is longer than 10 years; ask for a shorter range."),
    ],
)
def test_bad_input_is_one_sentence_and_status_1(tmp_path: Path, args: list[str], said: str) -> None:
    (tmp_path / "bad.ics").write_text("BEGIN:VCALENDAR\nthis is not\n a calendar at all", encoding="utf-8")
    done = run(tmp_path, "meetings", *(arg.format(tmp=tmp_path) for arg in args))
    assert done.returncode == 1, done.stdout
    assert one_sentence(done.stderr), done.stderr
    assert said.format(tmp=tmp_path) in done.stderr
    assert done.stdout == ""


SERIES_AND_ALL_DAY = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:weekly@test\r
SUMMARY:Standup\r
DTSTART;TZID=America/New_York:20270301T100000\r
DTEND;TZID=America/New_York:20270301T101500\r
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10\r
EXDATE;TZID=America/New_York:20270308T100000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:offsite@test\r
SUMMARY:Offsite\r
DTSTART;VALUE=DATE:20270303\r
DTEND;VALUE=DATE:20270304\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_series_lists_each_occurrence_and_an_all_day_event_as_all_day(tmp_path: Path) -> None:
    calendar = tmp_path / "series.ics"
    calendar.write_text(SERIES_AND_ALL_DAY, encoding="utf-8")
    done = run(tmp_path, "meetings", "import", str(calendar))
    assert done.returncode == 0, done.stderr
    listed = _listed(tmp_path, "--from", "2027-03-01", "--to", "2027-03-22", tz=NEW_YORK)
    assert [(m["title"], m["start"], m["all_day"], m["series"]) for m in listed] == [
        ("Standup", "2027-03-01T10:00:00-05:00", False, True),
        ("Offsite", "2027-03-03T00:00:00-05:00", True, False),
        # 2027-03-08 is left out (EXDATE); the series keeps 10:00 across the change to summer time
        ("Standup", "2027-03-15T10:00:00-04:00", False, True),
        ("Standup", "2027-03-22T10:00:00-04:00", False, True),
    ]
    assert listed[1]["duration"] == 1440
