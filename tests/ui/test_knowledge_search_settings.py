"""The knowledge search in Settings: the embeddings deployment beside the realtime one, the search mode
(hybrid, or keyword search only and why), the one-time cost estimate, and a new embedder for the running
knowledge base when the provider, key or embeddings deployment changes."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.realtime import ProviderKind
from desktop.settings.preferences import Preferences, load_preferences, save_preferences
from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.paths import DATA_DIR_ENV
from desktop.storage.worker import StoreWorker
from desktop.tools.knowledge import KnowledgeBase
from desktop.tools.knowledge_embeddings import KnowledgeStatus, SearchMode
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.settings_pages import KnowledgePage
from tests.ui.harness import demo_root, wait_until

MODEL = "text-embedding-3-small"


def test_the_embeddings_deployment_is_saved_and_read_back(qtbot: QtBot, settings_store: QSettings) -> None:
    dialog = SettingsDialog(Preferences(provider=ProviderKind.AZURE), "", keychain_works=True)
    qtbot.addWidget(dialog)
    assert dialog.embeddings_deployment.isEnabled()
    assert not dialog.embeddings_note.isVisibleTo(dialog)
    dialog.embeddings_deployment.setText("  my-embeddings  ")
    save_preferences(settings_store, dialog.values())
    assert load_preferences(settings_store).embeddings_deployment == "my-embeddings"
    reopened = SettingsDialog(load_preferences(settings_store), "", keychain_works=True)
    qtbot.addWidget(reopened)
    assert reopened.embeddings_deployment.text() == "my-embeddings"
    reopened.provider.setCurrentIndex(reopened.provider.findData(ProviderKind.OPENAI.value))
    # OpenAI names its model itself: the field is off, the note names the model, the stored value stays.
    assert not reopened.embeddings_deployment.isEnabled() and reopened.embeddings_note.isVisibleTo(reopened)
    assert MODEL in reopened.embeddings_note.text()
    assert reopened.values().embeddings_deployment == "my-embeddings"


def test_the_knowledge_page_shows_the_search_mode(qtbot: QtBot) -> None:
    page = KnowledgePage(Preferences())
    qtbot.addWidget(page)
    assert not page.search_mode.isVisibleTo(page)  # until the status is counted
    page.show_status(KnowledgeStatus(SearchMode("hybrid"), MODEL, 120, 120))
    assert page.search_mode.isVisibleTo(page)
    assert page.search_mode.text() == f"Hybrid search with {MODEL}, 120 passages embedded."
    assert not page.estimate.isVisibleTo(page)
    page.show_status(KnowledgeStatus(SearchMode("lexical", "no_embedder")))
    assert page.search_mode.text().startswith("Keyword search only: no embeddings are configured")
    page.show_status(KnowledgeStatus(SearchMode("lexical", "embeddings_failed", "TimeoutError: ")))
    assert page.search_mode.text().startswith("Keyword search only: the embeddings service failed")
    assert "TimeoutError" not in page.search_mode.text()  # the detail goes to the log
    assert not page.estimate.isVisibleTo(page)


def test_the_estimate_is_counted_on_the_worker_and_shown(qtbot: QtBot, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    sections = "".join(f"# Room {n}\n\nRoom {n} seats eight people and has a screen.\n\n" for n in range(300))
    (docs / "rooms.md").write_text(sections, encoding="utf-8")
    index = KnowledgeIndex(tmp_path / "knowledge.sqlite3")
    worker = StoreWorker("test-knowledge")
    knowledge = KnowledgeBase(index, worker, docs, embedder=NeverAsked())

    async def status() -> KnowledgeStatus:
        await worker.run(index.sync, docs)  # the words indexed, nothing embedded yet
        return await knowledge.status()

    try:
        counted = asyncio.run(status())
    finally:
        worker.close()
        index.close()
    assert counted.model == MODEL and counted.embedded == 0 and counted.passages >= 300
    assert counted.tokens_to_embed > counted.passages  # a few tokens each
    page = KnowledgePage(Preferences())
    qtbot.addWidget(page)
    page.show_status(counted)
    assert page.search_mode.text() == f"Hybrid search with {MODEL}, 0 passages embedded."
    assert page.estimate.isVisibleTo(page)
    assert f"{counted.passages} passages still to embed" in page.estimate.text()
    assert f"about {counted.tokens_to_embed} tokens" in page.estimate.text()
    assert "estimate" in page.estimate.text()


def test_a_settings_change_gives_the_knowledge_base_a_new_embedder(
    qloop: asyncio.AbstractEventLoop,
    qapp: QApplication,
    settings_store: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The running app (demo provider: the demo server's embeddings): the dialog shows the hybrid search;
    Azure without an embeddings deployment makes it keyword-only; back to the demo it is hybrid again
    without embedding anything twice (the same model)."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # Root installs its own

    async def scenario() -> None:
        async with demo_root(qapp, settings_store, Preferences()) as root:
            await wait_until(lambda: root.controller.knowledge_status is not None, limit=20)
            assert root.toolbox is not None
            knowledge = root.toolbox.knowledge
            await knowledge.refresh()  # the sample folder indexed and embedded
            root.controller.open_settings()
            await wait_until(lambda: root.window.settings_dialog is not None, limit=20)
            dialog = root.window.settings_dialog
            assert dialog is not None
            await wait_until(lambda: dialog.knowledge.search_mode.text().startswith("Hybrid search with"))
            assert not dialog.knowledge.estimate.isVisibleTo(dialog.knowledge)  # everything embedded
            dialog.reject()
            stages: list[str] = []
            knowledge.observe_progress(lambda progress: stages.append(progress.stage))
            azure = replace(
                root.controller.prefs,
                provider=ProviderKind.AZURE,
                endpoint="https://example.openai.azure.com",
                deployment="gpt-realtime",
            )
            root.controller.apply_settings(azure, "azure-key-0123456789")
            await wait_until(lambda: knowledge.mode.reason == "no_embedder")
            root.controller.apply_settings(replace(azure, provider=ProviderKind.DEMO), "")
            await wait_until(lambda: knowledge.mode.mode == "hybrid")
            await knowledge.refresh()
            assert "embeddings" not in stages  # the same model: no passage embedded again

    qloop.run_until_complete(scenario())


class NeverAsked:
    """An embedder the status never calls: it only names the model and the dimensions."""

    model = MODEL
    dimensions = 256

    async def embed(self, texts: list[str]) -> list[list[float]]:
        raise AssertionError("the status embeds nothing")
