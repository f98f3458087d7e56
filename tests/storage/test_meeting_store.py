"""The meeting store: round trip, idempotence by call_id, overlaps, notifications, migrations."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop.storage.meeting_migrations import MIGRATIONS
from desktop.storage.meeting_model import MeetingDraft
from desktop.storage.meetings import MeetingChange, MeetingStore
from desktop.storage.migrations import SchemaTooNewError, schema_version

CST = timezone(timedelta(hours=8))
UTC = UTC


def at(hour: int, minute: int = 0, day: int = 9, tz: timezone = CST) -> datetime:
    return datetime(2025, 9, day, hour, minute, tzinfo=tz)


def test_a_created_meeting_reads_back_with_its_offset(store: MeetingStore) -> None:
    made = store.create(MeetingDraft("周会", at(15, 30), 60, source="voice", call_id="call-1"))
    again = store.get(made.id)
    assert again == made
    assert again.start == at(15, 30) and again.start.utcoffset() == timedelta(hours=8)
    assert again.source == "voice" and again.uid.endswith("@voice-assistant")
    assert again.created_at.tzinfo is not None


def test_the_same_call_id_never_creates_two_meetings(store: MeetingStore) -> None:
    first = store.create(MeetingDraft("A", at(9), 30, call_id="call-x"))
    second = store.create(MeetingDraft("B, a retry with other values", at(10), 45, call_id="call-x"))
    assert second == first
    assert len(store.all()) == 1
    assert store.find_by_call_id("call-x") == first
    # Without a call_id (manual meetings) there is no such constraint.
    store.create(MeetingDraft("C", at(9), 30))
    store.create(MeetingDraft("C", at(9), 30))
    assert len(store.all()) == 3


def test_overlaps_are_found_across_time_zones(store: MeetingStore) -> None:
    standup = store.create(MeetingDraft("standup", at(9), 30))
    store.create(MeetingDraft("lunch", at(12), 60))
    # 01:15 UTC is 09:15 in UTC+8: inside the standup.
    assert store.overlapping(at(1, 15, tz=UTC), 10) == [standup]
    # Touching ends are not overlaps.
    assert store.overlapping(at(9, 30), 30) == []
    assert store.overlapping(at(8, 30), 30) == []
    assert store.overlapping(at(8, 45), 30) == [standup]
    assert store.overlapping(at(8), 8 * 60)[1].title == "lunch"
    assert store.overlapping(at(9), 30, exclude_id=standup.id) == []


def test_on_days_and_update_and_delete(store: MeetingStore) -> None:
    local = datetime(2025, 9, 9, 10, 0).astimezone()
    made = store.create(MeetingDraft("review", local, 45))
    assert [m.id for m in store.on_days(date(2025, 9, 9), date(2025, 9, 9))] == [made.id]
    assert store.on_days(date(2025, 9, 10), date(2025, 9, 12)) == []
    moved = store.update(made.id, "review (moved)", local + timedelta(days=1), 90)
    assert moved.title == "review (moved)" and moved.duration == 90 and moved.uid == made.uid
    assert [m.id for m in store.on_days(date(2025, 9, 10), date(2025, 9, 10))] == [made.id]
    assert store.delete(made.id) == moved
    assert store.delete(made.id) is None
    assert store.all() == []


def test_listeners_hear_every_committed_change(store: MeetingStore) -> None:
    heard: list[MeetingChange] = []
    unsubscribe = store.subscribe(heard.append)
    def broken(_change: MeetingChange) -> None:
        raise RuntimeError("a broken listener harms nobody")

    store.subscribe(broken)
    made = store.create(MeetingDraft("x", at(9), 30, call_id="c"))
    store.create(MeetingDraft("x", at(9), 30, call_id="c"))  # idempotent: no change, no notice
    store.update(made.id, "y", at(9), 30)
    store.delete(made.id)
    store.import_drafts([MeetingDraft("z", at(11), 30, uid="u-1")])
    assert [c.kind for c in heard] == ["created", "updated", "deleted", "imported"]
    unsubscribe()
    store.create(MeetingDraft("after", at(9), 30))
    assert len(heard) == 4


def test_import_skips_known_uids(store: MeetingStore) -> None:
    drafts = [MeetingDraft("a", at(9), 30, uid="u-1"), MeetingDraft("b", at(10), 30, uid="u-2")]
    assert store.import_drafts(drafts) == (2, 0)
    assert store.import_drafts(drafts) == (0, 2)
    assert {m.source for m in store.all()} == {"manual"}


def test_wal_and_full_sync(store: MeetingStore, tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "calendar.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_version_1_calendar_is_migrated_without_losing_meetings(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.executemany(
        "INSERT INTO meetings (title, start, duration, created_at, source, call_id)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("old voice", "2025-09-09T15:30:00+08:00", 60, "2025-09-01T10:00:00+08:00", "voice", "call-old"),
            ("old manual", "2025-09-10T09:00:00+02:00", 30, "2025-09-01T10:00:00+02:00", "manual", None),
        ],
    )
    conn.commit()
    conn.close()

    store = MeetingStore(path)
    meetings = store.all()
    assert [m.title for m in meetings] == ["old voice", "old manual"]
    assert meetings[0].start == at(15, 30) and meetings[0].call_id == "call-old"
    assert len({m.uid for m in meetings}) == 2
    assert store.overlapping(at(16), 10) == [meetings[0]]
    assert store.create(MeetingDraft("retry", at(8), 5, call_id="call-old")).title == "old voice"
    assert schema_version(store._conn) == len(MIGRATIONS)
    store.create(MeetingDraft("imported", at(8), 5, source="import"))  # the v2 CHECK allows it
    store.close()


def test_a_calendar_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError):
        MeetingStore(path)
