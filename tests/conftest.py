"""Settings shared by every test: no real screen, no real user folders."""

from __future__ import annotations

import os

import pytest

from desktop.paths import DATA_DIR_ENV

# Set before any test module imports Qt: the tests run headless on CI and on developers' machines alike.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own calendar and knowledge index, never the person's real ones."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path_factory.mktemp("data")))
