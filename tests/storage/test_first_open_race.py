"""Two first starts at once (the app and `--check`, or `--check` twice) open the same fresh data
folder at the same moment: every store that migrates must come up once, in WAL mode, at its current
schema, in each of them. Each round is a new file opened by several connections released together;
before the version was read inside the write transaction, most rounds failed with "table meetings
already exists", and the switch to WAL failed with "database is locked" in a few."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from desktop.storage import knowledge_index, meeting_migrations
from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.meetings import MeetingStore

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 40
OPENERS = 4
STORES = {
    "calendar": (MeetingStore, len(meeting_migrations.MIGRATIONS)),
    "knowledge": (KnowledgeIndex, len(knowledge_index.MIGRATIONS)),
}


def _open_together(store: type[MeetingStore] | type[KnowledgeIndex], path: Path) -> list[BaseException]:
    """`OPENERS` threads, each with its own connection, open `path` the moment all are ready."""
    start = threading.Barrier(OPENERS)
    failures: list[BaseException] = []

    def open_and_close() -> None:
        start.wait()
        try:
            store(path).close()
        except BaseException as error:  # the test reports it
            failures.append(error)

    threads = [threading.Thread(target=open_and_close) for _ in range(OPENERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


def _schema_and_journal(path: Path) -> tuple[int, str]:
    conn = sqlite3.connect(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        return version, conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("name", STORES)
def test_connections_opening_a_fresh_file_at_once_all_succeed(tmp_path: Path, name: str) -> None:
    store, version = STORES[name]
    for round_ in range(ROUNDS):
        path = tmp_path / f"{name}-{round_}.sqlite3"
        failures = _open_together(store, path)
        assert failures == [], f"round {round_}: {failures[0]!r}"
        assert _schema_and_journal(path) == (version, "wal")


# Two processes, each opening both stores of one data folder as a start of the app does.
OPEN_BOTH = """
import sys
from pathlib import Path
from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.meetings import MeetingStore
folder = Path(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()  # the test releases all processes at once
MeetingStore(folder / "calendar.sqlite3").close()
KnowledgeIndex(folder / "knowledge.sqlite3").close()
"""


def test_processes_opening_a_fresh_data_folder_at_once_all_succeed(tmp_path: Path) -> None:
    for round_ in range(5):
        folder = tmp_path / f"data-{round_}"
        folder.mkdir()
        processes = [
            subprocess.Popen([sys.executable, "-c", OPEN_BOTH, str(folder)], cwd=ROOT, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(3)
        ]  # fmt: skip
        for process in processes:
            assert process.stdout is not None
            assert process.stdout.readline() == "ready\n", process.communicate(timeout=60)[1]
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in processes:
            _out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
        assert _schema_and_journal(folder / "calendar.sqlite3") == (len(meeting_migrations.MIGRATIONS), "wal")
