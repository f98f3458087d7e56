"""The meeting store: one SQLite file in the user's data folder.

WAL with synchronous=FULL: a meeting the person confirmed must survive a power cut, and writes are
rare (one per confirmation), so the extra fsync per commit costs nothing anyone can notice.
The store is synchronous and thread-safe; the GUI and the tools reach it through a `StoreWorker`.
A series is one row; `between` and `on_days` hand out its occurrences (occurrences.py), `all` the rows.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Literal

from desktop.storage import meeting_model
from desktop.storage.meeting_migrations import MIGRATIONS
from desktop.storage.meeting_model import Meeting, MeetingDraft, localize
from desktop.storage.meeting_rows import COLUMNS, EXPANDED, draft_values, row_to_meeting, wall_times_text
from desktop.storage.migrations import migrate, open_database
from desktop.storage.occurrences import first_occurrence, moved_recurrence, occurrences
from desktop.storage.reminder_log import ReminderLog

log = logging.getLogger(__name__)

_SLACK_S = 2 * 24 * 3600  # a series' or all-day event's epoch is near its wall-clock time, not on it


@dataclass(frozen=True, slots=True)
class MeetingChange:
    kind: Literal["created", "updated", "deleted", "imported"]
    meeting: Meeting | None = None


Listener = Callable[[MeetingChange], None]


class MeetingNotFound(LookupError):
    pass


def new_uid() -> str:
    return f"{uuid.uuid4()}@voice-assistant"


class MeetingStore:
    def __init__(self, path: Path) -> None:
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._conn = open_database(str(path), synchronous="FULL")
        migrate(self._conn, MIGRATIONS)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def reminder_log(self) -> ReminderLog:
        """What the reminders did, in the same file (use it on the store's worker, as the store)."""
        return ReminderLog(self._conn, self._lock)

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
                f"SELECT {COLUMNS} FROM meetings {where}", tuple(params)
            ).fetchall()
        return [row_to_meeting(r) for r in rows]

    def get(self, meeting_id: int) -> Meeting | None:
        found = self._select("WHERE id = ?", (meeting_id,))
        return found[0] if found else None

    def find_by_call_id(self, call_id: str) -> Meeting | None:
        found = self._select("WHERE call_id = ?", (call_id,))
        return found[0] if found else None

    def all(self) -> list[Meeting]:
        """The stored meetings: a series once, with its first start."""
        return self._select("ORDER BY start_epoch, id")

    def between(self, start: datetime, end: datetime, tz: tzinfo | None = None) -> list[Meeting]:
        """Every occurrence that overlaps [start, end), in start order: a meeting that does not repeat
        as stored, each occurrence of a series as a `Meeting` with its own start (`in_series`,
        `occurrence` set), an all-day event from midnight of its first day. `tz` (None: the system's
        zone) is where floating times and all-day dates are placed."""
        low, high = int(start.timestamp()), int(end.timestamp())
        singles = self._select(
            f"WHERE NOT {EXPANDED} AND start_epoch < ? AND start_epoch + duration * 60 > ?", (high, low))
        expanded = self._select(  # a series that ended before the range is skipped
            f"WHERE {EXPANDED} AND start_epoch < ? AND (end_epoch IS NULL OR end_epoch > ?)",
            (high + _SLACK_S, low - _SLACK_S))
        found = singles + [o for meeting in expanded for o in occurrences(meeting, start, end, tz)]
        return sorted(found, key=lambda m: (m.start, m.id))

    def on_days(self, first: date, last: date, tz: tzinfo | None = None) -> list[Meeting]:
        """The occurrences touching the days first..last inclusive, in `tz` (None: the system's zone)."""
        start = localize(datetime.combine(first, time()), tz)
        end = localize(datetime.combine(last + timedelta(days=1), time()), tz)
        return self.between(start, end, tz)

    def overlapping(
        self, start: datetime, duration: int, exclude_id: int | None = None, tz: tzinfo | None = None
    ) -> list[Meeting]:
        """The timed occurrences that overlap [start, start + duration) (all-day events do not clash)."""
        clashes = self.between(start, start + timedelta(minutes=duration), tz)
        return meeting_model.overlapping(start, duration, clashes, exclude_id)

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
        values = {**draft_values(draft), "uid": draft.uid or new_uid(), "source": draft.source,
                  "call_id": draft.call_id,
                  "created_at": datetime.now().astimezone().isoformat(timespec="seconds")}
        names = ", ".join(values)
        cursor = self._conn.execute(
            f"INSERT INTO meetings ({names}) VALUES ({', '.join('?' * len(values))})", tuple(values.values())
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def update(self, meeting_id: int, title: str, start: datetime, duration: int) -> Meeting:
        """New title, start and length; an all-day event stays one, a series stays a series (its
        left-out dates move with its start)."""
        stored = self.get(meeting_id)
        if stored is None:
            raise MeetingNotFound(f"Meeting {meeting_id} no longer exists.")
        rule = stored.recurrence.rule if stored.recurrence is not None else None
        return self.update_from(meeting_id, MeetingDraft(
            title, start, duration, stored.source, stored.call_id, stored.uid, stored.all_day,
            stored.time_zone, moved_recurrence(stored, start, rule), stored.reminder))

    def update_from(self, meeting_id: int, draft: MeetingDraft) -> Meeting:
        """Stores the draft's title, time, length, all-day flag, zone, recurrence and reminder over the
        meeting's (its uid, source and call_id stay). `moved_recurrence` keeps a series' left-out dates."""
        values = draft_values(draft)
        with self._lock:
            cursor = self._conn.execute(
                f"UPDATE meetings SET {', '.join(f'{name} = ?' for name in values)} WHERE id = ?",
                (*values.values(), meeting_id),
            )
            if cursor.rowcount == 0:
                raise MeetingNotFound(f"Meeting {meeting_id} no longer exists.")
            meeting = self.get(meeting_id)
        assert meeting is not None
        self._notify(MeetingChange("updated", meeting))
        return meeting

    def cancel_occurrence(self, meeting_id: int, occurrence: datetime) -> Meeting | None:
        """Leaves one occurrence out of a series (an EXDATE of its wall-clock start, `Meeting.occurrence`);
        a series with none left is deleted. Returns the series as it is now, or None when there is no
        such series."""
        with self._lock:
            series = self.get(meeting_id)
            if series is None or series.recurrence is None:
                return None
            exdates = (*series.recurrence.exdates, occurrence)
            left = replace(series, recurrence=replace(series.recurrence, exdates=exdates))
            if first_occurrence(left) is None:
                self._conn.execute("DELETE FROM meetings WHERE id = ?", (meeting_id,))
                change = MeetingChange("deleted", series)
            else:
                self._conn.execute("UPDATE meetings SET exdates = ? WHERE id = ?",
                                   (wall_times_text(exdates), meeting_id))
                change = MeetingChange("updated", self.get(meeting_id))
        self._notify(change)
        return change.meeting

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
