"""`python -m benchmarks.knowledge_hybrid`: hybrid against lexical search at 50,000 passages (issue 19).

The folder is the knowledge benchmark's English one (benchmarks/knowledge_corpus.py). Every passage
gets a random unit vector of 256 dimensions, stored through `KnowledgeIndex.store_vectors` in batches
of 64 as the knowledge worker stores an embedder's; a question's vector is its answer passage's plus
noise, so the vector ranking has a right answer to find. Timed: storing the vectors (not the embedding
calls), the first hybrid search after a write (it loads the sign bits), the search time of both
kinds (median and 95th percentile, after an untimed round), and the index size on disk. The question's
own embedding call is not counted, as the issue's goal says.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, percentiles, print_rows
from benchmarks.knowledge_corpus import write_folder
from desktop.storage.knowledge_index import KnowledgeIndex

DIMENSIONS = 256
BATCH = 64
ROUNDS = 10
EMBEDDER = "benchmark:random"
HYBRID_TARGET = "< 20 ms more than lexical"


def _unit(rng: random.Random, dimensions: int = DIMENSIONS) -> list[float]:
    vector = [rng.random() - 0.5 for _ in range(dimensions)]
    norm = sum(x * x for x in vector) ** 0.5
    return [x / norm for x in vector]


def _near(rng: random.Random, vector: list[float], noise: float = 0.3) -> list[float]:
    moved = [x + noise * (rng.random() - 0.5) / DIMENSIONS**0.5 * 2 for x in vector]
    norm = sum(x * x for x in moved) ** 0.5
    return [x / norm for x in moved]


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def _ms(values: list[float]) -> str:
    p50, p95 = percentiles(values)
    return f"{p50 * 1000:.1f} ms median, {p95 * 1000:.1f} ms p95"


def figures(passages: int = 50_000) -> list[Figure]:
    """The rows of `python -m benchmarks.knowledge` for hybrid search at `passages` passages."""
    rng = random.Random(19)
    with tempfile.TemporaryDirectory(prefix="knowledge-hybrid-") as scratch:
        folder, database = Path(scratch) / "docs", Path(scratch) / "knowledge.sqlite3"
        questions = write_folder(folder, passages)
        index = KnowledgeIndex(database)
        try:
            index.sync(folder)
            lexical_size = _size(database)
            wanted = index.passages_to_embed(EMBEDDER, DIMENSIONS)
            vectors = [_unit(rng) for _ in wanted]
            started = time.perf_counter()
            for start in range(0, len(wanted), BATCH):
                index.store_vectors(EMBEDDER, wanted[start:start + BATCH], vectors[start:start + BATCH])
            store_seconds = time.perf_counter() - started
            per_thousand = store_seconds * 1000 / len(wanted) * 1000
            rows = [
                Figure(f"knowledge hybrid: store vectors, per 1,000 passages ({len(wanted):,})",
                       f"{per_thousand:.0f} ms"),
                Figure(f"knowledge hybrid: index size, {len(wanted):,} passages (lexical / with vectors)",
                       f"{lexical_size / 1e6:.1f} MB / {_size(database) / 1e6:.1f} MB"),
            ]
            by_marker = {q.marker: q for q in questions}
            asked = []
            for passage, vector in zip(wanted, vectors, strict=True):
                for marker, question in by_marker.items():
                    if marker in passage.text:
                        asked.append((question, _near(rng, vector)))
            started = time.perf_counter()
            index.hybrid_search(asked[0][0].text, asked[0][1], EMBEDDER)
            first_ms = (time.perf_counter() - started) * 1000
            rows.append(Figure("knowledge hybrid: first search after a write (loads the sign bits)",
                               f"{first_ms:.0f} ms"))
            return rows + _compare(index, asked, len(wanted))
        finally:
            index.close()


def _compare(index: KnowledgeIndex, asked: list, passages: int) -> list[Figure]:
    lexical: list[float] = []
    hybrid: list[float] = []
    first = {"lexical": 0, "hybrid": 0}
    for question, vector in asked:  # untimed: warms the page cache, counts answers found first
        first["lexical"] += bool(hits := index.search(question.text)) and question.answered_by(hits[0].text)
        found = index.hybrid_search(question.text, vector, EMBEDDER)
        first["hybrid"] += bool(found) and question.answered_by(found[0].text)
    for _ in range(ROUNDS):
        for question, vector in asked:
            started = time.perf_counter()
            index.search(question.text)
            lexical.append(time.perf_counter() - started)
            started = time.perf_counter()
            index.hybrid_search(question.text, vector, EMBEDDER)
            hybrid.append(time.perf_counter() - started)
    return [
        Figure(f"knowledge: {kind} search, {passages:,} passages (median, p95)",
               f"{_ms(times)}; answer first {first[kind]} / {len(asked)}",
               HYBRID_TARGET if kind == "hybrid" else "")
        for kind, times in (("lexical", lexical), ("hybrid", hybrid))
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=50_000)
    print_rows(figures(parser.parse_args(argv).passages))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
