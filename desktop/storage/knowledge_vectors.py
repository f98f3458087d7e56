"""Vectors of the passages' texts beside the FTS5 table, their scan, and the fusion of the two rankings.

A vector belongs to a text, not to a passage: `text_vectors` is keyed by the embedder's identity (such
as `openai:text-embedding-3-small`, which service and model made it), the dimensions and a hash of
the text the embedder read (the heading above the passage, then the passage). `passage_texts` holds
each passage's hash, written in the same transaction as the passage, and the scan joins the two by
hash. So a text shared by two passages is embedded once, a passage that only moved (a paragraph
inserted above it, its file renamed or moved) keeps its vector, and a vector whose text was edited
away is never scanned: no passage has its hash any more. Such orphans are pruned at the end of each
sync, not while it runs (a file renamed is dropped before its new name is read), and the newest of them
are kept, as many as there are passages: an edit undone, or a switch to another folder and back, embeds
nothing again, and the file stays under about twice what the scan reads.
Each vector is a float32 BLOB (`array('f')` in the machine's byte order: the index is a local cache
that can always be rebuilt).

The scan needs no numpy: every vector also keeps its SimHash sign bits (`knowledge_signs.py`, a Python
int in memory); the passages nearest to a question by Hamming distance are the candidates, and only
those are ranked by the exact dot product (the vectors are normalised: it is the cosine). A full exact
scan in pure Python is far too slow at tens of thousands of passages (docs/measurements.md).

The vector ranking and the bm25 ranking meet by reciprocal rank fusion (`fused`); only passages whose
similarity stands out from the candidates' enter it (`standing_out`). When no passage has the question's
words there is nothing to fuse with: the nearest passages above the candidates' mean are the answer.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import operator
import sqlite3
from array import array
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from desktop.storage.knowledge_signs import nearest_by_hamming, sign_bits

RRF_K = 60  # the usual constant of reciprocal rank fusion
MIN_CANDIDATES = 1000  # passages picked by sign bits, at least, before the exact ranking
CANDIDATES_PER_RESULT = 50
# A passage enters the vector ranking only when its similarity lies this many standard deviations above
# the mean of the candidates' (a z-score: the same whatever the embedder's scale and offset of cosines).
# On a small folder every passage is a candidate, and reciprocal rank fusion (flat at k = 60) would
# otherwise let a far passage that the words rank first beat the passage the meaning ranks first.
NEAR_Z = 1.5
# Without a bm25 ranking (no passage has the question's words) that flatness does not matter and the z cut
# is not made: a passage enters if its similarity (a cosine) lies this much above the candidates' mean.
# Measured (docs/measurements.md): no z bar tells a question about nothing from the issue's own question
# on the sample folder, and a gap in cosine depends on the embedder's scale; so only the mean, for now.
ALONE_GAP = 0.0
_SQL_CHUNK = 500  # bound parameters per statement, well under SQLite's limit

Key = TypeVar("Key", bound=Hashable)


class Cut(Protocol):
    """Which of the (similarity, rowid) candidates enter the vector ranking, best first, at most `count`;
    `alone`: there is no bm25 ranking to fuse with. The app's is `standing_out`; the benchmarks try others."""

    def __call__(self, scored: Sequence[tuple[float, int]], count: int, *, alone: bool) -> list[int]: ...


def v3_text_vectors(conn: sqlite3.Connection) -> None:
    """The hash of each passage's text, and the vectors of texts (none yet: made after the next sync)."""
    conn.execute("CREATE TABLE passage_texts (rowid INTEGER PRIMARY KEY, text_hash TEXT NOT NULL)")
    conn.execute("CREATE INDEX passage_texts_by_hash ON passage_texts (text_hash)")
    conn.execute(  # a rowid table: a vector of 1 KB would spill out of an index page (WITHOUT ROWID)
        "CREATE TABLE text_vectors (id INTEGER PRIMARY KEY, embedder TEXT NOT NULL,"
        " dimensions INTEGER NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL, signs BLOB NOT NULL,"
        " UNIQUE (embedder, dimensions, text_hash))"
    )
    conn.execute("CREATE INDEX text_vectors_by_hash ON text_vectors (text_hash)")
    conn.executemany(
        "INSERT INTO passage_texts (rowid, text_hash) VALUES (?, ?)",
        [(rowid, text_hash(embedding_text(heading, text))) for rowid, heading, text in conn.execute(
            "SELECT rowid, coalesce(shown_heading, heading), coalesce(shown_text, text) FROM passages")],
    )


