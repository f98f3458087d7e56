"""Settings shared by every test: no real screen, no real user folders."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.audio import aiortc_patches, canceller
from desktop.storage.meetings import MeetingStore
from desktop.storage.paths import DATA_DIR_ENV
from desktop.storage.worker import StoreWorker

# Set before any test module imports Qt: the tests run headless on CI and on developers' machines alike.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `canceller` need the compiled echo canceller, an optional extra where it has no
    wheel: without it they skip and say so (.ci/run installs it and runs them)."""
    if canceller.installed():
        return
    skip = pytest.mark.skip(
        reason="the compiled echo canceller (aec-audio-processing) is not installed: "
        "pip install -e '.[echo]' adds it (it compiles where it has no wheel)"
    )
    for item in items:
        if "canceller" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def patched_aiortc() -> None:
    """aiortc's patches, installed once for the whole run as the app installs them at start-up."""
    aiortc_patches.install()


@pytest.fixture
def no_canceller(monkeypatch: pytest.MonkeyPatch) -> None:
    """As where the optional canceller is not installed: importing it fails, looking it up finds nothing."""
    monkeypatch.setitem(sys.modules, canceller.MODULE, None)
    canceller.say_half_duplex.cache_clear()


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
