"""The knowledge index: passages of the person's documents in SQLite FTS5, ranked by `bm25()`.

A search is one FTS5 query that ranks every matching passage with `bm25()` and cuts after ranking
(ORDER BY, then LIMIT): a passage that answers with common words is never lost to an earlier cut.
Chinese needs no separate path: its characters are indexed one by one and asked for as phrases
(`knowledge_query.py`), so a two-character word is ranked with everything else.

Re-indexing is incremental (`knowledge_sync.py`): a file is re-read only when its size or mtime
changed, and its passages replaced only when its content hash changed. Each document is its own
transaction, so an interrupted sync leaves every finished document searchable.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop.storage.documents import SUPPORTED_SUFFIXES, passages_of, read_sections
from desktop.storage.knowledge_query import indexed_text, match_expression, terms_of
from desktop.storage.knowledge_schema import MIGRATIONS
from desktop.storage.knowledge_sync import (
    FileToRead,
    IndexProgress,
    Outcome,
    SyncPlan,
    SyncReport,
    SyncTally,
    documents_under,
)
from desktop.storage.knowledge_vectors import (
    Cut,
    PassageToEmbed,
    VectorScan,
    embedded_passages,
    forget_texts,
    fused,
    passages_to_embed,
    prune_orphans,
    record_texts,
    standing_out,
    store_vectors,
)
from desktop.storage.migrations import migrate, open_database

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
ROWS_PER_DOCUMENT = 1 << 20  # passages of document `id` have rowids id * ROWS_PER_DOCUMENT + position
HEADING_WEIGHT = 1.0  # bm25 weight of a match in the heading above a passage (the text's is 1.0)

_COLUMNS = ("rowid, name, position, page, coalesce(shown_heading, heading) AS heading,"
            " coalesce(shown_text, text) AS text")
_SEARCH = (
    f"SELECT {_COLUMNS}, bm25(passages, 1.0, ?) AS score"
    " FROM passages WHERE passages MATCH ? ORDER BY score LIMIT ?"
)
VECTOR_CANDIDATES = 20  # passages each ranking brings to the fusion


@dataclass(frozen=True, slots=True)
class WordsRanking:
    """The passages that have the question's words, best first (`KnowledgeIndex.rank_words`)."""

    rows: tuple[sqlite3.Row, ...]

    def hits(self, limit: int) -> list[Hit]:
        return [_hit(row, round(-float(row["score"]), 3)) for row in self.rows[:max(0, limit)]]


@dataclass(frozen=True, slots=True)
class Hit:
    name: str  # path relative to the knowledge folder, for citing
    position: int
    text: str
    score: float  # higher is better (bm25, sign turned; in a hybrid search, the fusion score)
    heading: str = ""  # the heading above the passage, "" when there is none
    page: int | None = None  # its page in a PDF


