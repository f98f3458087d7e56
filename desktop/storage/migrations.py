"""Versioned schema migrations keyed on `PRAGMA user_version`.

Each migration runs in its own transaction together with the version bump, so a crash leaves the
database at the previous version, never half-migrated.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

Migration = Callable[[sqlite3.Connection], None]


class SchemaTooNewError(RuntimeError):
    """The file was written by a newer version of the app; we refuse to guess at its layout."""


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> int:
    """Bring the schema to `len(migrations)`; migration i (0-based) moves version i -> i + 1."""
    current = schema_version(conn)
    if current > len(migrations):
        raise SchemaTooNewError(
            f"This data file has schema version {current}, newer than this app understands."
        )
    for version in range(current, len(migrations)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            migrations[version](conn)
            # PRAGMA takes no parameters; the value is our own integer.
            conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
    return len(migrations)


def open_database(path: str, *, synchronous: str) -> sqlite3.Connection:
    """A connection in WAL mode with explicit transactions (isolation_level=None).

    check_same_thread is off because a store serialises access with its own lock and, in the app,
    is only ever used from one worker thread.
    """
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn
