"""`python -m benchmarks.knowledge_calibration`: which cut of the vector ranking to fuse, on real vectors too.

Hybrid search fuses the bm25 ranking with the passages nearest to the question; on a small folder every
passage is near in rank, so only those whose similarity stands out enter the fusion
(`knowledge_vectors.standing_out`). That cut must hold for any embedder: the demo server's stand-in
vectors put unrelated text near cosine 0, real embeddings at 0.1-0.3 and related text at 0.4-0.7.
This prints top-1 accuracy of the paraphrase set (benchmarks/knowledge_paraphrases.py, the sample
folder) for lexical search and for hybrid search under each cut, with the demo's vectors and with a
real text-embedding model that runs offline, `wordllama` (256 dimensions, weights in its wheel; the
`calibrate` extra: `pip install -e .[calibrate]`). Without wordllama it says so and exits 0.

The paraphrase set is a plumbing test of the demo's vectors: its questions were written with the
stand-in's table in view, so the demo figures say the pipeline works, not how good retrieval is.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import math
import operator
import statistics
import tempfile
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.knowledge_paraphrases import PARAPHRASES, top1
from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.embeddings import embeddings_client_for
from desktop.storage import knowledge_vectors
from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.worker import StoreWorker
from desktop.tools.knowledge import KnowledgeBase
from desktop.tools.ports import Embedder

Cut = Callable[..., list[Hashable]]  # (scored, count, *, alone) -> the keys kept, as `standing_out`
CHOSEN = knowledge_vectors.standing_out  # the app's cut; the table swaps others in for a moment


def share_of_best(share: float) -> Cut:
    """The first rule: at least `share` of the best similarity (and the best above 0)."""
    def cut(scored: Sequence[tuple[float, Hashable]], count: int, *, alone: bool = False) -> list[Hashable]:
        import heapq
        best = heapq.nlargest(count, scored, key=operator.itemgetter(0))
        if not best or best[0][0] <= 0:
            return []
        return [key for similarity, key in best if similarity >= best[0][0] * share]
    return cut


def z_score(z: float) -> Cut:
    def cut(scored: Sequence[tuple[float, Hashable]], count: int, *, alone: bool = False) -> list[Hashable]:
        return CHOSEN(scored, count, z, alone=alone)
    return cut


def robust_z(z: float) -> Cut:
    """Median and median absolute deviation (scaled to a normal's deviation) instead of mean and deviation."""
    def cut(scored: Sequence[tuple[float, Hashable]], count: int, *, alone: bool = False) -> list[Hashable]:
        import heapq
        values = [similarity for similarity, _ in scored]
        if len(values) < 3:
            return CHOSEN(scored, count, z, alone=alone)
        middle = statistics.median(values)
        spread = 1.4826 * statistics.median(abs(v - middle) for v in values)
        if spread == 0:
            return []
        best = heapq.nlargest(count, scored, key=operator.itemgetter(0))
        return [key for similarity, key in best if (similarity - middle) / spread >= z]
    return cut


def no_cut(scored: Sequence[tuple[float, Hashable]], count: int, *, alone: bool = False) -> list[Hashable]:
    import heapq
    return [key for _, key in heapq.nlargest(count, scored, key=operator.itemgetter(0))]


CUTS: dict[str, Cut] = {
    "none (plain RRF)": no_cut,
    "share of best 0.5 (old)": share_of_best(0.5),
    **{f"z >= {z}" + (" (the app's)" if z == knowledge_vectors.NEAR_Z else ""): z_score(z)
       for z in (1.0, 1.5, 2.0, 2.5, 3.0)},
    **{f"robust z >= {z}": robust_z(z) for z in (2.0, 3.0, 4.0)},
}


class WordLlamaEmbedder:
    """wordllama as an `Embedder`: real 256-dimension text embeddings, offline, normalised here."""

    dimensions = 256

    def __init__(self) -> None:
        import wordllama
        from wordllama import WordLlama
        package = Path(wordllama.__file__).parent  # the wheel's own weights and tokenizer
        self._model: Any = WordLlama.load(cache_dir=package, disable_download=True)
        self.model = "wordllama:l2_supercat-256"
        self.identity = self.model

    async def embed(self, texts: list[str]) -> list[list[float]]:
        return [_normalised(list(map(float, row))) for row in self._model.embed(texts)]

    async def close(self) -> None:
        return None


def _normalised(vector: list[float]) -> list[float]:
    norm = math.sqrt(math.fsum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


ENGLISH = tuple(p for p in PARAPHRASES if p.question.isascii())
CHINESE = tuple(p for p in PARAPHRASES if not p.question.isascii())
Found = tuple[int, int]  # (English, Chinese) questions whose page came first


async def _found(base: KnowledgeBase) -> Found:
    return (await top1(base, ENGLISH)).found_first, (await top1(base, CHINESE)).found_first


async def _vectors_alone(index: KnowledgeIndex, embedder: Embedder) -> Found:
    """The questions whose page holds the passage nearest to the question's vector (no words, no cut)."""
    found = [0, 0]
    for number, questions in enumerate((ENGLISH, CHINESE)):
        vectors = await embedder.embed([p.question for p in questions])
        for paraphrase, vector in zip(questions, vectors, strict=True):
            hits = index.hybrid_search("", vector, embedder.identity, limit=1)  # no terms: vectors only
            found[number] += bool(hits) and hits[0].name == paraphrase.page
    return found[0], found[1]


async def accuracy_per_cut(data: Path, embedder: Embedder) -> dict[str, Found]:
    """Top-1 hits of the paraphrase set: lexical, the vectors alone, then hybrid under each of CUTS."""
    worker = StoreWorker("calibration")
    index = KnowledgeIndex(data / f"{embedder.model.replace(':', '-')}.sqlite3")
    try:
        found = {"lexical": await _found(KnowledgeBase(index, worker))}
        hybrid = KnowledgeBase(index, worker, embedder=embedder)
        await hybrid.refresh()
        knowledge_vectors.standing_out = no_cut  # type: ignore[assignment]  # the scan looks it up per call
        found["vectors alone"] = await _vectors_alone(index, embedder)
        for name, cut in CUTS.items():
            knowledge_vectors.standing_out = cut  # type: ignore[assignment]
            found[f"hybrid, cut: {name}"] = await _found(hybrid)
        return found
    finally:
        knowledge_vectors.standing_out = CHOSEN
        await embedder.close()
        await worker.run(index.close)
        worker.close()


async def _table() -> dict[str, dict[str, Found]]:
    server = DemoServer()
    await server.start()
    try:
        demo = embeddings_client_for(SessionConfig(provider=ProviderKind.DEMO, endpoint=server.base_url))
        assert demo is not None  # the demo provider always has its embeddings
        with tempfile.TemporaryDirectory(prefix="knowledge-calibration-") as scratch:
            return {"demo vectors": await accuracy_per_cut(Path(scratch), demo),
                    "wordllama": await accuracy_per_cut(Path(scratch), WordLlamaEmbedder())}
    finally:
        await server.stop()


def main() -> int:
    if importlib.util.find_spec("wordllama") is None:
        print("wordllama is not installed (pip install -e .[calibrate]): nothing to calibrate against.")
        return 0
    logging.disable(logging.INFO)
    table = asyncio.run(_table())
    columns = list(table)
    print(f"Paraphrases answered first: English of {len(ENGLISH)} + Chinese of {len(CHINESE)} (sample"
          " folder; the demo column is a plumbing test of the stand-in vectors)\n")
    print("| ranking | " + " | ".join(columns) + " |\n|---|" + "---|" * len(columns))
    for row in table[columns[0]]:
        cells = [f"{sum(table[c][row])} ({table[c][row][0]} + {table[c][row][1]})" for c in columns]
        print(f"| {row} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
