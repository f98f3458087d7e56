"""`python -m benchmarks.knowledge`: the knowledge index on generated folders of 5,000 and 50,000 passages
in English and in Chinese (benchmarks/knowledge_corpus.py, the same folders every run): the time to
index a folder from scratch per 1,000 passages, and the search time (median and 95th percentile) of
questions whose words are all common, with how many of them found their answer passage first.
Then the paraphrase set's top-1 accuracy, lexical and hybrid (benchmarks/knowledge_paraphrases.py), the
time to index a folder with embeddings against the demo server (benchmarks/knowledge_embedding_index.py),
and at 50,000 passages the hybrid search rows (benchmarks/knowledge_hybrid.py).
`python -m benchmarks --only knowledge` gives the same figures as rows of the README's table.

Indexing is `KnowledgeIndex.sync` on one thread (reading the Markdown files, cutting passages, writing
FTS5), as the app's knowledge worker runs it; searching is `KnowledgeIndex.search` as the tool calls it,
after one untimed round (which counts the answers found first) that warms SQLite's page cache.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import knowledge_embedding_index, knowledge_hybrid, knowledge_paraphrases
from benchmarks.figures import Figure, percentiles, print_rows
from benchmarks.knowledge_corpus import CHINESE, ENGLISH, Language, Question, write_folder
from desktop.storage.knowledge_index import KnowledgeIndex

SIZES = (5_000, 50_000)
ROUNDS = 10  # timed rounds over the twenty questions
TARGET_PASSAGES = 50_000  # the size the target is for: printed on that row only
SEARCH_TARGET = "< 30 ms median at 50,000"


@dataclass(frozen=True, slots=True)
class Measured:
    language: str
    passages: int
    index_seconds: float
    searches: list[float]  # seconds each
    first: int  # questions whose answer passage came first
    questions: int

    @property
    def per_thousand(self) -> float:
        return self.index_seconds * 1000 / self.passages


def measure(passages: int, language: Language = ENGLISH, rounds: int = ROUNDS) -> Measured:
    with tempfile.TemporaryDirectory(prefix="knowledge-bench-") as scratch:
        folder = Path(scratch) / "docs"
        questions = write_folder(folder, passages, language=language)
        index = KnowledgeIndex(Path(scratch) / "knowledge.sqlite3")
        try:
            started = time.perf_counter()
            index.sync(folder)
            index_seconds = time.perf_counter() - started
            first = sum(_answered_first(index, question) for question in questions)
            searches = []
            for _ in range(rounds):
                for question in questions:
                    started = time.perf_counter()
                    index.search(question.text)
                    searches.append(time.perf_counter() - started)
        finally:
            index.close()
    name = "Chinese" if language is CHINESE else "English"
    return Measured(name, passages, index_seconds, searches, first, len(questions))


def _answered_first(index: KnowledgeIndex, question: Question) -> bool:
    hits = index.search(question.text)
    return bool(hits) and question.answered_by(hits[0].text)


def figures(sizes: tuple[int, ...] = SIZES, rounds: int = ROUNDS) -> list[Figure]:
    measured = [measure(size, language, rounds) for language in (ENGLISH, CHINESE) for size in sizes]
    rows = []
    for language in ("English", "Chinese"):
        mine = [m for m in measured if m.language == language]
        rows.append(
            Figure(
                f"knowledge: index a folder, per 1,000 passages ({language}; "
                + " / ".join(f"{m.passages:,}" for m in mine) + " passages)",
                " / ".join(f"{m.per_thousand:.2f} s" for m in mine),
            )
        )
    for m in measured:
        median, p95 = percentiles(m.searches)
        rows.append(
            Figure(
                f"knowledge: search, {m.passages:,} {m.language} passages of common words (median, p95)",
                f"{median * 1000:.1f} ms (p95 {p95 * 1000:.1f} ms); answer first {m.first} / {m.questions}",
                SEARCH_TARGET if m.passages == TARGET_PASSAGES else "",
            )
        )
    rows += knowledge_paraphrases.figures()
    rows += knowledge_embedding_index.figures()
    if TARGET_PASSAGES in sizes:
        rows += knowledge_hybrid.figures(TARGET_PASSAGES)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.knowledge", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="passages per folder")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="timed rounds over the questions")
    args = parser.parse_args(argv)
    print_rows(figures(tuple(args.sizes), args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