class KnowledgeIndex:
    def __init__(self, path: Path) -> None:
        self._lock = threading.RLock()
        # NORMAL: the index can always be rebuilt from the documents, so a lost commit is harmless.
        self._conn = open_database(str(path), synchronous="NORMAL")
        migrate(self._conn, MIGRATIONS)
        self._vectors = VectorScan()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def sync(self, folder: Path, progress: Callable[[IndexProgress], None] | None = None) -> SyncReport:
        """Makes the index mirror the supported documents under `folder` (recursively); `progress`
        hears before each file is read, and once more when all are done."""
        plan = self.plan_sync(folder)
        tally = SyncTally(plan)
        for item in plan.to_read:
            if progress:
                progress(tally.progress())
            tally.count(item.name, self.index_file(item))
        if progress and plan.to_read:
            progress(tally.progress(ended=True))
        if plan.to_read or plan.removed:
            self.prune_vectors()
        return tally.report()

    def plan_sync(self, folder: Path) -> SyncPlan:
        """Drops the documents no longer under `folder`; lists the new and changed ones to read."""
        found = {p.resolve(): p for p in documents_under(folder, SUPPORTED_SUFFIXES)}
        with self._lock:
            known = {
                Path(row["path"]): (row["mtime_ns"], row["size"], row["sha256"])
                for row in self._conn.execute("SELECT path, mtime_ns, size, sha256 FROM documents")
            }
        gone = [p for p in known if p not in found]
        for path in gone:
            self._forget(path)
        to_read = [
            FileToRead(resolved, path.relative_to(folder).as_posix(), known.get(resolved))
            for resolved, path in sorted(found.items())
            if _changed(resolved, known.get(resolved))
        ]
        return SyncPlan(folder, tuple(to_read), len(gone))

    def prune_vectors(self) -> None:
        """At the end of a sync: drops the vectors no passage has, but for the newest (`prune_orphans`)."""
        with self._lock, self._transaction():
            prune_orphans(self._conn, self._conn.execute("SELECT count(*) FROM passage_texts").fetchone()[0])

    def index_file(self, item: FileToRead) -> Outcome:
        """Reads one file of a plan into the index; an unreadable file is dropped from it."""
        try:
            return self._index_file(item)
        except (OSError, ValueError, KeyError) as exc:  # broken PDF/DOCX, vanished file
            log.info("cannot index %s: %s", item.name, exc)
            self._forget(item.path)
            return "unreadable"

    def _index_file(self, item: FileToRead) -> Outcome:
        path, known = item.path, item.known
        stat = path.stat()
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
        passages = passages_of(read_sections(path))[:ROWS_PER_DOCUMENT]
        with self._lock, self._transaction():
            (document,) = self._conn.execute(
                "INSERT INTO documents (path, name, mtime_ns, size, sha256) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (path) DO UPDATE SET name = excluded.name, mtime_ns = excluded.mtime_ns,"
                " size = excluded.size, sha256 = excluded.sha256 RETURNING id",
                (str(path), item.name, stat.st_mtime_ns, stat.st_size, digest),
            ).fetchone()
            first, _ = _rows_of(document)
            self._conn.execute("DELETE FROM passages WHERE rowid BETWEEN ? AND ?", _rows_of(document))
            forget_texts(self._conn, *_rows_of(document))
            self._conn.executemany(
                "INSERT INTO passages (rowid, text, shown_text, heading, shown_heading, name, position, page)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(first + p.position, *_indexed(p.text), *_indexed(p.heading), item.name, p.position, p.page)
                 for p in passages],
            )
            record_texts(self._conn, [(first + p.position, p.heading, p.text) for p in passages])
            self._vectors.forget()
        return "updated" if known else "added"

    def _forget(self, path: Path) -> None:
        with self._lock, self._transaction():
            found = self._conn.execute("SELECT id FROM documents WHERE path = ?", (str(path),)).fetchone()
            if found is not None:
                self._conn.execute("DELETE FROM passages WHERE rowid BETWEEN ? AND ?", _rows_of(found[0]))
                forget_texts(self._conn, *_rows_of(found[0]))
                self._conn.execute("DELETE FROM documents WHERE id = ?", (found[0],))
                self._vectors.forget()

    def _transaction(self) -> sqlite3.Connection:
        self._conn.execute("BEGIN IMMEDIATE")
        return self._conn  # sqlite3.Connection as a context manager commits or rolls back

    def document_names(self) -> list[str]:
        with self._lock:
            return [r["name"] for r in self._conn.execute("SELECT name FROM documents ORDER BY name")]

    def search(self, question: str, limit: int = 4) -> list[Hit]:
        """The best passages for any text at all; an empty list when nothing matches."""
        return self.rank_words(question, limit).hits(limit)

    def rank_words(self, question: str, count: int = VECTOR_CANDIDATES) -> WordsRanking:
        """The bm25 ranking of the passages, at most `count`: its best hits are `search`'s, and
        `hybrid_search` takes it instead of searching the words again."""
        return WordsRanking(tuple(self._lexical(question, count)))

    def hybrid_search(self, question: str, vector: list[float], identity: str, limit: int = 4, *,
                      words: WordsRanking | None = None, cut: Cut = standing_out) -> list[Hit]:
        """The bm25 ranking (`words`, if the caller has it: `rank_words` of `question`) and the ranking of
        the passages nearest to the question's `vector` (made by the embedder `identity`, such as
        `openai:text-embedding-3-small`), fused; a Hit's score is then its fusion score. Only passages
        that `cut` keeps enter the vector ranking (the app's: those that stand out, or without a bm25
        ranking those above the mean), and on a tie the nearer passage comes first."""
        if limit <= 0:
            return []
        wanted = max(limit, VECTOR_CANDIDATES)
        lexical = {row["rowid"]: row for row in (words or self.rank_words(question, wanted)).rows[:wanted]}
        with self._lock:
            scored = self._vectors.scored(self._conn, identity, vector, wanted)
        best = fused([cut(scored, wanted, alone=not lexical), list(lexical)])[:limit]  # a tie: the meaning
        rows = {**self._rows([rowid for rowid, _ in best if rowid not in lexical]), **lexical}
        return [_hit(rows[rowid], round(score, 5)) for rowid, score in best if rowid in rows]

    def passages_to_embed(self, identity: str, dimensions: int) -> list[PassageToEmbed]:
        """The distinct texts of the passages without a vector of the embedder `identity` at `dimensions`
        (a text shared by passages, or kept by a passage that moved, has one already)."""
        with self._lock:
            return passages_to_embed(self._conn, identity, dimensions)

    def embedded_passages(self, identity: str, dimensions: int) -> int:
        """How many passages have a vector of the embedder `identity` at `dimensions` (Settings' count)."""
        with self._lock:
            return embedded_passages(self._conn, identity, dimensions)

    def passage_count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM passages").fetchone()[0])

    def store_vectors(self, identity: str, passages: list[PassageToEmbed], vectors: list[list[float]]) -> int:
        with self._lock, self._transaction():
            stored = store_vectors(self._conn, identity, passages, vectors)
            self._vectors.forget()
        return stored

    def load_vectors(self, identity: str, dimensions: int) -> None:
        """Loads what a hybrid search with vectors of the embedder `identity` scans, ahead of the first."""
        with self._lock:
            self._vectors.load(self._conn, identity, dimensions)

    def _lexical(self, question: str, limit: int) -> list[sqlite3.Row]:
        terms = terms_of(question)
        if not terms or limit <= 0:
            return []
        try:
            with self._lock:
                found = self._conn.execute(_SEARCH, (HEADING_WEIGHT, match_expression(terms), limit))
                return found.fetchall()
        except sqlite3.Error as exc:  # terms are quoted and bound; this is a last line of defence
            log.warning("knowledge search failed: %s", exc)
            return []

    def _rows(self, rowids: list[int]) -> dict[int, sqlite3.Row]:
        marks = ",".join("?" * len(rowids))
        with self._lock:
            found = self._conn.execute(f"SELECT {_COLUMNS} FROM passages WHERE rowid IN ({marks})", rowids)
            return {row["rowid"]: row for row in found}


def _hit(row: sqlite3.Row, score: float) -> Hit:
    return Hit(row["name"], int(row["position"]), row["text"], score, row["heading"], row["page"])


def _indexed(text: str) -> tuple[str, str | None]:
    """(what the index reads, the text as shown where that differs)."""
    indexed = indexed_text(text)
    return indexed, (text if indexed != text else None)


def _rows_of(document: int) -> tuple[int, int]:
    """The first and last rowid the passages of a document may have."""
    return document * ROWS_PER_DOCUMENT, (document + 1) * ROWS_PER_DOCUMENT - 1


def _changed(path: Path, known: tuple[int, int, str] | None) -> bool:
    try:
        stat = path.stat()
    except OSError:
        return True  # vanished since it was listed: reading it says so
    return known is None or known[:2] != (stat.st_mtime_ns, stat.st_size)
