"""Passage vectors beside the FTS5 table, their scan, and the fusion of the two rankings.

Each passage's vector is a float32 BLOB (`array('f')` in the machine's byte order: the index is a
local cache that can always be rebuilt) in `passage_vectors`, keyed by the passage's rowid, with the
model and dimensions that made it and a hash of the text it was made from (heading and passage). A
passage is embedded again only when that text or the model changes (`passages_to_embed`).

The scan needs no numpy: every vector also keeps its sign bits (one bit per dimension, a Python int
in memory), a question's nearest passages by Hamming distance (`int.bit_count`) are the candidates,
and only those are ranked by the exact dot product (the vectors are normalised: it is the cosine).
A full exact scan in pure Python is far too slow at tens of thousands of passages.

The vector ranking and the bm25 ranking meet by reciprocal rank fusion (`fused`).
"""

from __future__ import annotations

import hashlib
import heapq
import operator
import sqlite3
from array import array
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

RRF_K = 60  # the usual constant of reciprocal rank fusion
MIN_CANDIDATES = 200  # passages picked by sign bits, at least, before the exact ranking
CANDIDATES_PER_RESULT = 10
# A passage is near the question when its similarity is at least this share of the best passage's: on a
# small folder every passage is among the nearest 20, and reciprocal rank fusion (flat at k = 60) would
# otherwise let a far passage that the words rank first beat the passage the meaning ranks first.
NEAR_SHARE = 0.5

Key = TypeVar("Key", bound=Hashable)


def v3_passage_vectors(conn: sqlite3.Connection) -> None:
    """The vectors of the passages (none yet: they are made after the next sync)."""
    conn.execute(
        "CREATE TABLE passage_vectors (rowid INTEGER PRIMARY KEY, model TEXT NOT NULL,"
        " dimensions INTEGER NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL, signs BLOB NOT NULL)"
    )


@dataclass(frozen=True, slots=True)
class PassageToEmbed:
    rowid: int
    text: str  # what the embedder reads: the heading above the passage, then the passage
    text_hash: str


def embedding_text(heading: str | None, text: str) -> str:
    return f"{heading}\n{text}" if heading else text


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def passages_to_embed(conn: sqlite3.Connection, model: str, dimensions: int) -> list[PassageToEmbed]:
    """The passages without a vector of `model` at `dimensions` for their present text."""
    stored = {
        row[0]: (row[1], row[2], row[3])
        for row in conn.execute("SELECT rowid, model, dimensions, text_hash FROM passage_vectors")
    }
    wanted = []
    for rowid, heading, text in conn.execute(
        "SELECT rowid, coalesce(shown_heading, heading), coalesce(shown_text, text) FROM passages"
    ):
        shown = embedding_text(heading, text)
        digest = text_hash(shown)
        if stored.get(rowid) != (model, dimensions, digest):
            wanted.append(PassageToEmbed(rowid, shown, digest))
    return wanted


def store_vectors(conn: sqlite3.Connection, model: str, passages: Sequence[PassageToEmbed],
                  vectors: Sequence[Sequence[float]]) -> int:
    """Stores one batch; a passage dropped or replaced meanwhile is skipped (the next sync asks again).
    Returns how many were stored."""
    if len(passages) != len(vectors):
        raise ValueError("one vector per passage expected")
    rows = []
    for passage, vector in zip(passages, vectors, strict=True):
        found = conn.execute(
            "SELECT coalesce(shown_heading, heading), coalesce(shown_text, text) FROM passages"
            " WHERE rowid = ?", (passage.rowid,),
        ).fetchone()
        if found is None or text_hash(embedding_text(found[0], found[1])) != passage.text_hash:
            continue
        floats = array("f", vector)
        rows.append((passage.rowid, model, len(floats), passage.text_hash, floats.tobytes(),
                     _sign_bytes(floats)))
    conn.executemany(
        "INSERT OR REPLACE INTO passage_vectors (rowid, model, dimensions, text_hash, vector, signs)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def drop_vectors_without_passage(conn: sqlite3.Connection, first: int, last: int) -> None:
    """Drops the vectors between rowids `first` and `last` whose passage is gone."""
    conn.execute(
        "DELETE FROM passage_vectors WHERE rowid BETWEEN ? AND ?"
        " AND rowid NOT IN (SELECT rowid FROM passages WHERE rowid BETWEEN ? AND ?)",
        (first, last, first, last),
    )


class VectorScan:
    """The sign bits of one model's vectors, held in memory between searches; `forget` after a write."""

    def __init__(self) -> None:
        self._loaded: tuple[str, int] | None = None
        self._rowids: list[int] = []
        self._signs: list[int] = []

    def forget(self) -> None:
        self._loaded = None
        self._rowids, self._signs = [], []

    def nearest(self, conn: sqlite3.Connection, model: str, question: Sequence[float],
                count: int) -> list[int]:
        """The rowids of the `count` passages nearest to the (normalised) question vector, nearest first,
        leaving out those less than NEAR_SHARE as similar as the nearest."""
        query = array("f", question)
        self.load(conn, model, len(query))
        wanted = max(MIN_CANDIDATES, count * CANDIDATES_PER_RESULT)
        candidates = self._candidates(int.from_bytes(_sign_bytes(query)), wanted)
        scored = []
        for start in range(0, len(candidates), 500):  # SQLite's bound-parameter limit
            chunk = candidates[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for rowid, blob in conn.execute(
                f"SELECT rowid, vector FROM passage_vectors WHERE rowid IN ({marks})", chunk
            ):
                scored.append((sum(map(operator.mul, array("f", blob), query)), rowid))
        best = heapq.nlargest(count, scored)
        if not best or best[0][0] <= 0:
            return []  # nothing points the question's way
        return [rowid for similarity, rowid in best if similarity >= best[0][0] * NEAR_SHARE]

    def load(self, conn: sqlite3.Connection, model: str, dimensions: int) -> None:
        if self._loaded == (model, dimensions):
            return
        found = conn.execute(
            "SELECT rowid, signs FROM passage_vectors WHERE model = ? AND dimensions = ?", (model, dimensions)
        ).fetchall()
        self._rowids = [row[0] for row in found]
        self._signs = [int.from_bytes(row[1]) for row in found]
        self._loaded = (model, dimensions)

    def _candidates(self, query_signs: int, count: int) -> list[int]:
        if len(self._rowids) <= count:
            return list(self._rowids)
        distances = [(signs ^ query_signs).bit_count() for signs in self._signs]
        per_distance = [0] * (max(distances) + 1)
        for distance in distances:
            per_distance[distance] += 1
        taken, cut = 0, 0
        while taken < count:  # the smallest distance that lets `count` candidates in
            taken += per_distance[cut]
            cut += 1
        return [rowid for rowid, distance in zip(self._rowids, distances, strict=True) if distance < cut]


def fused(rankings: Sequence[Sequence[Key]], k: int = RRF_K) -> list[tuple[Key, float]]:
    """Reciprocal rank fusion: each key scores sum(1 / (k + rank)) over the rankings it is in (rank 1
    first); best first, ties in the order the keys were first seen."""
    scores: dict[Key, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def _sign_bytes(vector: array[float]) -> bytes:
    bits = 0
    for value in vector:
        bits = (bits << 1) | (value > 0)
    return bits.to_bytes((len(vector) + 7) // 8)
