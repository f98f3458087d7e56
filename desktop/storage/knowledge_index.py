"""The knowledge index: passages of the person's documents in SQLite FTS5 (trigram tokenizer).

Re-indexing is incremental: a file is re-read only when its size or mtime changed, and its passages
replaced only when its content hash changed. Each document is its own transaction, so an
interrupted sync leaves every finished document searchable.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from desktop.storage.documents import SUPPORTED_SUFFIXES, read_text, split_passages
from desktop.storage.knowledge_query import like_pattern, match_expression, rank, terms_of
from desktop.storage.migrations import migrate, open_database

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_CANDIDATES = 2000


def _v1_initial(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE documents (path TEXT PRIMARY KEY, name TEXT NOT NULL, mtime_ns INTEGER NOT NULL,"
        " size INTEGER NOT NULL, sha256 TEXT NOT NULL)"
    )
    conn.execute(
        "CREATE VIRTUAL TABLE passages USING fts5("
        "text, path UNINDEXED, name UNINDEXED, position UNINDEXED, tokenize = 'trigram')"
    )


MIGRATIONS = (_v1_initial,)


@dataclass(frozen=True, slots=True)
class Hit:
    name: str  # path relative to the knowledge folder, for citing
    position: int
    text: str
    score: float


@dataclass(frozen=True, slots=True)
class SyncReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unreadable: tuple[str, ...] = ()


class KnowledgeIndex:
    def __init__(self, path: Path) -> None:
        self._lock = threading.RLock()
        # NORMAL: the index can always be rebuilt from the documents, so a lost commit is harmless.
        self._conn = open_database(str(path), synchronous="NORMAL")
        migrate(self._conn, MIGRATIONS)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def sync(self, folder: Path) -> SyncReport:
        """Makes the index mirror the supported documents under `folder` (recursively)."""
        found = {p.resolve(): p for p in _documents(folder)}
        with self._lock:
            known = {
                Path(row["path"]): (row["mtime_ns"], row["size"], row["sha256"])
                for row in self._conn.execute("SELECT path, mtime_ns, size, sha256 FROM documents")
            }
        added = updated = 0
        unreadable: list[str] = []
        for resolved, path in sorted(found.items()):
            name = path.relative_to(folder).as_posix()
            try:
                outcome = self._sync_one(resolved, name, known.get(resolved))
            except (OSError, ValueError, KeyError) as exc:  # broken PDF/DOCX, vanished file
                log.info("cannot index %s: %s", name, exc)
                unreadable.append(name)
                self._forget(resolved)
                continue
            added += outcome == "added"
            updated += outcome == "updated"
        gone = [p for p in known if p not in found]
        for path in gone:
            self._forget(path)
        return SyncReport(added, updated, len(gone), tuple(unreadable))

    def _sync_one(self, path: Path, name: str, known: tuple[int, int, str] | None) -> str:
        stat = path.stat()
        if known and known[0] == stat.st_mtime_ns and known[1] == stat.st_size:
            return "unchanged"
        if stat.st_size > MAX_FILE_BYTES:
            raise ValueError("file too large to index")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if known and known[2] == digest:  # touched but not changed: remember the new stat only
            with self._lock:
                self._conn.execute(
                    "UPDATE documents SET mtime_ns = ?, size = ? WHERE path = ?",
                    (stat.st_mtime_ns, stat.st_size, str(path)),
                )
            return "unchanged"
        passages = split_passages(read_text(path))
        with self._lock, self._transaction():
            self._conn.execute("DELETE FROM passages WHERE path = ?", (str(path),))
            self._conn.executemany(
                "INSERT INTO passages (text, path, name, position) VALUES (?, ?, ?, ?)",
                [(p.text, str(path), name, p.position) for p in passages],
            )
            self._conn.execute(
                "INSERT OR REPLACE INTO documents (path, name, mtime_ns, size, sha256)"
                " VALUES (?, ?, ?, ?, ?)",
                (str(path), name, stat.st_mtime_ns, stat.st_size, digest),
            )
        return "updated" if known else "added"

    def _forget(self, path: Path) -> None:
        with self._lock, self._transaction():
            self._conn.execute("DELETE FROM passages WHERE path = ?", (str(path),))
            self._conn.execute("DELETE FROM documents WHERE path = ?", (str(path),))

    def _transaction(self) -> sqlite3.Connection:
        self._conn.execute("BEGIN IMMEDIATE")
        return self._conn  # sqlite3.Connection as a context manager commits or rolls back

    def document_names(self) -> list[str]:
        with self._lock:
            return [r["name"] for r in self._conn.execute("SELECT name FROM documents ORDER BY name")]

    def search(self, question: str, limit: int = 4) -> list[Hit]:
        """The best passages for any text at all; an empty list when nothing matches."""
        terms = terms_of(question)
        if not terms or limit <= 0:
            return []
        try:
            rows = self._candidates(terms.long, terms.short)
        except sqlite3.Error as exc:  # terms are quoted and bound; this is a last line of defence
            log.warning("knowledge search failed: %s", exc)
            return []
        if not rows:
            return []
        with self._lock:
            corpus = int(self._conn.execute("SELECT count(*) FROM passages").fetchone()[0])
        scores = rank(terms, [r["text"] for r in rows], corpus)
        ranked = sorted(zip(scores, rows, strict=True), key=lambda pair: -pair[0])
        return [
            Hit(row["name"], int(row["position"]), row["text"], round(score, 3))
            for score, row in ranked[:limit]
            if score > 0
        ]

    def _candidates(self, long: tuple[str, ...], short: tuple[str, ...]) -> list[sqlite3.Row]:
        # FTS5 refuses MATCH inside an OR with other constraints, hence the UNION.
        selects: list[str] = []
        params: list[str] = []
        columns = "SELECT rowid, text, name, position FROM passages WHERE "
        if long:
            selects.append(columns + "passages MATCH ?")
            params.append(match_expression(long))
        if short:
            selects.append(columns + " OR ".join(["text LIKE ? ESCAPE '\\'"] * len(short)))
            params.extend(like_pattern(term) for term in short)
        sql = " UNION ".join(selects) + f" LIMIT {MAX_CANDIDATES}"
        with self._lock:
            return self._conn.execute(sql, params).fetchall()


def _documents(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in SUPPORTED_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]
