"""`python -m benchmarks.knowledge_real`: hybrid search on real text with real vectors, at scale.

The folder: docstrings of the Python standard library and the installed packages (real English text,
offline), each a `##` section headed by its qualified name, its summary (first paragraph) taken out. A
summary is a question; its docstring's section the answer. The vectors: `wordllama` (256 dimensions, offline;
the `calibrate` extra). Printed:
- recall at 10 of the candidate stage (the passages nearest by Hamming distance) against an exact scan,
  with plain sign bits and with the rotated ones (SimHash), on these vectors and on random vectors of
  unequal variance per dimension;
- search time, lexical and hybrid (the question's embedding not counted);
- top-1 accuracy: lexical, the vectors alone, and hybrid under each cut of benchmarks.knowledge_calibration.
The summary line often shares words with its docstring, which favours the lexical search; the table
compares the cuts with each other more than hybrid with lexical. Without wordllama it says so, exits 0.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import logging
import random
import re
import sys
import sysconfig
import tempfile
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.figures import percentiles
from desktop.storage.knowledge_index import Hit, KnowledgeIndex
from desktop.storage.knowledge_signs import nearest_by_hamming, sign_bits

DOCS_PER_FILE = 25
QUESTIONS = 200
ROUNDS = 3
SEED = 19


@dataclass(frozen=True, slots=True)
class Docstring:
    name: str  # module.qualified.name: the section's heading
    summary: str  # its first paragraph (one sentence, mostly): the question
    body: str  # the rest: the answer


def docstrings(passages: int) -> list[Docstring]:
    """Docstrings of the standard library, then of site-packages, until about `passages` passages."""
    found: dict[str, Docstring] = {}
    estimate = 0
    for path in _sources():
        for docstring in _of_file(path):
            if docstring.summary not in found:
                found[docstring.summary] = docstring
                estimate += 1 + max(0, len(docstring.body) - 400) // 320  # passages overlap by 80
        if estimate >= passages:
            break
    return list(found.values())


def _sources() -> Iterator[Path]:
    for key in ("stdlib", "purelib"):
        yield from sorted(Path(sysconfig.get_paths()[key]).rglob("*.py"))


def _of_file(path: Path) -> Iterator[Docstring]:
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, OSError):
        return
    module = path.stem
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            text = ast.get_docstring(node) or ""
            first, _, body = text.partition("\n\n")
            summary = " ".join(first.split())
            body = "\n".join(line for line in body.splitlines()
                             if not re.match(r"\s*(#|```|[=\-~^*]{3,}\s*$)", line)).strip()
            if 5 <= len(summary.split()) <= 40 and 80 <= len(body) <= 3000:
                name = getattr(node, "name", "")
                yield Docstring(f"{module}.{name}" if name else module, summary, body)


def write_folder(folder: Path, docs: list[Docstring]) -> None:
    folder.mkdir(parents=True)
    for start in range(0, len(docs), DOCS_PER_FILE):
        text = "".join(f"## {d.name}\n\n{d.body}\n\n" for d in docs[start:start + DOCS_PER_FILE])
        (folder / f"docs{start // DOCS_PER_FILE:05}.md").write_text(text, encoding="utf-8")


def _embedder() -> Any:
    import wordllama
    from wordllama import WordLlama
    return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)


def _unit_rows(matrix: Any) -> Any:
    import numpy as np
    return (matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def recall_at_10(vectors: Any, queries: Any, rotated: list[int],
                 rotated_queries: list[int]) -> dict[str, float]:
    """Recall at 10 of the candidates against the exact top 10, for plain and rotated sign bits."""
    import numpy as np
    plain = [int.from_bytes(np.packbits(row > 0).tobytes()) for row in vectors]
    plain_queries = [int.from_bytes(np.packbits(row > 0).tobytes()) for row in queries]
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    recall = {}
    for name, signs, asked in (("plain", plain, plain_queries), ("rotated", rotated, rotated_queries)):
        for count in (200, 1000, 2000):
            kept = sum(len(set(best.tolist()) & set(nearest_by_hamming(signs, bits, count)))
                       for best, bits in zip(exact, asked, strict=True))
            recall[f"{name} sign bits, {count} candidates"] = kept / exact.size
    return recall


def _signs(vectors: Any) -> list[int]:
    from desktop.storage.knowledge_signs import sign_bits
    return [int.from_bytes(sign_bits(row.tolist())) for row in vectors]


def unequal_variance_recall(count: int, dimensions: int = 256) -> dict[str, float]:
    """Random vectors whose dimension i has deviation 1 / (1 + i) ** 0.75; questions near 50 of them."""
    import numpy as np
    rng = np.random.default_rng(SEED)
    scales = 1.0 / (1.0 + np.arange(dimensions)) ** 0.75
    vectors = _unit_rows(rng.normal(size=(count, dimensions)) * scales)
    picked = rng.choice(count, 50, replace=False)
    queries = _unit_rows(vectors[picked] + rng.normal(size=(50, dimensions)) * scales * 0.05)
    return recall_at_10(vectors, queries, _signs(vectors), _signs(queries))


Asked = list[tuple[Docstring, list[float]]]  # a question (its summary line) and its vector


def _timed(index: KnowledgeIndex, asked: Asked, embedder: str) -> dict[str, str]:
    times: dict[str, list[float]] = {"lexical": [], "hybrid": []}
    for _ in range(ROUNDS):
        for doc, vector in asked:
            started = time.perf_counter()
            index.search(doc.summary)
            times["lexical"].append(time.perf_counter() - started)
            started = time.perf_counter()
            index.hybrid_search(doc.summary, vector, embedder)
            times["hybrid"].append(time.perf_counter() - started)
    return {kind: "{:.1f} ms median, {:.1f} ms p95".format(*(1000 * t for t in percentiles(values)))
            for kind, values in times.items()}


def top1(index: KnowledgeIndex, asked: Asked, identity: str) -> dict[str, int]:
    from benchmarks.knowledge_calibration import Cut, per_cut

    def first(hits: list[Hit], doc: Docstring) -> bool:
        return bool(hits) and hits[0].heading == doc.name

    def count(words: bool, cut: Cut) -> int:
        return sum(first(index.hybrid_search(d.summary if words else "", v, identity, 1, cut=cut), d)
                   for d, v in asked)

    return {"lexical": sum(first(index.search(d.summary, 1), d) for d, _ in asked), **per_cut(count)}


def run(passages: int) -> None:
    model, embedder = _embedder(), "wordllama:l2_supercat-256"
    docs = docstrings(passages)
    with tempfile.TemporaryDirectory(prefix="knowledge-real-") as scratch:
        write_folder(Path(scratch) / "docs", docs)
        index = KnowledgeIndex(Path(scratch) / "knowledge.sqlite3")
        try:
            index.sync(Path(scratch) / "docs")
            wanted = index.passages_to_embed(embedder, 256)
            vectors = _unit_rows(model.embed([p.text for p in wanted]))
            for start in range(0, len(wanted), 512):
                index.store_vectors(embedder, wanted[start:start + 512], vectors[start:start + 512].tolist())
            print(f"{index.passage_count():,} passages ({len(wanted):,} distinct texts),"
                  f" {len(docs):,} docstrings")
            asked_docs = random.Random(SEED).sample(docs, QUESTIONS)
            asked_vectors = _unit_rows(model.embed([d.summary for d in asked_docs]))
            asked = list(zip(asked_docs, asked_vectors.tolist(), strict=True))
            _report(index, embedder, vectors, asked, asked_vectors)
        finally:
            index.close()


def _report(index: KnowledgeIndex, embedder: str, vectors: Any, asked: Asked,
            asked_vectors: Any) -> None:
    # the rotated sign bits the scan uses, as `store_vectors` makes them from the same float32 vectors
    rotated = [int.from_bytes(sign_bits(array("f", vector))) for vector in vectors.tolist()]
    real = recall_at_10(vectors, asked_vectors, rotated, _signs(asked_vectors))
    synthetic = unequal_variance_recall(len(vectors))
    print("\n| candidate stage, recall at 10 | wordllama docstrings | unequal variance (random) |")
    print("|---|---|---|")
    for row in real:
        print(f"| {row} | {real[row]:.3f} | {synthetic[row]:.3f} |")
    print(f"\n| search, {len(asked)} summaries | time |\n|---|---|")
    for kind, took in _timed(index, asked, embedder).items():
        print(f"| {kind} | {took} |")
    print(f"\n| top-1, of {len(asked)} summaries | found |\n|---|---|")
    for row, found in top1(index, asked, embedder).items():
        print(f"| {row} | {found} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=50_000)
    if importlib.util.find_spec("wordllama") is None:
        print("wordllama is not installed (pip install -e .[calibrate]): no real vectors to measure with.")
        return 0
    logging.disable(logging.INFO)
    sys.setrecursionlimit(10_000)  # ast.walk of the deepest standard-library modules
    run(parser.parse_args(argv).passages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