@dataclass(frozen=True, slots=True)
class PassageToEmbed:
    text: str  # what the embedder reads: the heading above the passage, then the passage
    text_hash: str


def embedding_text(heading: str | None, text: str) -> str:
    return f"{heading}\n{text}" if heading else text


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def passages_to_embed(conn: sqlite3.Connection, identity: str, dimensions: int) -> list[PassageToEmbed]:
    """The distinct texts of the passages that have no vector of the embedder `identity` at `dimensions`."""
    found = conn.execute(
        "SELECT t.text_hash, coalesce(p.shown_heading, p.heading), coalesce(p.shown_text, p.text)"
        " FROM passage_texts t JOIN passages p ON p.rowid = t.rowid WHERE NOT EXISTS (SELECT 1"
        " FROM text_vectors v WHERE v.embedder = ? AND v.dimensions = ? AND v.text_hash = t.text_hash)"
        " ORDER BY t.rowid", (identity, dimensions),
    )
    wanted = {digest: embedding_text(heading, text) for digest, heading, text in found if digest}
    return [PassageToEmbed(text, digest) for digest, text in wanted.items()]


def embedded_passages(conn: sqlite3.Connection, identity: str, dimensions: int) -> int:
    """How many passages have a vector of the embedder `identity` at `dimensions` for their present text."""
    return int(conn.execute(
        "SELECT count(*) FROM passage_texts t JOIN text_vectors v ON v.text_hash = t.text_hash"
        " AND v.embedder = ? AND v.dimensions = ?", (identity, dimensions),
    ).fetchone()[0])


def store_vectors(conn: sqlite3.Connection, identity: str, passages: Sequence[PassageToEmbed],
                  vectors: Sequence[Sequence[float]]) -> int:
    """Stores one batch; a text that no passage has any more (edited meanwhile) is skipped. Returns how
    many were stored."""
    if len(passages) != len(vectors):
        raise ValueError("one vector per passage expected")
    rows = []
    for passage, vector in zip(passages, vectors, strict=True):
        if conn.execute("SELECT 1 FROM passage_texts WHERE text_hash = ? LIMIT 1",
                        (passage.text_hash,)).fetchone() is None:
            continue
        floats = array("f", vector)
        rows.append((identity, len(floats), passage.text_hash, floats.tobytes(), sign_bits(floats)))
    conn.executemany(
        "INSERT OR REPLACE INTO text_vectors (embedder, dimensions, text_hash, vector, signs)"
        " VALUES (?, ?, ?, ?, ?)", rows,
    )
    return len(rows)


def record_texts(conn: sqlite3.Connection, passages: Iterable[tuple[int, str | None, str]]) -> None:
    """Records the text hash of each (rowid, heading, text) passage just inserted."""
    conn.executemany(
        "INSERT OR REPLACE INTO passage_texts (rowid, text_hash) VALUES (?, ?)",
        [(rowid, text_hash(embedding_text(heading, text))) for rowid, heading, text in passages],
    )


def forget_texts(conn: sqlite3.Connection, first: int, last: int) -> None:
    """Forgets the text hashes of the passages between rowids `first` and `last` (their vectors stay
    until `prune_orphans`, at the end of the sync: a file renamed or moved keeps them)."""
    conn.execute("DELETE FROM passage_texts WHERE rowid BETWEEN ? AND ?", (first, last))


def prune_orphans(conn: sqlite3.Connection, keep: int) -> int:
    """Drops the vectors (of every embedder identity) whose text no passage has, but for the `keep` newest of
    them; returns how many were dropped."""
    return conn.execute(
        "DELETE FROM text_vectors WHERE id IN (SELECT v.id FROM text_vectors v WHERE NOT EXISTS"
        " (SELECT 1 FROM passage_texts t WHERE t.text_hash = v.text_hash) ORDER BY v.id DESC"
        " LIMIT -1 OFFSET ?)", (max(0, keep),),
    ).rowcount


