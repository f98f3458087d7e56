"""The meeting store: one SQLite file in the user's data folder.

WAL with synchronous=FULL: a meeting the person confirmed must survive a power cut, and writes are
rare (one per confirmation), so the extra fsync per commit costs nothing anyone can notice.
The store is synchronous and thread-safe; the GUI and the tools reach it through a `StoreWorker`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Literal

from desktop.storage.meeting_migrations import MIGRATIONS
from desktop.storage.meeting_model import Meeting, MeetingDraft, Source, localize
from desktop.storage.migrations import migrate, open_database

log = logging.getLogger(__name__)

_COLUMNS = "id, uid, title, start, duration, created_at, source, call_id"


@dataclass(frozen=True, slots=True)
class MeetingChange:
    kind: Literal["created", "updated", "deleted", "imported"]
    meeting: Meeting | None = None


Listener = Callable[[MeetingChange], None]


class MeetingNotFound(LookupError):
    pass


def new_uid() -> str:
    return f"{uuid.uuid4()}@voice-assistant"


def _row_to_meeting(row: sqlite3.Row) -> Meeting:
    source: Source = row["source"]
    return Meeting(
        id=row["id"],
        uid=row["uid"],
        title=row["title"],
        start=datetime.fromisoformat(row["start"]),
        duration=row["duration"],
        created_at=datetime.fromisoformat(row["created_at"]),
        source=source,
        call_id=row["call_id"],
    )


class MeetingStore:
    def __init__(self, path: Path) -> None:
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._conn = open_database(str(path), synchronous="FULL")
        migrate(self._conn, MIGRATIONS)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """`listener` runs after each commit, on the thread that wrote; returns an unsubscribe."""
        with self._lock:
            self._listeners.append(listener)
        return lambda: self._unsubscribe(listener)

    def _unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _notify(self, change: MeetingChange) -> None:
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:  # a broken view must not undo a committed write
                log.exception("meeting listener failed")

    # Reading

    def _select(self, where: str, params: Iterable[object] = ()) -> list[Meeting]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM meetings {where}", tuple(params)
            ).fetchall()
        return [_row_to_meeting(r) for r in rows]

    def get(self, meeting_id: int) -> Meeting | None:
        found = self._select("WHERE id = ?", (meeting_id,))
        return found[0] if found else None

    def find_by_call_id(self, call_id: str) -> Meeting | None:
        found = self._select("WHERE call_id = ?", (call_id,))
        return found[0] if found else None

    def all(self) -> list[Meeting]:
        return self._select("ORDER BY start_epoch, id")

    def between(self, start: datetime, end: datetime) -> list[Meeting]:
        """Meetings that overlap [start, end), in start order."""
        return self._select(
            "WHERE start_epoch < ? AND start_epoch + duration * 60 > ? ORDER BY start_epoch, id",
            (int(end.timestamp()), int(start.timestamp())),
        )

    def on_days(self, first: date, last: date, tz: tzinfo | None = None) -> list[Meeting]:
        """Meetings touching the days first..last inclusive, in `tz` (None: the system's zone)."""
        start = localize(datetime.combine(first, time()), tz)
        end = localize(datetime.combine(last + timedelta(days=1), time()), tz)
        return self.between(start, end)

    def overlapping(self, start: datetime, duration: int, exclude_id: int | None = None) -> list[Meeting]:
        clashes = self.between(start, start + timedelta(minutes=duration))
        return [m for m in clashes if m.id != exclude_id]

    # Writing

    def create(self, draft: MeetingDraft) -> Meeting:
        """Stores the draft; with a call_id already stored, returns that meeting and writes nothing."""
        with self._lock:
            if draft.call_id is not None:
                existing = self.find_by_call_id(draft.call_id)
                if existing is not None:
                    return existing
            try:
                meeting_id = self._insert(draft)
            except sqlite3.IntegrityError:
                # Another process stored this call_id between our check and our insert.
                existing = self.find_by_call_id(draft.call_id) if draft.call_id else None
                if existing is None:
                    raise
                return existing
            meeting = self.get(meeting_id)
        assert meeting is not None
        self._notify(MeetingChange("created", meeting))
        return meeting

    def _insert(self, draft: MeetingDraft) -> int:
        created = datetime.now().astimezone().isoformat(timespec="seconds")
        cursor = self._conn.execute(
            "INSERT INTO meetings (uid, title, start, start_epoch, duration, created_at, source, call_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                draft.uid or new_uid(),
                draft.title,
                draft.start.isoformat(timespec="seconds"),
                int(draft.start.timestamp()),
                draft.duration,
                created,
                draft.source,
                draft.call_id,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def update(self, meeting_id: int, title: str, start: datetime, duration: int) -> Meeting:
        with self._lock:
            cursor = self._conn.execute(
                "UPDATE meetings SET title = ?, start = ?, start_epoch = ?, duration = ? WHERE id = ?",
                (title, start.isoformat(timespec="seconds"), int(start.timestamp()), duration, meeting_id),
            )
            if cursor.rowcount == 0:
                raise MeetingNotFound(f"Meeting {meeting_id} no longer exists.")
            meeting = self.get(meeting_id)
        assert meeting is not None
        self._notify(MeetingChange("updated", meeting))
        return meeting

    def delete(self, meeting_id: int) -> Meeting | None:
        with self._lock:
            meeting = self.get(meeting_id)
            if meeting is None:
                return None
            self._conn.execute("DELETE FROM meetings WHERE id = ?", (meeting_id,))
        self._notify(MeetingChange("deleted", meeting))
        return meeting

    def import_drafts(self, drafts: Iterable[MeetingDraft]) -> tuple[int, int]:
        """Adds drafts whose uid is new, all in one transaction; returns (added, skipped)."""
        added = skipped = 0
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for draft in drafts:
                    known = draft.uid and self._conn.execute(
                        "SELECT 1 FROM meetings WHERE uid = ?", (draft.uid,)
                    ).fetchone()
                    if known:
                        skipped += 1
                        continue
                    self._insert(draft)
                    added += 1
            except BaseException:
                self._conn.rollback()
                raise
            self._conn.commit()
        if added:
            self._notify(MeetingChange("imported"))
        return added, skipped
