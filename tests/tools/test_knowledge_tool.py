"""queryKnowledgeBase through the registry, on the bundled sample folder."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.knowledge_sync import FileToRead, IndexProgress
from desktop.storage.paths import resource
from desktop.storage.worker import StoreWorker
from desktop.tools.knowledge import KnowledgeBase
from desktop.tools.ports import ToolCall
from desktop.tools.registry import ToolRegistry


@pytest.fixture
def knowledge(tmp_path: Path) -> Iterator[tuple[KnowledgeBase, ToolRegistry]]:
    index = KnowledgeIndex(tmp_path / "knowledge.sqlite3")
    worker = StoreWorker("test-knowledge")
    base = KnowledgeBase(index, worker, poll_seconds=0.05)
    yield base, ToolRegistry([base.tool()])
    worker.close()
    index.close()


async def ask(registry: ToolRegistry, question: object, call_id: str = "q") -> tuple[str, dict, tuple]:
    arguments = json.dumps({"question": question})
    result = await registry.execute(ToolCall(call_id, "queryKnowledgeBase", arguments))
    return result.status, json.loads(result.output), result.sources


Knowledge = tuple[KnowledgeBase, ToolRegistry]


async def test_the_default_folder_answers_out_of_the_box(knowledge: Knowledge) -> None:
    base, registry = knowledge
    assert base.folder == resource("knowledge")
    status, body, sources = await ask(registry, "会议录音保存多久？", "zh")
    assert status == "done" and sources[0] == "recording.md"
    assert body["passages"][0]["source"] == "recording.md" and "90" in body["passages"][0]["text"]
    assert body["sources"] == list(sources)
    status, body, sources = await ask(registry, "What is the cancellation policy?", "en")
    assert sources[0] == "cancellation.md"
    status, body, sources = await ask(registry, "quantum chromodynamics", "none")
    assert status == "done" and body["status"] == "no_results" and sources == ()


async def test_the_watcher_picks_up_a_new_folder_and_new_files(
    knowledge: Knowledge, tmp_path: Path
) -> None:
    base, registry = knowledge
    folder = tmp_path / "mine"
    shutil.copytree(resource("knowledge"), folder)
    base.set_folder(folder)
    base.start()
    (folder / "parking.md").write_text("访客停车：地下二层 B 区，免费三小时。")
    for attempt in range(200):  # the poller runs every 50 ms; allow a few seconds on a slow machine
        _, _, sources = await ask(registry, "访客停车", f"p{attempt}")
        if sources and sources[0] == "parking.md":
            break
        await asyncio.sleep(0.02)
    assert sources[0] == "parking.md"
    await base.close()


async def test_a_newly_picked_folder_is_indexed_at_once_not_at_the_next_poll(tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path / "knowledge.sqlite3")
    worker = StoreWorker("test-knowledge")
    base = KnowledgeBase(index, worker, poll_seconds=3600)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "parking.md").write_text("访客停车：地下二层 B 区，免费三小时。")

    async def indexed(names: list[str]) -> None:
        async with asyncio.timeout(10):
            while not set(names) <= set(await worker.run(index.document_names)):  # noqa: ASYNC110
                await asyncio.sleep(0.02)

    base.start()
    await indexed(["recording.md"])  # the sample folder, at start
    base.set_folder(folder)
    await indexed(["parking.md"])  # no question asked: the watcher woke up for the new folder
    assert await worker.run(index.document_names) == ["parking.md"]
    await base.close()
    worker.close()
    index.close()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.text(max_size=200),
    st.sampled_from(['', '"', '""', 'NEAR(会议 录音)', 'a AND OR NOT b', '*', '(((', ')', 'meeting*',
                     '"unbalanced', '会', '^room', 'col:value', '\x00', '\ud800\udfff', ' ' * 50]),
    st.integers(), st.none(), st.lists(st.text(max_size=5), max_size=3),
))
def test_hostile_questions_never_raise(knowledge: Knowledge, question: object) -> None:
    _, registry = knowledge
    status, body, _ = asyncio.run(ask(registry, question, f"h{hash(repr(question))}"))
    if isinstance(question, str):
        assert status == "done" and body["status"] in ("done", "no_results")
    else:
        assert status == "failed" and body["status"] == "invalid_arguments"


async def test_the_answer_cites_file_page_and_heading(tmp_path: Path) -> None:
    from tests.storage.pdf_bytes import pdf_pages

    folder = tmp_path / "docs"
    folder.mkdir()
    manual = pdf_pages("Welcome.", "The guest wifi password is printed on the whiteboard.",
                       bookmarks=(("Network access", 1),))
    (folder / "manual.pdf").write_bytes(manual)
    (folder / "parking.md").write_text("# Parking\n\nVisitors park in garage B, level 2.\n")
    index = KnowledgeIndex(tmp_path / "knowledge.sqlite3")
    worker = StoreWorker("test-knowledge")
    registry = ToolRegistry([KnowledgeBase(index, worker, folder).tool()])
    _, body, sources = await ask(registry, "What is the wifi password?")
    assert sources[0] == "manual.pdf"
    first = body["passages"][0]
    assert (first["source"], first["page"], first["heading"]) == ("manual.pdf", 2, "Network access")
    assert first["cite"] == "manual.pdf, p. 2, Network access"
    _, body, _ = await ask(registry, "where do visitors park", "park")
    assert body["passages"][0]["cite"] == "parking.md, Parking" and "page" not in body["passages"][0]
    worker.close()
    index.close()


async def test_progress_is_heard_in_order_and_a_question_is_answered_between_two_files(
    tmp_path: Path,
) -> None:
    """The second file's reading is held up: a question asked meanwhile is answered as soon as that
    file is done, before the third is read, from what is indexed, and says that indexing goes on."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in (("a.md", "Visitors park in garage B."), ("b.md", "Lunch is served at noon."),
                       ("c.md", "The kitchen closes at six.")):
        (folder / name).write_text(text)
    index = KnowledgeIndex(tmp_path / "knowledge.sqlite3")
    worker = StoreWorker("test-knowledge")
    base = KnowledgeBase(index, worker, folder, wait_seconds=0)
    heard: list[IndexProgress] = []
    base.observe_progress(heard.append)
    reading_b, release = threading.Event(), threading.Event()
    read_file = index.index_file

    def held_up(item: FileToRead) -> str:
        if item.name == "b.md":
            reading_b.set()
            release.wait(10)
        return read_file(item)

    index.index_file = held_up  # type: ignore[method-assign]
    base.start()
    async with asyncio.timeout(10):
        while not reading_b.is_set():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    registry = ToolRegistry([base.tool()])
    question = asyncio.create_task(ask(registry, "When does the kitchen close?"))
    async with asyncio.timeout(10):
        while worker._pool._work_queue.qsize() == 0:  # noqa: ASYNC110 (the search waits behind b.md)
            await asyncio.sleep(0.01)
    release.set()
    _, body, sources = await question
    assert sources == () and body["status"] == "no_results"  # c.md was not read yet
    assert body["indexing"]["total"] == 3 and body["indexing"]["done"] < 3
    assert "still being indexed" in body["message"]
    async with asyncio.timeout(10):
        while not heard[-1].ended:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    assert heard == [IndexProgress(0, 3, "a.md"), IndexProgress(1, 3, "b.md"),
                     IndexProgress(2, 3, "c.md"), IndexProgress(3, 3, "", ended=True)]
    _, body, sources = await ask(registry, "When does the kitchen close?", "after")
    assert sources == ("c.md",) and "indexing" not in body
    await base.close()
    worker.close()
    index.close()
