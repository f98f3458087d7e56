"""What the meeting reminders did, kept beside the meetings (the calendar's SQLite file): each
occurrence's reminder shown or missed once, named by the meeting's uid and the occurrence's start, and
until when the calendar was last looked at. A restart reads it back, so it neither repeats a reminder
nor announces late a meeting that started while the app was closed (desktop/tools/reminders.py).

It shares the meeting store's connection and lock (`MeetingStore.reminder_log`), and so its worker.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["shown", "missed"]


@dataclass(frozen=True, slots=True)
class LoggedReminder:
    """One occurrence's reminder as logged: what it was about, in case the meeting is gone since."""

    uid: str
    start_epoch: int
    outcome: Outcome
    title: str
    duration: int
    all_day: bool = False


class ReminderLog:
    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self._conn = conn
        self._lock = lock

    def checked_until(self) -> int | None:
        """The epoch second the calendar was last looked at, or None before the first look."""
        with self._lock:
            row = self._conn.execute("SELECT checked_epoch FROM reminder_clock WHERE id = 1").fetchone()
        return int(row[0]) if row is not None else None

    def logged(self, keys: Iterable[tuple[str, int]]) -> set[tuple[str, int]]:
        """Those of the (uid, start_epoch) keys whose reminder was shown or missed already."""
        wanted = set(keys)
        if not wanted:
            return set()
        low = min(epoch for _uid, epoch in wanted)
        high = max(epoch for _uid, epoch in wanted)
        with self._lock:
            rows = self._conn.execute(
                "SELECT uid, start_epoch FROM reminder_log WHERE start_epoch BETWEEN ? AND ?", (low, high)
            ).fetchall()
        return {(row[0], int(row[1])) for row in rows} & wanted

    def record(self, entries: Iterable[LoggedReminder], checked_epoch: int) -> None:
        """Logs the entries and the time of this look, in one transaction (a crash keeps neither)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "INSERT OR IGNORE INTO reminder_log (uid, start_epoch, outcome, title, duration, all_day)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [(e.uid, e.start_epoch, e.outcome, e.title, e.duration, int(e.all_day)) for e in entries],
                )
                self._conn.execute(
                    "INSERT INTO reminder_clock (id, checked_epoch) VALUES (1, ?)"
                    " ON CONFLICT (id) DO UPDATE SET checked_epoch = excluded.checked_epoch",
                    (checked_epoch,))
            except BaseException:
                self._conn.rollback()
                raise
            self._conn.commit()

    def missed(self, since_epoch: int) -> list[LoggedReminder]:
        """The missed occurrences that started from `since_epoch` on, in start order."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT uid, start_epoch, outcome, title, duration, all_day FROM reminder_log"
                " WHERE outcome = 'missed' AND start_epoch >= ? ORDER BY start_epoch, uid", (since_epoch,)
            ).fetchall()
        return [LoggedReminder(r[0], int(r[1]), r[2], r[3], int(r[4]), bool(r[5])) for r in rows]

    def prune(self, before_epoch: int) -> None:
        """Forgets occurrences that started before `before_epoch` (no reminder looks that far back)."""
        with self._lock:
            self._conn.execute("DELETE FROM reminder_log WHERE start_epoch < ?", (before_epoch,))
