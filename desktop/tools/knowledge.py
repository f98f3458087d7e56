"""queryKnowledgeBase: answers from the person's document folder (the bundled sample by default).

The folder is indexed on a storage worker in the background and re-checked on an interval, so
edits show up without a restart and no search ever waits on the GUI thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from desktop.storage import KnowledgeIndex, StoreWorker, SyncReport, clean_question, resource
from desktop.tools.registry import Outcome, Tool

log = logging.getLogger(__name__)

PASSAGES_PER_ANSWER = 4

QUERY_KNOWLEDGE_BASE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "question": {"type": "string", "description": "客户的问题，尽量保留原话中的关键词"},
    },
    "required": ["question"],
    "additionalProperties": False,
}
DESCRIPTION = ("查询内部知识库（会议服务的使用说明、会议室、限制、录音、时区、取消规定等），"
               "返回最相关的段落和出处文件名；回答时请说明出自哪份文档。")


def default_folder() -> Path:
    return resource("knowledge")


class KnowledgeBase:
    def __init__(self, index: KnowledgeIndex, worker: StoreWorker, folder: Path | None = None,
                 *, poll_seconds: float = 30.0) -> None:
        self._index = index
        self._worker = worker
        self._folder = folder or default_folder()
        self._poll_seconds = poll_seconds
        self._synced = asyncio.Event()
        self._sync_lock = asyncio.Lock()
        self._wake = asyncio.Event()  # a new folder: index it now, not at the next poll
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def folder(self) -> Path:
        return self._folder

    def tool(self) -> Tool:
        return Tool("queryKnowledgeBase", DESCRIPTION, QUERY_KNOWLEDGE_BASE, self.query)

    def start(self) -> None:
        """Index now, then poll the folder for changes until `close`."""
        task = asyncio.get_running_loop().create_task(self._poll())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def set_folder(self, folder: Path) -> None:
        """The person picked another folder: the next sync mirrors it (and drops the old one)."""
        self._folder = folder
        self._synced.clear()
        self._wake.set()

    async def refresh(self) -> SyncReport:
        async with self._sync_lock:  # one sync at a time; a second caller waits and re-checks
            folder = self._folder
            report = await self._worker.run(self._index.sync, folder)
        if folder == self._folder:  # not if the person picked another folder meanwhile
            self._synced.set()
        if report.added or report.updated or report.removed:
            log.info("knowledge index: %s", report)
        return report

    async def _poll(self) -> None:
        while True:
            self._wake.clear()  # before the sync: a folder picked during it wakes the next one
            try:
                await self.refresh()
            except Exception:  # a disk error now should not stop the next attempt
                log.exception("knowledge indexing failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_seconds):
                    await self._wake.wait()

    async def query(self, args: dict[str, Any], call_id: str) -> Outcome:
        question = clean_question(args["question"])
        if not self._synced.is_set():
            await self.refresh()
        hits = await self._worker.run(self._index.search, question, PASSAGES_PER_ANSWER)
        if not hits:
            return Outcome({"status": "no_results", "question": question, "passages": [],
                            "message": "The knowledge base has nothing on this. Say so instead of guessing."})
        sources = tuple(dict.fromkeys(hit.name for hit in hits))
        passages = [{"source": h.name, "passage": h.position, "text": h.text} for h in hits]
        return Outcome({"status": "done", "question": question, "passages": passages,
                        "sources": list(sources),
                        "message": "Answer from these passages and name the source document."},
                       sources=sources)
