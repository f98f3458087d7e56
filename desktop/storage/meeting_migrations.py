"""The meeting table's history. Append a migration; never edit one that has shipped."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime


def _v1_initial(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE meetings (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            start TEXT NOT NULL,
            duration INTEGER NOT NULL CHECK (duration > 0),
            created_at TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('voice', 'manual')),
            call_id TEXT UNIQUE
        )
        """
    )


def _v2_uid_epoch_import(conn: sqlite3.Connection) -> None:
    """Adds a stable iCalendar UID, an epoch column for range and overlap queries (ISO strings with
    different offsets do not sort), and the 'import' source. SQLite cannot alter a CHECK, so the
    table is rebuilt."""
    conn.execute(
        """
        CREATE TABLE meetings_v2 (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            start TEXT NOT NULL,
            start_epoch INTEGER NOT NULL,
            duration INTEGER NOT NULL CHECK (duration > 0 AND duration <= 1440),
            created_at TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('voice', 'manual', 'import')),
            call_id TEXT UNIQUE
        )
        """
    )
    rows = conn.execute("SELECT id, title, start, duration, created_at, source, call_id FROM meetings")
    for row in rows.fetchall():
        start = datetime.fromisoformat(row[2])
        if start.tzinfo is None:  # v1 wrote offsets, but be safe with hand-edited files
            start = start.astimezone()
        conn.execute(
            "INSERT INTO meetings_v2 (id, uid, title, start, start_epoch, duration, created_at, source,"
            " call_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row[0],
                f"{uuid.uuid4()}@voice-assistant",
                row[1],
                start.isoformat(timespec="seconds"),
                int(start.timestamp()),
                min(row[3], 1440),
                row[4],
                row[5],
                row[6],
            ),
        )
    conn.execute("DROP TABLE meetings")
    conn.execute("ALTER TABLE meetings_v2 RENAME TO meetings")
    conn.execute("CREATE INDEX meetings_start ON meetings (start_epoch)")


def _v3_series_all_day_zone(conn: sqlite3.Connection) -> None:
    """Adds what a series needs (its RRULE, its left-out and added dates as comma-separated wall-clock
    times, the IANA zone it keeps its wall-clock time in) and all-day events, which may last longer
    than a day: the duration's CHECK changes, so the table is rebuilt. `start_epoch` of a series is
    its first occurrence."""
    conn.execute(
        """
        CREATE TABLE meetings_v3 (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            start TEXT NOT NULL,
            start_epoch INTEGER NOT NULL,
            duration INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('voice', 'manual', 'import')),
            call_id TEXT UNIQUE,
            all_day INTEGER NOT NULL DEFAULT 0 CHECK (all_day IN (0, 1)),
            time_zone TEXT,
            rrule TEXT,
            exdates TEXT NOT NULL DEFAULT '',
            rdates TEXT NOT NULL DEFAULT '',
            CHECK (duration > 0 AND (duration <= 1440 OR (all_day = 1 AND duration <= 366 * 1440)))
        )
        """
    )
    conn.execute(
        "INSERT INTO meetings_v3 (id, uid, title, start, start_epoch, duration, created_at, source, call_id)"
        " SELECT id, uid, title, start, start_epoch, duration, created_at, source, call_id FROM meetings"
    )
    conn.execute("DROP TABLE meetings")
    conn.execute("ALTER TABLE meetings_v3 RENAME TO meetings")
    conn.execute("CREATE INDEX meetings_start ON meetings (start_epoch)")


def _v4_end_epoch(conn: sqlite3.Connection) -> None:
    """Adds when a meeting ends, or its series' last occurrence does (NULL: a series without an end),
    so a query skips series that ended before its range. A series stored before stays NULL: it is
    expanded as before, until it is next written."""
    conn.execute("ALTER TABLE meetings ADD COLUMN end_epoch INTEGER")
    conn.execute("UPDATE meetings SET end_epoch = start_epoch + duration * 60"
                 " WHERE rrule IS NULL AND rdates = ''")


def _v5_reminders(conn: sqlite3.Connection) -> None:
    """Adds each meeting's reminder (minutes before; NULL: the person's default; -1: none; rows stored
    before keep the default), and what the reminders did: each occurrence shown or missed once, by its
    uid and start, and until when the calendar was last looked at, so a restart neither repeats a
    reminder nor announces late what started while the app was closed."""
    conn.execute("ALTER TABLE meetings ADD COLUMN reminder INTEGER"
                 " CHECK (reminder IS NULL OR reminder >= -1)")
    conn.execute(
        """
        CREATE TABLE reminder_log (
            uid TEXT NOT NULL,
            start_epoch INTEGER NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('shown', 'missed')),
            title TEXT NOT NULL,
            duration INTEGER NOT NULL,
            all_day INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (uid, start_epoch)
        )
        """
    )
    conn.execute(
        "CREATE TABLE reminder_clock (id INTEGER PRIMARY KEY CHECK (id = 1), checked_epoch INTEGER NOT NULL)"
    )


MIGRATIONS = (_v1_initial, _v2_uid_epoch_import, _v3_series_all_day_zone, _v4_end_epoch, _v5_reminders)