class VectorScan:
    """The sign bits of the passages' vectors of one embedder identity, held in memory between searches;
    `forget` after a write."""

    def __init__(self) -> None:
        self._loaded: tuple[str, int] | None = None
        self._rowids: list[int] = []  # the passages'
        self._vector_ids: list[int] = []  # the ids of their vectors in `text_vectors`
        self._signs: list[int] = []

    def forget(self) -> None:
        self._loaded = None
        self._rowids, self._vector_ids, self._signs = [], [], []

    def scored(self, conn: sqlite3.Connection, identity: str, question: Sequence[float],
               count: int) -> list[tuple[float, int]]:
        """(similarity, rowid) of the candidates for the `count` passages nearest to the (normalised)
        question vector: those nearest by sign bits, their similarity exact (for a `Cut`)."""
        query = list(question)  # a list multiplies faster than an array in `_similarities`
        self.load(conn, identity, len(query))
        wanted = max(MIN_CANDIDATES, count * CANDIDATES_PER_RESULT)
        chosen = nearest_by_hamming(self._signs, int.from_bytes(sign_bits(query)), wanted)
        similarity = _similarities(conn, query, {self._vector_ids[i] for i in chosen})
        return [(similarity[self._vector_ids[i]], self._rowids[i]) for i in chosen
                if self._vector_ids[i] in similarity]

    def load(self, conn: sqlite3.Connection, identity: str, dimensions: int) -> None:
        if self._loaded == (identity, dimensions):
            return
        found = conn.execute(
            "SELECT t.rowid, v.id, v.signs FROM passage_texts t JOIN text_vectors v"
            " ON v.text_hash = t.text_hash AND v.embedder = ? AND v.dimensions = ?", (identity, dimensions),
        ).fetchall()
        self._rowids = [row[0] for row in found]
        self._vector_ids = [row[1] for row in found]
        self._signs = [int.from_bytes(row[2]) for row in found]
        self._loaded = (identity, dimensions)


def _similarities(conn: sqlite3.Connection, query: list[float], vector_ids: set[int]) -> dict[int, float]:
    """The exact dot product of the question with each of the vectors `vector_ids`."""
    wanted, similarity = sorted(vector_ids), {}
    for start in range(0, len(wanted), _SQL_CHUNK):
        chunk = wanted[start:start + _SQL_CHUNK]
        for vector_id, blob in conn.execute(
            f"SELECT id, vector FROM text_vectors WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ):
            similarity[vector_id] = sum(map(operator.mul, array("f", blob), query))
    return similarity


def standing_out(scored: Sequence[tuple[float, Key]], count: int, z: float = NEAR_Z, *,
                 alone: bool = False, gap: float = ALONE_GAP) -> list[Key]:
    """The keys of the best `count` of (similarity, key) whose similarity is at least `z` standard
    deviations above the mean of all `scored`, best first. Of n values none can lie more than
    sqrt(n - 1) deviations above their mean: on a folder of a few passages, the bar is that instead.
    `alone`: this ranking is the only one (no passage has the question's words), so the z cut, which only
    corrects the flatness of fusing two rankings, is not made: the best `count` at least `gap` above the
    mean enter."""
    if len(scored) < 2:
        return [key for _, key in scored[:count]]
    mean = math.fsum(similarity for similarity, _ in scored) / len(scored)
    spread = math.sqrt(math.fsum((similarity - mean) ** 2 for similarity, _ in scored) / len(scored))
    if spread == 0:
        return []  # nothing stands out
    if alone:
        bar = mean + max(gap, 1e-9 * spread)
    else:
        bar = mean + spread * min(z, math.sqrt(len(scored) - 1)) - 1e-9 * spread
    return [key for similarity, key in heapq.nlargest(count, scored, key=operator.itemgetter(0))
            if similarity >= bar]


def fused(rankings: Sequence[Sequence[Key]], k: int = RRF_K) -> list[tuple[Key, float]]:
    """Reciprocal rank fusion: each key scores sum(1 / (k + rank)) over the rankings it is in (rank 1
    first); best first, ties in the order the keys were first seen."""
    scores: dict[Key, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])
