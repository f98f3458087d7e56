"""Settings shared by every test: no real screen, no real user folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.paths import DATA_DIR_ENV
from desktop.storage.meetings import MeetingStore
from desktop.storage.worker import StoreWorker

# Set before any test module imports Qt: the tests run headless on CI and on developers' machines alike.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own calendar and knowledge index, never the person's real ones."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path_factory.mktemp("data")))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MeetingStore]:
    """A fresh calendar database (the storage, tools and calendar pane tests share it)."""
    s = MeetingStore(tmp_path / "calendar.sqlite3")
    yield s
    s.close()


@pytest.fixture
def worker() -> Iterator[StoreWorker]:
    w = StoreWorker("test-store")
    yield w
    w.close()
