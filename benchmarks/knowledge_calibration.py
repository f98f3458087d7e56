"""`python -m benchmarks.knowledge_calibration`: which cut of the vector ranking to fuse, on real vectors too.

Hybrid search fuses the bm25 ranking with the passages nearest to the question; on a small folder every
passage is near in rank, so only those whose similarity stands out enter the fusion
(`knowledge_vectors.standing_out`; without a bm25 ranking, those above the candidates' mean). That cut
must hold for any embedder: the demo server's stand-in vectors put unrelated text near cosine 0, real
embeddings at 0.1-0.3 and related text at 0.4-0.7. This prints top-1 accuracy of the paraphrase set
(benchmarks/knowledge_paraphrases.py, the sample folder) for lexical search and for hybrid search under
each cut (handed to `KnowledgeIndex.hybrid_search`), and how many of a few questions about nothing in
the folder get passages at all, with the demo's vectors and with a real text-embedding model that runs
offline, `wordllama` (256 dimensions, weights in its wheel; the `calibrate` extra:
`pip install -e .[calibrate]`). Without wordllama it says so and exits 0.

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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.knowledge_paraphrases import PARAPHRASES
from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.embeddings import embeddings_client_for
from desktop.storage import clean_question, knowledge_vectors
from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.worker import StoreWorker
from desktop.tools.knowledge import KnowledgeBase
from desktop.tools.ports import Embedder

Cut = knowledge_vectors.Cut  # (scored, count, *, alone) -> the rowids kept
CHOSEN = knowledge_vectors.standing_out  # the app's cut


def share_of_best(share: float) -> Cut:
    """The first rule: at least `share` of the best similarity (and the best above 0)."""
    def cut(scored: Sequence[tuple[float, int]], count: int, *, alone: bool = False) -> list[int]:
        import heapq
        best = heapq.nlargest(count, scored, key=operator.itemgetter(0))
        if not best or best[0][0] <= 0:
            return []
        return [key for similarity, key in best if similarity >= best[0][0] * share]
    return cut


def z_score(z: float, alone_z: float | None = None) -> Cut:
    """`standing_out` at `z`; without a bm25 ranking, the app's floor (the mean) or else `alone_z` too."""
    def cut(scored: Sequence[tuple[float, int]], count: int, *, alone: bool = False) -> list[int]:
        if alone and alone_z is not None:
            return CHOSEN(scored, count, alone_z)
        return CHOSEN(scored, count, z, alone=alone)
    return cut


def above_mean_by(gap: float) -> Cut:
    """The app's cut; without a bm25 ranking, passages at least `gap` (in cosine) above the mean."""
    def cut(scored: Sequence[tuple[float, int]], count: int, *, alone: bool = False) -> list[int]:
        return CHOSEN(scored, count, alone=alone, gap=gap)
    return cut


def robust_z(z: float) -> Cut:
    """Median and median absolute deviation (scaled to a normal's deviation) instead of mean and deviation."""
    def cut(scored: Sequence[tuple[float, int]], count: int, *, alone: bool = False) -> list[int]:
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


def no_cut(scored: Sequence[tuple[float, int]], count: int, *, alone: bool = False) -> list[int]:
    import heapq
    return [key for _, key in heapq.nlargest(count, scored, key=operator.itemgetter(0))]


APPS = " (the app's; without words: above the mean)"
CUTS: dict[str, Cut] = {
    "none (plain RRF)": no_cut,
    "share of best 0.5 (old)": share_of_best(0.5),
    **{f"z >= {z}" + (APPS if z == knowledge_vectors.NEAR_Z else ""): z_score(z)
       for z in (1.0, 1.5, 2.0, 2.5, 3.0)},
    **{f"z >= 1.5, without words z >= {alone}" + (" (before)" if alone == 1.5 else ""): z_score(1.5, alone)
       for alone in (0.5, 1.0, 1.5)},
    **{f"z >= 1.5, without words {gap} above the mean" + (" (the app's)" if gap == knowledge_vectors.ALONE_GAP
                                                           else ""): above_mean_by(gap)
       for gap in (0.1, 0.2, 0.25, 0.3)},
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
OFF_TOPIC = ("what's the weather in Berlin tomorrow", "怎么做红烧肉", "who won the football match last night",
             "推荐一部好看的电影", "how tall is Mount Everest", "今天股市怎么样", "tell me a joke",
             "猫为什么喜欢纸箱", "what is the capital of Australia", "明天会下雨吗")
Found = tuple[int, int, int]  # English and Chinese questions whose page came first; off-topic answered


def per_cut(count: Callable[[bool, Cut], Any]) -> dict[str, Any]:
    """The rows under lexical: the vectors alone (no words, no cut), then hybrid under each of CUTS;
    `count(words, cut)` counts what the questions found, asked with their words or without."""
    return {"vectors alone": count(False, no_cut),
            **{f"hybrid, cut: {name}": count(True, cut) for name, cut in CUTS.items()}}


async def accuracy_per_cut(data: Path, embedder: Embedder) -> dict[str, Found]:
    """Top-1 hits of the paraphrase set and off-topic questions answered: lexical, the vectors alone,
    then hybrid under each of CUTS (each question asked as the tool asks: `clean_question`, 4 passages)."""
    worker = StoreWorker("calibration")
    index = KnowledgeIndex(data / f"{embedder.model.replace(':', '-')}.sqlite3")
    try:
        await KnowledgeBase(index, worker, embedder=embedder).refresh()
        groups = [[clean_question(p.question) for p in group] for group in (ENGLISH, CHINESE)]
        groups.append([clean_question(question) for question in OFF_TOPIC])
        vectors = [await embedder.embed(group) for group in groups]
        pages = [[p.page for p in group] for group in (ENGLISH, CHINESE)]

        def count(words: bool, cut: Cut | None) -> Found:
            firsts = []
            for number, (questions, asked) in enumerate(zip(groups, vectors, strict=True)):
                hits = [index.search(question) if cut is None else
                        index.hybrid_search(question if words else "", vector, embedder.identity, cut=cut)
                        for question, vector in zip(questions, asked, strict=True)]
                if number < 2:
                    firsts.append(sum(bool(h) and h[0].name == page
                                      for h, page in zip(hits, pages[number], strict=True)))
                else:
                    firsts.append(sum(bool(h) for h in hits))
            return firsts[0], firsts[1], firsts[2]

        return {"lexical": count(True, None), **per_cut(count)}
    finally:
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
          " folder; the demo column is a plumbing test of the stand-in vectors); off-topic: of"
          f" {len(OFF_TOPIC)} questions about nothing in the folder, those given passages at all\n")
    print("| ranking | " + " | ".join(columns) + " |\n|---|" + "---|" * len(columns))
    for row in table[columns[0]]:
        cells = [f"{en + zh} ({en} + {zh}), off-topic {off}"
                 for en, zh, off in (table[column][row] for column in columns)]
        print(f"| {row} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
