"""queryKnowledgeBase with an embedder: hybrid search, passages embedded once, the lexical fallback."""

from __future__ import annotations

import asyncio
from pathlib import Path

from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.worker import StoreWorker
from desktop.tools.knowledge import KnowledgeBase
from tests.tools.fake_embedder import Clock, FakeEmbedder
from tests.tools.knowledge_calls import ask

PARAPHRASE = "what is the reservation policy"


async def test_hybrid_finds_a_paraphrase_the_words_miss(index: KnowledgeIndex, worker: StoreWorker,
                                                       folder: Path) -> None:
    lexical = KnowledgeBase(index, worker, folder)
    _, output, _ = await ask(lexical, PARAPHRASE)
    assert output["status"] == "no_results"
    assert lexical.mode.mode == "lexical" and lexical.mode.reason == "not_configured"
    hybrid = KnowledgeBase(index, worker, folder, embedder=FakeEmbedder())
    status, output, sources = await ask(hybrid, PARAPHRASE)
    assert (status, output["status"]) == ("done", "done")
    assert sources[0] == "booking.md"
    assert output["passages"][0]["heading"] == "Booking rules"
    assert hybrid.mode.mode == "hybrid"


async def test_passages_are_embedded_once(index: KnowledgeIndex, worker: StoreWorker, folder: Path) -> None:
    embedder = FakeEmbedder()
    base = KnowledgeBase(index, worker, folder, embedder=embedder)
    await base.refresh()
    first = len(embedder.embedded)
    assert first == 2
    await base.refresh()
    (folder / "rooms.md").touch()  # a new mtime, the same text
    await base.refresh()
    assert len(embedder.embedded) == first
    (folder / "rooms.md").write_text("# Rooms\n\nThe large room seats twenty.\n", encoding="utf-8")
    await base.refresh()
    assert embedder.embedded[first:] == ["Rooms\nThe large room seats twenty."]


async def test_a_new_model_embeds_everything_again(index: KnowledgeIndex, worker: StoreWorker,
                                                  folder: Path) -> None:
    await KnowledgeBase(index, worker, folder, embedder=FakeEmbedder()).refresh()
    other = FakeEmbedder(model="another-model")
    await KnowledgeBase(index, worker, folder, embedder=other).refresh()
    assert len(other.embedded) == 2


async def test_progress_counts_the_passages_embedded(index: KnowledgeIndex, worker: StoreWorker,
                                                    folder: Path) -> None:
    base = KnowledgeBase(index, worker, folder, embedder=FakeEmbedder())
    heard = []
    base.observe_progress(heard.append)
    await base.refresh()
    embedding = [(p.done, p.total, p.ended) for p in heard if p.stage == "embeddings"]
    assert embedding == [(0, 2, False), (2, 2, True)]


async def test_an_embeddings_error_falls_back_to_words(index: KnowledgeIndex, worker: StoreWorker,
                                                      folder: Path) -> None:
    embedder, clock = FakeEmbedder(fail=True), Clock()
    base = KnowledgeBase(index, worker, folder, embedder=embedder, clock=clock)
    status, output, sources = await ask(base, "booking rules")
    assert (status, output["status"], sources[0]) == ("done", "done", "booking.md")
    assert base.mode.mode == "lexical"
    assert base.mode.reason == "embeddings_failed"
    assert "unreachable" in base.mode.detail
    embedder.fail = False  # the service is back: the next sync after the wait embeds, hybrid again
    clock.advance(30)
    await base.refresh()
    _, output, sources = await ask(base, PARAPHRASE)
    assert sources[0] == "booking.md"
    assert base.mode.mode == "hybrid"


async def test_vectors_of_the_wrong_size_fall_back(index: KnowledgeIndex, worker: StoreWorker,
                                                  folder: Path) -> None:
    embedder = FakeEmbedder()
    embedder.vector = lambda text: [1.0, 0.0, 0.0]  # type: ignore[method-assign]  # says 64, returns 3
    base = KnowledgeBase(index, worker, folder, embedder=embedder)
    _, output, _ = await ask(base, "booking rules")
    assert output["status"] == "done"
    assert (base.mode.reason, base.mode.code) == ("embeddings_failed", "embeddings_malformed")


async def test_two_syncs_at_once_embed_each_passage_once(index: KnowledgeIndex, worker: StoreWorker,
                                                        folder: Path) -> None:
    embedder = FakeEmbedder()
    base = KnowledgeBase(index, worker, folder, embedder=embedder)
    await asyncio.gather(base.refresh(), base.refresh())
    assert len(embedder.embedded) == 2
