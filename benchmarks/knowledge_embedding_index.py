"""`python -m benchmarks.knowledge_embedding_index`: the time to index a folder with embeddings, per
1,000 passages, against the demo server (issue 19), beside the same folder indexed for words only.

The folder is the knowledge benchmark's generated English one (benchmarks/knowledge_corpus.py). Both
runs are the app's path: a `KnowledgeBase` on its own `StoreWorker` thread and SQLite file, timed from
the first `refresh` to the last passage stored. With embeddings, its `EmbeddingsClient` talks HTTP to
an in-process demo server (desktop/demo/concepts.py's stand-in vectors, not a model), so the figure
is the app's own cost (batches, HTTP, storing the vectors) plus the demo's, never a real service's
latency. A big folder waits for the person's go-ahead: the benchmark gives it when asked, as "Embed now"
does, and the time runs on.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, print_rows
from benchmarks.knowledge_corpus import write_folder
from desktop.demo.concepts import embedding
from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.embeddings import embeddings_client_for
from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.worker import StoreWorker
from desktop.tools.knowledge import KnowledgeBase
from desktop.tools.ports import Embedder

PASSAGES = 5_000  # above the backlog that waits for the go-ahead: "Embed now" is part of it


async def _index_seconds(folder: Path, database: Path, embedder: Embedder | None) -> tuple[float, int]:
    """Seconds to index `folder` from scratch (and embed it, with `embedder`), and the passages."""
    worker = StoreWorker("knowledge-bench")
    index = KnowledgeIndex(database)
    base = KnowledgeBase(index, worker, folder, embedder=embedder)
    try:
        started = time.perf_counter()
        await base.refresh()
        status = await base.status()
        if status.needs_approval:  # a big folder: the go-ahead, as "Embed now" gives it
            base.approve_embedding()
            await base.refresh()
            status = await base.status()
        seconds = time.perf_counter() - started
        if embedder is not None and (status.mode.mode != "hybrid" or status.embedded < status.passages):
            raise RuntimeError(f"not every passage was embedded: {status}")
        return seconds, await worker.run(index.passage_count)
    finally:
        await base.close()
        await worker.run(index.close)
        worker.close()


def _demo_vector_seconds(database: Path, dimensions: int) -> float:
    """What of the time with embeddings is the demo server's stand-in model: its vectors for every
    passage of `database`, computed here without HTTP."""
    index = KnowledgeIndex(database)
    try:
        texts = [passage.text for passage in index.passages_to_embed("not-embedded", dimensions)]
    finally:
        index.close()
    started = time.perf_counter()
    for text in texts:
        embedding(text, dimensions)
    return time.perf_counter() - started


async def measure(passages: int = PASSAGES) -> tuple[int, float, float, float]:
    """The passages indexed, and the seconds per 1,000 passages for words only, with embeddings, and of
    those the demo server's own vectors."""
    server = DemoServer()
    await server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="knowledge-embedding-index-") as scratch:
            folder = Path(scratch) / "docs"
            write_folder(folder, passages)
            lexical, count = await _index_seconds(folder, Path(scratch) / "lexical.sqlite3", None)
            config = SessionConfig(provider=ProviderKind.DEMO, endpoint=server.base_url)
            embedder = embeddings_client_for(config)
            assert embedder is not None
            hybrid, _ = await _index_seconds(folder, Path(scratch) / "hybrid.sqlite3", embedder)
            demo = _demo_vector_seconds(Path(scratch) / "lexical.sqlite3", embedder.dimensions)
    finally:
        await server.stop()
    return count, lexical * 1000 / count, hybrid * 1000 / count, demo * 1000 / count


def figures(passages: int = PASSAGES) -> list[Figure]:
    """The row of `python -m benchmarks.knowledge`: index time per 1,000 passages, with embeddings."""
    count, lexical, hybrid, demo = asyncio.run(measure(passages))
    return [
        Figure(f"knowledge: index a folder with embeddings (demo server), per 1,000 passages ({count:,} "
               "English passages; words only / with embeddings)",
               f"{lexical:.2f} s / {hybrid:.2f} s (of which the demo's stand-in vectors {demo:.2f} s)")
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=PASSAGES)
    print_rows(figures(parser.parse_args(argv).passages))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
