"""The assistant's tools and the stores behind them, for one run of the app.

Opening runs on the storage workers (migrations and the first look at the files never touch the
GUI thread); closing stops the knowledge watcher, then lets queued writes finish, then closes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from desktop.storage import KnowledgeIndex, MeetingStore, StoreWorker, paths
from desktop.tools.knowledge import KnowledgeBase
from desktop.tools.knowledge_status import FallbackReason
from desktop.tools.meetings import MeetingTools
from desktop.tools.ports import Confirmer, Embedder
from desktop.tools.registry import ToolRegistry


@dataclass
class Toolbox:
    store: MeetingStore
    meeting_worker: StoreWorker
    index: KnowledgeIndex
    knowledge_worker: StoreWorker
    knowledge: KnowledgeBase
    registry: ToolRegistry

    @classmethod
    async def open(
        cls,
        confirmer: Confirmer,
        knowledge_folder: Path | None = None,
        *,
        tz: tzinfo | None = None,
        now: Callable[[], datetime] | None = None,
        embedder: Embedder | None = None,
        reason: FallbackReason = "",
    ) -> Toolbox:
        """`embedder` (the configured service's embeddings, from the app) makes the knowledge search
        hybrid; None keeps it lexical, for `reason`. The toolbox owns the embedder: closed on `close`
        (or here, if opening fails)."""
        meeting_worker = StoreWorker("calendar")
        knowledge_worker = StoreWorker("knowledge")
        store: MeetingStore | None = None
        try:
            store = await meeting_worker.run(MeetingStore, paths.calendar_db_path())
            index = await knowledge_worker.run(KnowledgeIndex, paths.knowledge_db_path())
        except Exception:
            # The app goes on without tools: close what did open, and leave no worker thread behind.
            if store is not None:
                await meeting_worker.run(store.close)
            meeting_worker.close()
            knowledge_worker.close()
            if embedder is not None:
                await embedder.close()
            raise
        knowledge = KnowledgeBase(index, knowledge_worker, knowledge_folder, embedder=embedder, reason=reason)
        meetings = MeetingTools(store, meeting_worker, confirmer, tz=tz, now=now)
        registry = ToolRegistry([knowledge.tool(), *meetings.tools()])
        return cls(store, meeting_worker, index, knowledge_worker, knowledge, registry)

    def start(self) -> None:
        """Index the knowledge folder now and watch it (call inside the running loop)."""
        self.knowledge.start()

    async def close(self) -> None:
        await self.knowledge.close()
        for worker, resource in ((self.meeting_worker, self.store), (self.knowledge_worker, self.index)):
            await worker.run(resource.close)
            worker.close()
