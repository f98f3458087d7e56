"""Export to .ics and import back: tz-aware times, stable UIDs, duplicates skipped."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from icalendar import Calendar

from desktop.storage.ics import from_ics, to_ics
from desktop.storage.meeting_model import MeetingDraft
from desktop.storage.meetings import MeetingStore

CST = timezone(timedelta(hours=8))


def _store_with_meetings(path: Path) -> MeetingStore:
    store = MeetingStore(path)
    store.create(MeetingDraft("周会", datetime(2025, 9, 9, 15, 30, tzinfo=CST), 60, source="voice"))
    store.create(MeetingDraft("Design review; with, commas", datetime(2025, 9, 10, 9, 0, tzinfo=CST), 1440))
    return store


def test_export_parses_with_icalendar_and_keeps_moment_duration_title_uid(tmp_path: Path) -> None:
    store = _store_with_meetings(tmp_path / "a.sqlite3")
    meetings = store.all()
    calendar = Calendar.from_ical(to_ics(meetings))
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    for event, meeting in zip(events, meetings, strict=True):
        start = event.decoded("DTSTART")
        assert start.tzinfo is not None and start == meeting.start
        assert event.decoded("DURATION") == timedelta(minutes=meeting.duration)
        assert str(event["SUMMARY"]) == meeting.title
        assert str(event["UID"]) == meeting.uid
    assert to_ics(meetings).count(b"UID:") == 2  # the same UIDs on every export
    assert str(Calendar.from_ical(to_ics(store.all())).walk("VEVENT")[0]["UID"]) == meetings[0].uid


def test_round_trip_into_another_calendar_then_duplicates_are_skipped(tmp_path: Path) -> None:
    source = _store_with_meetings(tmp_path / "a.sqlite3")
    exported = to_ics(source.all())
    target = MeetingStore(tmp_path / "b.sqlite3")
    parsed = from_ics(exported, CST)
    assert target.import_drafts(parsed.drafts) == (2, 0)
    assert target.import_drafts(from_ics(exported, CST).drafts) == (0, 2)
    assert [(m.title, m.start, m.duration, m.uid, m.source) for m in target.all()] == [
        (m.title, m.start, m.duration, m.uid, "import") for m in source.all()
    ]
    # Exporting the imported calendar yields the same UIDs: a third calendar would skip them too.
    again = from_ics(to_ics(target.all()), CST)
    assert [d.uid for d in again.drafts] == [m.uid for m in source.all()]


FOREIGN = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Other//EN\r
BEGIN:VEVENT\r
UID:with-dtend@example.com\r
DTSTAMP:20250901T000000Z\r
DTSTART;TZID=Europe/Berlin:20250909T100000\r
DTEND;TZID=Europe/Berlin:20250909T113000\r
SUMMARY:Berlin sync\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTAMP:20250901T000000Z\r
DTSTART:20250911T080000\r
DURATION:PT45M\r
SUMMARY:Floating time\\, no UID\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:all-day@example.com\r
DTSTAMP:20250901T000000Z\r
DTSTART;VALUE=DATE:20250912\r
SUMMARY:Holiday\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:too-long@example.com\r
DTSTAMP:20250901T000000Z\r
DTSTART:20250913T080000Z\r
DURATION:P3D\r
SUMMARY:Conference\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_foreign_files_with_dtend_floating_times_and_unusable_events() -> None:
    parsed = from_ics(FOREIGN, CST)
    # All-day events are kept; the three-day one is not.
    assert parsed.not_imported == (("Conference", "it lasts longer than 24 hours"),)
    berlin, floating, holiday = parsed.drafts
    assert holiday.all_day and holiday.duration == 1440 and holiday.start.date().isoformat() == "2025-09-12"
    assert berlin.start == datetime(2025, 9, 9, 16, 0, tzinfo=CST) and berlin.duration == 90
    assert berlin.uid == "with-dtend@example.com"
    assert floating.start == datetime(2025, 9, 11, 8, 0, tzinfo=CST) and floating.duration == 45
    assert floating.title == "Floating time, no UID"
    assert floating.uid == from_ics(FOREIGN, CST).drafts[1].uid  # stable without a UID in the file
