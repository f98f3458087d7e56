"""Versioned schema migrations keyed on `PRAGMA user_version`.

Each migration runs in its own transaction together with the version bump, so a crash leaves the
database at the previous version, never half-migrated. The version is read inside that same write
transaction: two processes opening a fresh file at once (the app and `--check`, two first starts)
would otherwise both see version 0 and both create the tables.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence

Migration = Callable[[sqlite3.Connection], None]

_BUSY_TIMEOUT_S = 10.0
_BUSY_RETRY_S = 0.01


class SchemaTooNewError(RuntimeError):
    """The file was written by a newer version of the app; we refuse to guess at its layout."""


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> int:
    """Bring the schema to `len(migrations)`; migration i (0-based) moves version i -> i + 1."""
    while _migrate_one_step(conn, migrations):
        pass
    return len(migrations)


def _migrate_one_step(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> bool:
    """Runs the next migration, if any, under the write lock; False once the schema is current."""
    conn.execute("BEGIN IMMEDIATE")  # waits (the connection's timeout) for another migrating process
    try:
        current = schema_version(conn)
        if current > len(migrations):
            raise SchemaTooNewError(
                f"This data file has schema version {current}, newer than this app understands."
            )
        if current < len(migrations):
            migrations[current](conn)
            # PRAGMA takes no parameters; the value is our own integer.
            conn.execute(f"PRAGMA user_version = {current + 1}")
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
    return current < len(migrations)


def open_database(path: str, *, synchronous: str) -> sqlite3.Connection:
    """A connection in WAL mode with explicit transactions (isolation_level=None).

    check_same_thread is off because a store serialises access with its own lock and, in the app,
    is only ever used from one worker thread.
    """
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=_BUSY_TIMEOUT_S)
    conn.row_factory = sqlite3.Row
    _use_wal(conn)
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switches a fresh file to WAL. While another connection is doing the same, SQLite answers
    "database is locked" at once instead of waiting its timeout (it would deadlock otherwise), so
    this waits and tries again; the switch is made once, and later opens find WAL already set."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            busy = error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
        time.sleep(_BUSY_RETRY_S)
