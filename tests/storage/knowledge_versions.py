"""Knowledge index files as an older version of the app left them, for the migration tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop.storage.knowledge_index import MIGRATIONS
from desktop.storage.migrations import migrate, open_database


def index_file_at(path: Path, version: int, *statements: str) -> None:
    """An index file at schema `version`, with `statements` (its rows) run on it."""
    conn = open_database(str(path), synchronous="NORMAL")
    migrate(conn, MIGRATIONS[:version])
    for statement in statements:
        conn.execute(statement)
    conn.close()


def is_current(path: Path) -> bool:
    with sqlite3.connect(path) as check:
        return bool(check.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS))
