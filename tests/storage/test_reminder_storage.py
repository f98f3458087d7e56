"""A meeting's reminder in the store and in .ics files: stored, kept by edits, migrated from a calendar
written before reminders, and round-tripped as VALARM (TRIGGER -PT10M, ACTION DISPLAY; RFC 9074's
ACTION NONE for "no reminder")."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from icalendar import Calendar

from desktop.storage.ics import from_ics, to_ics
from desktop.storage.meeting_migrations import MIGRATIONS
from desktop.storage.meeting_model import (
    NO_REMINDER,
    InvalidMeeting,
    MeetingDraft,
    Recurrence,
    check_reminder,
)
from desktop.storage.meetings import MeetingStore
from desktop.storage.reminder_log import LoggedReminder

CST = timezone(timedelta(hours=8))
START = datetime(2025, 9, 9, 15, 30, tzinfo=CST)
NOW = datetime(2025, 9, 1, 12, tzinfo=CST)


def test_the_reminder_is_stored_kept_by_an_edit_and_described(store: MeetingStore) -> None:
    own = store.create(MeetingDraft("Own", START, 60, reminder=25))
    default = store.create(MeetingDraft("Default", START, 60))
    none = store.create(MeetingDraft("None", START, 60, reminder=NO_REMINDER))
    assert (own.reminder, default.reminder, none.reminder) == (25, None, NO_REMINDER)
    assert store.update(own.id, "Own, moved", START + timedelta(hours=1), 30).reminder == 25
    assert own.describe(CST)["reminder"] == 25 and "reminder" not in default.describe(CST)
    assert {m.reminder for m in store.between(START, START + timedelta(hours=3))} == {25, None, NO_REMINDER}


def test_check_reminder_refuses_what_cannot_be_a_reminder() -> None:
    assert check_reminder(None) is None and check_reminder(0) == 0 and check_reminder(-1) == NO_REMINDER
    for bad in (-2, 7 * 24 * 60 + 1, "10", True, 1.5):
        with pytest.raises(InvalidMeeting):
            check_reminder(bad)


def test_a_calendar_from_before_reminders_keeps_its_meetings_with_the_default(tmp_path: Path) -> None:
    path = tmp_path / "v4.sqlite3"
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS[:4]:
        migration(conn)
    conn.execute("PRAGMA user_version = 4")
    conn.execute("INSERT INTO meetings (uid, title, start, start_epoch, end_epoch, duration, created_at,"
                 " source) VALUES ('u1', 'Old', ?, ?, ?, 30, '2025-09-01T10:00:00+08:00', 'voice')",
                 (START.isoformat(), int(START.timestamp()), int(START.timestamp()) + 1800))
    conn.commit()
    conn.close()
    store = MeetingStore(path)
    try:
        [old] = store.all()
        assert (old.title, old.reminder) == ("Old", None)
        log = store.reminder_log()
        assert log.checked_until() is None
        log.record([LoggedReminder("u1", int(START.timestamp()), "missed", "Old", 30)], 100)
        assert log.checked_until() == 100 and [e.title for e in log.missed(0)] == ["Old"]
    finally:
        store.close()


def test_reminders_round_trip_through_ics_as_valarm(tmp_path: Path) -> None:
    source = MeetingStore(tmp_path / "a.sqlite3")
    target = MeetingStore(tmp_path / "b.sqlite3")
    try:
        source.create(MeetingDraft("Ten", START, 60, reminder=10))
        source.create(MeetingDraft("At start", START + timedelta(days=1), 60, reminder=0))
        source.create(MeetingDraft("None", START + timedelta(days=2), 60, reminder=NO_REMINDER))
        source.create(MeetingDraft("Default", START + timedelta(days=3), 60))
        source.create(MeetingDraft("Weekly", START + timedelta(days=4), 30, time_zone="Asia/Shanghai",
                                   recurrence=Recurrence("FREQ=WEEKLY;COUNT=4"), reminder=15))
        exported = to_ics(source.all())
        events = {str(e["SUMMARY"]): e for e in Calendar.from_ical(exported).walk("VEVENT")}
        [alarm] = events["Ten"].walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY" and str(alarm["DESCRIPTION"]) == "Ten"
        assert alarm.decoded("TRIGGER") == timedelta(minutes=-10)
        assert b"TRIGGER:-PT10M" in exported
        assert [str(a["ACTION"]) for a in events["None"].walk("VALARM")] == ["NONE"]
        assert events["Default"].walk("VALARM") == []
        target.import_drafts(from_ics(exported, CST, NOW).drafts)
        assert [(m.title, m.reminder) for m in target.all()] == [
            ("Ten", 10), ("At start", 0), ("None", NO_REMINDER), ("Default", None), ("Weekly", 15)]
    finally:
        source.close()
        target.close()


def _event(alarms: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:e1\r\n"
            "DTSTART:20250909T073000Z\r\nDURATION:PT1H\r\nSUMMARY:Imported\r\n"
            f"{alarms}END:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def _alarm(trigger: str, action: str = "DISPLAY") -> str:
    return f"BEGIN:VALARM\r\nACTION:{action}\r\nDESCRIPTION:x\r\n{trigger}\r\nEND:VALARM\r\n"


@pytest.mark.parametrize(("alarms", "reminder"), [
    ("", None),
    (_alarm("TRIGGER:-PT10M"), 10),
    (_alarm("TRIGGER;RELATED=START:-PT1H"), 60),
    (_alarm("TRIGGER;RELATED=END:-PT75M"), 15),  # 75 minutes before the end of an hour-long meeting
    (_alarm("TRIGGER;VALUE=DATE-TIME:20250909T072000Z"), 10),  # at an instant: ten minutes before
    (_alarm("TRIGGER:-P1D") + _alarm("TRIGGER:-PT5M", "AUDIO"), 5),  # the one nearest the start
    (_alarm("TRIGGER:PT5M"), None),  # after the start: not a reminder the app can give
    (_alarm("TRIGGER:-P8D"), None),  # beyond a week
    (_alarm("TRIGGER;VALUE=DATE-TIME:19760401T005545Z", "NONE"), NO_REMINDER),
])
def test_imported_alarms(alarms: str, reminder: int | None) -> None:
    [draft] = from_ics(_event(alarms), CST, NOW).drafts
    assert draft.reminder == reminder
