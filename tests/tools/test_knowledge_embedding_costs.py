"""What the embeddings may cost: a big backlog waits for the person's go-ahead (with its count and
estimate shown first), a failing service is left alone for a growing wait, and the embedders' HTTP
sessions are closed when replaced or when the knowledge base closes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.worker import StoreWorker
from desktop.tools import knowledge_embeddings
from desktop.tools.backoff import Backoff
from desktop.tools.knowledge import KnowledgeBase
from tests.tools.fake_embedder import Clock, FakeEmbedder
from tests.tools.knowledge_calls import ask

PARAPHRASE = "what is the reservation policy"


@pytest.fixture
def ask_above_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """A backlog of two passages counts as big (the real threshold is 2000)."""
    monkeypatch.setattr(knowledge_embeddings, "ASK_ABOVE_PASSAGES", 1)


@pytest.mark.usefixtures("ask_above_one")
async def test_a_big_backlog_waits_for_the_go_ahead(index: KnowledgeIndex, worker: StoreWorker,
                                                   folder: Path) -> None:
    embedder = FakeEmbedder()
    base = KnowledgeBase(index, worker, folder, embedder=embedder)
    await base.refresh()
    assert embedder.requests == 0
    assert (base.mode.mode, base.mode.reason) == ("lexical", "awaiting_approval")
    status = await base.status()
    assert status.needs_approval and status.model == "fake-embedding"
    assert (status.passages, status.embedded, status.texts_to_embed) == (2, 0, 2)
    assert status.tokens_to_embed > 0 and status.estimated_cost > 0
    _, output, _ = await ask(base, "booking rules")  # the words answer meanwhile; nothing is embedded
    assert output["status"] == "done" and embedder.requests == 0
    base.approve_embedding()
    await base.refresh()
    assert len(embedder.embedded) == 2
    status = await base.status()
    assert not status.needs_approval and (status.embedded, status.texts_to_embed) == (2, 0)
    _, _, sources = await ask(base, PARAPHRASE)
    assert sources[0] == "booking.md" and base.mode.mode == "hybrid"
    # Caught up: the approval is spent; a later big backlog asks again.
    (folder / "limits.md").write_text("# Limits\n\nA meeting lasts at most four hours.\n", encoding="utf-8")
    (folder / "rules.md").write_text("# House rules\n\nNo food in the rooms.\n", encoding="utf-8")
    asked = embedder.requests
    await base.refresh()
    assert base.mode.reason == "awaiting_approval" and embedder.requests == asked
    assert (await base.status()).texts_to_embed == 2
    await base.close()


async def test_a_small_backlog_is_embedded_without_asking(index: KnowledgeIndex, worker: StoreWorker,
                                                         folder: Path) -> None:
    embedder = FakeEmbedder()
    base = KnowledgeBase(index, worker, folder, embedder=embedder)
    await base.refresh()
    assert len(embedder.embedded) == 2 and base.mode.mode == "hybrid"
    assert not (await base.status()).needs_approval


async def test_a_restart_asks_again_with_what_is_left(index: KnowledgeIndex, worker: StoreWorker,
                                                      folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await KnowledgeBase(index, worker, folder, embedder=FakeEmbedder()).refresh()  # two embedded
    for n in range(3):
        (folder / f"more{n}.md").write_text(f"# More {n}\n\nPassage number {n}.\n", encoding="utf-8")
    monkeypatch.setattr(knowledge_embeddings, "ASK_ABOVE_PASSAGES", 2)
    restarted = KnowledgeBase(index, worker, folder, embedder=FakeEmbedder())
    await restarted.refresh()
    status = await restarted.status()
    assert status.needs_approval and (status.passages, status.embedded, status.texts_to_embed) == (5, 2, 3)


@pytest.mark.usefixtures("ask_above_one")
async def test_the_go_ahead_wakes_the_watcher(index: KnowledgeIndex, worker: StoreWorker,
                                              folder: Path) -> None:
    embedder, embedded = FakeEmbedder(), asyncio.Event()
    base = KnowledgeBase(index, worker, folder, embedder=embedder, poll_seconds=3600)
    base.observe_progress(lambda p: embedded.set() if p.stage == "embeddings" and p.ended else None)
    await base.refresh()
    assert base.mode.reason == "awaiting_approval"
    base.start()  # the watcher's next sync would be in an hour
    base.approve_embedding()
    async with asyncio.timeout(20):
        await embedded.wait()
    assert len(embedder.embedded) == 2
    await base.close()


async def test_a_failing_service_is_left_alone_for_a_growing_wait(index: KnowledgeIndex, worker: StoreWorker,
                                                                  folder: Path) -> None:
    embedder, clock = FakeEmbedder(fail=True), Clock()
    base = KnowledgeBase(index, worker, folder, embedder=embedder, clock=clock)
    await base.refresh()  # the catch-up fails: 30 s without a request
    assert embedder.requests == 1 and base.mode.reason == "embeddings_failed"
    await ask(base, "booking rules")
    await base.refresh()
    clock.advance(29)
    await ask(base, "booking rules")
    assert embedder.requests == 1
    clock.advance(1)
    await ask(base, "booking rules")  # the question tries, fails: now 60 s
    assert embedder.requests == 2
    clock.advance(59)
    await base.refresh()
    await ask(base, "booking rules")
    assert embedder.requests == 2
    clock.advance(1)
    embedder.fail = False
    await base.refresh()  # the catch-up succeeds: no wait any more
    assert embedder.requests == 3 and base.mode.mode == "hybrid"
    embedder.fail = True
    await ask(base, "booking rules")  # fails again: the wait starts over at 30 s
    clock.advance(30)
    await ask(base, "booking rules")
    assert embedder.requests == 5


def test_the_wait_doubles_up_to_ten_minutes_and_a_success_ends_it() -> None:
    clock = Clock()
    backoff = Backoff(clock=clock)
    assert backoff.ready()
    waits = []
    for _ in range(7):
        backoff.failed()
        waits.append(backoff.wait)
        assert not backoff.ready()
        clock.advance(backoff.wait)
        assert backoff.ready()
    assert waits == [30, 60, 120, 240, 480, 600, 600]
    backoff.failed()
    backoff.succeeded()
    assert backoff.ready() and backoff.wait == 0


def test_failures_of_one_outage_double_the_wait_once_and_retry_after_is_waited() -> None:
    clock = Clock()
    backoff = Backoff(clock=clock)
    backoff.failed()
    clock.advance(5)
    backoff.failed()  # a request in flight with the first: the same outage
    assert backoff.wait == 25
    backoff.failed(at_least=90)  # the service asked for 90 s
    assert backoff.wait == 90
    clock.advance(90)
    assert backoff.ready()
    backoff.failed()  # after the wait: the next outage doubles
    assert backoff.wait == 60
    backoff.failed(at_least=10)  # a shorter Retry-After does not shorten the wait
    assert backoff.wait == 60


async def test_embedders_are_closed_when_replaced_and_at_the_end(index: KnowledgeIndex, worker: StoreWorker,
                                                                folder: Path) -> None:
    first, second = FakeEmbedder(), FakeEmbedder()
    base = KnowledgeBase(index, worker, folder, embedder=first)
    await base.refresh()
    base.set_embedder(second)
    await base.refresh()
    assert first.closed and not second.closed
    assert len(second.embedded) == 0  # the same identity: nothing embedded again
    base.set_embedder(None, reason="no_deployment")
    assert (base.mode.mode, base.mode.reason) == ("lexical", "no_deployment")
    third = FakeEmbedder()
    base.set_embedder(third)
    await base.close()
    assert second.closed and third.closed


def _as_each_batch_goes(embedder: FakeEmbedder, action: Callable[[], None]) -> None:
    """Runs `action` as each batch is asked of `embedder`, the batch then answered."""
    original = embedder.embed

    async def embed(texts: list[str]) -> list[list[float]]:
        action()
        return await original(texts)

    embedder.embed = embed  # type: ignore[method-assign]


async def test_a_replaced_embedder_stops_its_catch_up(index: KnowledgeIndex, worker: StoreWorker,
                                                     folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings swapped the embedder mid-backlog: the old one's next batch is not asked for."""
    monkeypatch.setattr(knowledge_embeddings, "EMBED_BATCH", 1)
    old, new = FakeEmbedder(), FakeEmbedder(model="another-model")
    base = KnowledgeBase(index, worker, folder, embedder=old)
    _as_each_batch_goes(old, lambda: base.set_embedder(new))
    await base.refresh()
    await base.refresh()
    assert old.requests == 1 and old.closed
    assert len(new.embedded) == 2 and base.mode.mode == "hybrid"
    await base.close()


