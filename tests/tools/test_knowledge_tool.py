"""queryKnowledgeBase through the registry, on the bundled sample folder."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.storage.knowledge_index import KnowledgeIndex
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
