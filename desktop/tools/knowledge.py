"""queryKnowledgeBase: answers from the person's document folder (the bundled sample by default).

The folder is indexed on a storage worker in the background and re-checked on an interval, so
edits show up without a restart and no search ever waits on the GUI thread. A sync runs one file per
worker job: a question asked while a big folder is being read is answered between two files, from
what is indexed so far (the answer says how far indexing has got), and observers hear the progress.

With an `Embedder` the search is hybrid (`knowledge_embeddings.py`): after each sync that changed
something, the passages without a vector are embedded in batches and stored (a backlog of more than
`ASK_ABOVE_PASSAGES` only after `approve_embedding`), and a question is embedded and its nearest
passages fused with the bm25 ranking. Without one (the app says why), while a big backlog waits, or
when the embeddings fail, the search is lexical, as before, and never an error to the model.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.storage import (
    Hit,
    IndexProgress,
    KnowledgeIndex,
    StoreWorker,
    SyncReport,
    SyncTally,
    clean_question,
    resource,
)
from desktop.tools.knowledge_embeddings import Embeddings
from desktop.tools.knowledge_status import FallbackReason, KnowledgeStatus, SearchMode
from desktop.tools.ports import Embedder
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
               "返回最相关的段落和出处（文件名、页码、所在标题）；回答时请说明出自哪份文档。")
SYNC_WAIT_SECONDS = 5.0  # how long a question waits for a running sync before it searches what is indexed


def default_folder() -> Path:
    return resource("knowledge")


def citation(hit: Hit) -> str:
    """Where a passage comes from, as the model should say it: "guide.pdf, p. 3, Rooms"."""
    page = f"p. {hit.page}" if hit.page is not None else ""
    return ", ".join(part for part in (hit.name, page, hit.heading) if part)


class KnowledgeBase:
    def __init__(self, index: KnowledgeIndex, worker: StoreWorker, folder: Path | None = None,
                 *, poll_seconds: float = 30.0, wait_seconds: float = SYNC_WAIT_SECONDS,
                 embedder: Embedder | None = None, reason: FallbackReason = "",
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`reason` says why there is no `embedder` (see `FallbackReason`); `clock` times the wait after an
        embeddings failure."""
        self._index = index
        self._worker = worker
        self._folder = folder or default_folder()
        self._poll_seconds = poll_seconds
        self._wait_seconds = wait_seconds
        self._synced = asyncio.Event()
        self._sync_lock = asyncio.Lock()
        self._wake = asyncio.Event()  # a new folder: index it now, not at the next poll
        self._tasks: set[asyncio.Task[Any]] = set()
        self._observers: list[Callable[[IndexProgress], None]] = []
        self._progress: IndexProgress | None = None  # the running sync's, when one reads files
        self._embeddings = Embeddings(index, worker, embedder, self._tell, reason=reason, clock=clock)

    @property
    def folder(self) -> Path:
        return self._folder

    @property
    def mode(self) -> SearchMode:
        """"hybrid" or "lexical", and why lexical (for Settings): `Embeddings.mode`."""
        return self._embeddings.mode

    async def status(self) -> KnowledgeStatus:
        """The mode, the model and the passages embedded, counted on the worker (for Settings)."""
        return await self._embeddings.status()

    def set_embedder(self, embedder: Embedder | None, *, reason: FallbackReason = "") -> None:
        """The settings changed the service, key or embeddings deployment: search with `embedder` (None:
        lexical, for `reason`) from now on, the old one closed; the next sync, at once, embeds what the
        embedder's identity has no vector for."""
        self._embeddings.set_embedder(embedder, reason=reason)
        self._wake.set()

    def approve_embedding(self) -> None:
        """The person's go-ahead (Settings) for a backlog above `ASK_ABOVE_PASSAGES`: it is embedded now.
        Kept in memory for that backlog only (a restart, or a later big backlog, asks again)."""
        self._embeddings.approve()
        self._wake.set()

    def tool(self) -> Tool:
        return Tool("queryKnowledgeBase", DESCRIPTION, QUERY_KNOWLEDGE_BASE, self.query)

    def observe_progress(self, observer: Callable[[IndexProgress], None]) -> None:
        """`observer` hears, on the loop's thread, before each file a sync reads and when it ends."""
        self._observers.append(observer)

    def start(self) -> None:
        """Index now, then poll the folder for changes until `close`."""
        task = asyncio.get_running_loop().create_task(self._poll())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Stops the watcher, then closes the embedder (its HTTP session)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._embeddings.close()

    def set_folder(self, folder: Path) -> None:
        """The person picked another folder: the next sync mirrors it (and drops the old one)."""
        self._folder = folder
        self._synced.clear()
        self._wake.set()

    async def refresh(self) -> SyncReport:
        """One sync of the folder, a worker job per file read (stops early if another folder is picked),
        then the embeddings of the passages that need one (with an embedder; they stop too)."""
        folder, report = await self._sync_files()
        await self._embeddings.catch_up(changed=bool(report.added or report.updated or report.removed),
                                        wanted=lambda: folder == self._folder)
        return report

    async def _sync_files(self) -> tuple[Path, SyncReport]:
        """The folder synced, and what the sync did."""
        async with self._sync_lock:  # one sync at a time; a second caller waits and re-checks
            folder = self._folder
            plan = await self._worker.run(self._index.plan_sync, folder)
            tally = SyncTally(plan)
            try:
                for item in plan.to_read:
                    if folder != self._folder:
                        break  # the next sync reads the new folder
                    self._tell(tally.progress())
                    tally.count(item.name, await self._worker.run(self._index.index_file, item))
            finally:
                if plan.to_read:
                    self._tell(tally.progress(ended=True))
            if plan.to_read or plan.removed:  # the vectors no passage has any more, after the last file
                await self._worker.run(self._index.prune_vectors)
        report = tally.report()
        if folder == self._folder:  # not if the person picked another folder meanwhile
            self._synced.set()
        if report.added or report.updated or report.removed:
            log.info("knowledge index: %s", report)
        return folder, report

    def _tell(self, progress: IndexProgress) -> None:
        self._progress = None if progress.ended or progress.stage != "files" else progress
        for observer in self._observers:
            try:
                observer(progress)
            except Exception:  # a broken observer must not stop indexing
                log.exception("a knowledge progress observer failed")

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
        await self._until_indexed()
        hits = await self._embeddings.search(question, PASSAGES_PER_ANSWER)
        progress = self._progress
        indexing = {"indexing": {"done": progress.done, "total": progress.total}} if progress else {}
        if not hits:
            return Outcome({"status": "no_results", "question": question, "passages": [], **indexing,
                            "message": _NOTHING_YET if progress else _NOTHING})
        sources = tuple(dict.fromkeys(hit.name for hit in hits))
        return Outcome({"status": "done", "question": question, "passages": [_passage(h) for h in hits],
                        "sources": list(sources), **indexing,
                        "message": _ANSWER + (_PARTIAL if progress else "")},
                       sources=sources)

    async def _until_indexed(self) -> None:
        """Without the watcher (a script, a test) the folder is indexed now, however long that takes;
        with it, a question waits a few seconds for the running sync, then searches what is indexed."""
        if self._synced.is_set():
            return
        if not self._tasks:
            await self.refresh()
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._wait_seconds):
                await self._synced.wait()


_ANSWER = ("Answer from these passages and name the source document (its page and heading too, as `cite` "
           "gives them). They are the nearest the knowledge base has: if none answers the question, say so "
           "instead of guessing.")
_PARTIAL = (" The folder is still being indexed (`indexing`: files read of all): the answer may be in a "
            "file not read yet.")
_NOTHING = "The knowledge base has nothing on this. Say so instead of guessing."
_NOTHING_YET = ("Nothing found in the files indexed so far; the folder is still being indexed (`indexing`: "
                "files read of all). Say so, and offer to look again in a moment.")


def _passage(hit: Hit) -> dict[str, Any]:
    passage: dict[str, Any] = {"source": hit.name, "passage": hit.position, "text": hit.text}
    if hit.page is not None:
        passage["page"] = hit.page
    if hit.heading:
        passage["heading"] = hit.heading
    passage["cite"] = citation(hit)
    return passage