@pytest.mark.usefixtures("ask_above_one")
async def test_a_renamed_file_is_not_embedded_again_nor_asked_about(index: KnowledgeIndex,
                                                                    worker: StoreWorker,
                                                                    folder: Path) -> None:
    """Renaming a file drops it before its new name is read: its passages keep their vectors (the
    vectors no passage has are pruned only at the end of the sync), and no go-ahead is asked again."""
    embedder = FakeEmbedder()
    base = KnowledgeBase(index, worker, folder, embedder=embedder)
    await base.refresh()
    assert (base.mode.mode, base.mode.reason) == ("lexical", "awaiting_approval")
    base.approve_embedding()
    await base.refresh()
    assert len(embedder.embedded) == 2 and base.mode.mode == "hybrid"
    (folder / "booking.md").rename(folder / "booking rules.md")
    await base.refresh()
    assert len(embedder.embedded) == 2 and base.mode.mode == "hybrid"
    _, _, sources = await ask(base, PARAPHRASE)
    assert sources[0] == "booking rules.md"


async def test_another_folder_stops_the_catch_up(index: KnowledgeIndex, worker: StoreWorker, folder: Path,
                                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The person picked another folder mid-backlog: no further batch of the old one is asked for, and
    the next sync reads the new folder and embeds its passages."""
    monkeypatch.setattr(knowledge_embeddings, "EMBED_BATCH", 1)
    other = tmp_path / "other"
    other.mkdir()
    (other / "parking.md").write_text("# Parking\n\nThe garage opens at seven.\n", encoding="utf-8")
    embedder = FakeEmbedder()
    base = KnowledgeBase(index, worker, folder, embedder=embedder)
    _as_each_batch_goes(embedder, lambda: base.set_folder(other))
    await base.refresh()
    assert embedder.requests == 1
    await base.refresh()
    assert embedder.requests == 2 and "garage" in embedder.embedded[-1]
    assert (await base.status()).embedded == 1


async def test_only_a_failure_is_logged_as_a_warning(index: KnowledgeIndex, worker: StoreWorker, folder: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="desktop.tools.knowledge_embeddings")
    embedder = FakeEmbedder()
    base = KnowledgeBase(index, worker, folder, embedder=embedder)
    await base.refresh()
    base.set_embedder(None, reason="no_deployment")  # a routine change: hybrid, then lexical
    base.set_embedder(embedder)
    embedder.fail = True
    await ask(base, PARAPHRASE)
    changes = [(r.levelno, r.getMessage()) for r in caplog.records
               if "knowledge search is now" in r.getMessage()]
    assert [level for level, _ in changes] == [logging.INFO, logging.INFO, logging.WARNING]
    assert "embeddings_failed" in changes[-1][1]
