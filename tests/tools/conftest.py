from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.meetings import MeetingStore
from desktop.storage.worker import StoreWorker
from desktop.tools.meetings import MeetingTools
from desktop.tools.registry import ToolRegistry
from tests.tools.fakes import ScriptedConfirmer

CST = timezone(timedelta(hours=8))
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=CST)


@pytest.fixture
def confirmer() -> ScriptedConfirmer:
    return ScriptedConfirmer()


@pytest.fixture
def registry(store: MeetingStore, worker: StoreWorker, confirmer: ScriptedConfirmer) -> ToolRegistry:
    tools = MeetingTools(store, worker, confirmer, tz=CST, now=lambda: NOW)
    return ToolRegistry(tools.tools())


@pytest.fixture
def index(tmp_path: Path) -> Iterator[KnowledgeIndex]:
    """A knowledge index in its own file."""
    index = KnowledgeIndex(tmp_path / "knowledge.sqlite3")
    yield index
    index.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A knowledge folder of two short pages: booking rules and rooms."""
    docs = tmp_path / "docs"
    docs.mkdir()
    booking = "# Booking rules\n\nBook a room at most 30 days ahead.\n"
    (docs / "booking.md").write_text(booking, encoding="utf-8")
    (docs / "rooms.md").write_text("# Rooms\n\nThe large room seats twelve people.\n", encoding="utf-8")
    return docs
