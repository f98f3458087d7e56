"""The knowledge search in Settings: the embeddings deployment beside the realtime one, the search mode
(hybrid, or keyword search only and why, said once), a big folder's estimate and its "Embed now" before
anything is embedded, and a new embedder for the running knowledge base when the provider, key or
embeddings deployment changes."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QSettings
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from desktop.app.launch import install_translators
from desktop.demo.server import DemoServer
from desktop.realtime import ProviderKind
from desktop.realtime.embeddings import embeddings_client_for
from desktop.settings.keychain import KeyStore
from desktop.settings.preferences import Preferences, load_preferences, save_preferences, session_config
from desktop.settings.target import resolve_target
from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.paths import DATA_DIR_ENV
from desktop.storage.worker import StoreWorker
from desktop.tools.knowledge import KnowledgeBase
from desktop.tools.knowledge_embeddings import FallbackReason, KnowledgeStatus, SearchMode
from desktop.ui.knowledge_page import NO_BREAK_HYPHEN, KnowledgePage
from desktop.ui.settings_dialog import SettingsDialog
from tests.ui.harness import opened_app, running_root, wait_until

MODEL = "text-embedding-3-small"
OPENAI_KEY = "openai-test-key-0123456789"


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
    # OpenAI names its model itself: the field is off, the note names the model; the stored value stays for
    # Azure and never reaches OpenAI (tests/settings/test_target.py: OpenAI's model is its own).
    assert not reopened.embeddings_deployment.isEnabled() and reopened.embeddings_note.isVisibleTo(reopened)
    assert MODEL in reopened.embeddings_note.text()
    on_openai = reopened.values()
    assert on_openai.embeddings_deployment == "my-embeddings"
    config = session_config(on_openai)
    target = asyncio.run(resolve_target(config, KeyStore({"OPENAI_API_KEY": OPENAI_KEY})))
    client = embeddings_client_for(target.apply(config))
    assert client is not None and client.model == MODEL


def test_the_knowledge_page_says_hybrid_with_the_model_and_the_passages(qtbot: QtBot) -> None:
    page = KnowledgePage(Preferences())
    qtbot.addWidget(page)
    assert not page.search_mode.isVisibleTo(page)  # until the status is counted
    page.show_status(KnowledgeStatus(SearchMode("hybrid"), MODEL, 48_120, 48_120))
    assert page.search_mode.isVisibleTo(page)
    assert shown(page.search_mode) == (
        f"Hybrid search (words and meaning) with {MODEL}: 48,120 passages embedded."
    )
    assert MODEL.replace("-", NO_BREAK_HYPHEN) in page.search_mode.text()  # never cut at a line's end
    page.show_status(KnowledgeStatus(SearchMode("hybrid"), MODEL, 48_120, 640, 1000, 47_480))
    assert shown(page.search_mode) == (
        f"Hybrid search (words and meaning) with {MODEL}: 640 of 48,120 passages embedded, the rest in the "
        "background."
    )
    assert not any(row.isVisibleTo(page) for row in (page.detail, page.estimate, page.embed_now))


@pytest.mark.parametrize(("reason", "sentence"), [
    ("demo", "Keyword search only: the demo provider has no embeddings service."),
    ("no_deployment", "Keyword search only: no embeddings deployment is set."),
    ("not_configured", "Keyword search only: the embeddings service is not set up"),
    ("embeddings_failed", "Keyword search only: the embeddings service failed;"),
])
def test_the_knowledge_page_says_why_keyword_search_once(
    qtbot: QtBot, reason: FallbackReason, sentence: str
) -> None:
    page = KnowledgePage(Preferences())
    qtbot.addWidget(page)
    page.show_status(KnowledgeStatus(SearchMode("lexical", reason)))
    assert shown(page.search_mode).startswith(sentence)
    assert shown(page.search_mode).count("Keyword search only") == 1
    assert not any(row.isVisibleTo(page) for row in (page.detail, page.estimate, page.embed_now))
    if reason == "no_deployment":
        assert "text-embedding-3-small" in shown(page.search_mode)  # what to deploy, beside the realtime one


def test_a_service_failure_s_detail_follows_in_a_smaller_line(qtbot: QtBot) -> None:
    page = KnowledgePage(Preferences())
    qtbot.addWidget(page)
    detail = "The embeddings service answered HTTP 503."
    page.show_status(KnowledgeStatus(SearchMode("lexical", "embeddings_failed", detail)))
    assert detail not in shown(page.search_mode)
    assert page.detail.isVisibleTo(page) and page.detail.text() == detail
    assert page.detail.font().pointSizeF() < page.search_mode.font().pointSizeF()
    page.show_status(KnowledgeStatus(SearchMode("hybrid"), MODEL, 10, 10))  # the service is back
    assert not page.detail.isVisibleTo(page)


def test_a_big_folder_waits_for_the_go_ahead_with_the_estimate(qtbot: QtBot) -> None:
    page = KnowledgePage(Preferences())
    qtbot.addWidget(page)
    page.show_status(AWAITING)
    assert shown(page.search_mode) == (
        f"Keyword search for now: 48,120 passages wait for your go-ahead to be embedded with {MODEL}."
    )
    assert page.estimate.isVisibleTo(page) and page.embed_now.isVisibleTo(page)
    assert page.estimate.text() == (
        "Embedding them sends their text to your embeddings service once: about 2,405,000 tokens, roughly "
        "$0.05 at text-embedding-3-small's $0.02 per million tokens (text-embedding-3-large costs $0.13). "
        "This is an estimate."
    )
    approvals: list[bool] = []
    page.embedApproved.connect(lambda: approvals.append(True))
    page.embed_now.click()
    assert approvals == [True] and not page.embed_now.isEnabled()  # one click; the new status follows
    page.show_status(KnowledgeStatus(SearchMode("hybrid"), MODEL, 48_120, 0, 2_405_000, 48_120))
    assert not page.estimate.isVisibleTo(page) and not page.embed_now.isVisibleTo(page)


def test_the_knowledge_page_speaks_chinese(qapp: QApplication, qtbot: QtBot) -> None:
    installed = install_translators(qapp, QLocale("zh_CN"))
    try:
        page = KnowledgePage(Preferences())
        qtbot.addWidget(page)
        page.show_status(AWAITING)
        assert shown(page.search_mode) == f"暂时只用关键词搜索：48,120 个段落正等待您同意后用 {MODEL} 嵌入。"
        assert "约 2,405,000 个 token" in page.estimate.text() and "$0.05" in page.estimate.text()
        assert page.embed_now.text() == "立即嵌入"
        page.show_status(KnowledgeStatus(SearchMode("lexical", "no_deployment")))
        assert shown(page.search_mode).startswith("只用关键词搜索：尚未设置嵌入部署。")
        for code, chinese in (("server_error", "服务出现内部错误，请稍后再试。"),
                              ("embeddings_timeout", "嵌入服务没有及时回应。"),
                              ("embeddings_no_dimensions", "该嵌入模型不接受 dimensions 参数：请改用 "
                                                           "text-embedding-3-small 或 -large。")):
            english = f"The service's English sentence ({code})."
            page.show_status(KnowledgeStatus(SearchMode("lexical", "embeddings_failed", english, code)))
            assert "稍等后会再试" in shown(page.search_mode)  # not "at the next question": after a wait
            assert page.detail.text() == chinese and page.detail.toolTip() == english  # the original beside
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)


def test_embed_now_approves_through_the_controller_and_shows_the_new_status(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    """The running window and controller: the knowledge page offers "Embed now" for a big folder; the
    click reaches the knowledge base's approval, and the page shows the status that follows."""
    knowledge = AwaitingKnowledge()

    async def scenario() -> None:
        async with opened_app(settings_store) as app:
            app.controller.knowledge_status = knowledge.status
            app.controller.approve_embedding = knowledge.approve
            app.controller.open_settings()
            await wait_until(lambda: app.window.settings_dialog is not None)
            dialog = app.window.settings_dialog
            assert dialog is not None
            page = dialog.knowledge
            await wait_until(lambda: page.embed_now.isVisibleTo(page))
            assert knowledge.approvals == 0  # nothing is embedded before the go-ahead
            page.embed_now.click()
            await wait_until(lambda: shown(page.search_mode).startswith("Hybrid search"))
            assert knowledge.approvals == 1 and not page.embed_now.isVisibleTo(page)
            dialog.reject()

    qloop.run_until_complete(scenario())


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
    assert counted.texts_to_embed == counted.passages
    assert shown(page.search_mode).startswith(f"Hybrid search (words and meaning) with {MODEL}: 0 of ")


@pytest.fixture
def app_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A running app's data folder of the test's own, and the excepthook back after it."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # Root installs its own


@pytest.mark.usefixtures("app_data")
def test_a_settings_change_gives_the_knowledge_base_a_new_embedder(
    qloop: asyncio.AbstractEventLoop, qapp: QApplication, settings_store: QSettings
) -> None:
    """The running app on OpenAI (a demo server standing in for it, its embeddings over HTTP): the dialog
    shows the hybrid search; Azure without an embeddings deployment makes it keyword-only; back to OpenAI
    it is hybrid again without embedding anything twice (the same model)."""

    async def scenario(server: DemoServer) -> None:
        await KeyStore({}).save(ProviderKind.OPENAI, OPENAI_KEY)
        openai = Preferences(ProviderKind.OPENAI, endpoint=server.base_url, deployment="gpt-realtime")
        async with running_root(qapp, settings_store, openai) as root:
            await wait_until(lambda: root.controller.knowledge_status is not None, limit=20)
            assert root.toolbox is not None
            knowledge = root.toolbox.knowledge
            await knowledge.refresh()  # the sample folder indexed and embedded
            root.controller.open_settings()
            await wait_until(lambda: root.window.settings_dialog is not None, limit=20)
            dialog = root.window.settings_dialog
            assert dialog is not None
            await wait_until(lambda: shown(dialog.knowledge.search_mode).startswith("Hybrid search"))
            assert root.controller.approve_embedding is not None  # the page's "Embed now" reaches the base
            assert not dialog.knowledge.embed_now.isVisibleTo(dialog.knowledge)  # a small folder: no asking
            dialog.reject()
            stages: list[str] = []
            knowledge.observe_progress(lambda progress: stages.append(progress.stage))
            azure = replace(openai, provider=ProviderKind.AZURE, endpoint="https://example.openai.azure.com")
            root.controller.apply_settings(azure, "azure-key-0123456789")
            await wait_until(lambda: knowledge.mode.mode == "lexical")
            root.controller.apply_settings(openai, OPENAI_KEY)
            await wait_until(lambda: knowledge.mode.mode == "hybrid")
            await knowledge.refresh()
            assert "embeddings" not in stages  # the same model: no passage embedded again

    async def with_server() -> None:
        server = DemoServer(api_key=OPENAI_KEY)
        await server.start()
        try:
            await scenario(server)
        finally:
            await server.stop()

    qloop.run_until_complete(with_server())


@pytest.mark.usefixtures("app_data")
def test_two_quick_saves_apply_only_the_latest_embedder(
    qloop: asyncio.AbstractEventLoop, qapp: QApplication, settings_store: QSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first save's embedder is still being made (a slow keychain) when the second save's is ready:
    the first is cancelled, so it cannot finish last and replace the newer one."""
    slow_keychain = asyncio.Event()
    made: list[FallbackReason] = []

    async def embedder(prefs: Preferences, keys: KeyStore) -> tuple[None, FallbackReason]:
        reason: FallbackReason = "no_deployment" if prefs.provider is ProviderKind.AZURE else "demo"
        if reason == "no_deployment":
            await slow_keychain.wait()
        made.append(reason)
        return None, reason

    async def scenario() -> None:
        async with running_root(qapp, settings_store, Preferences()) as root:
            await wait_until(lambda: root.toolbox is not None, limit=20)
            assert root.toolbox is not None
            monkeypatch.setattr(root.session_factory, "embedder", embedder)
            root.controller.apply_settings(Preferences(ProviderKind.AZURE), "")
            await wait_until(lambda: bool(root._renewals))
            await asyncio.sleep(0)  # the first renewal waits on the keychain
            root.controller.apply_settings(Preferences(), "")
            await wait_until(lambda: made == ["demo"])
            slow_keychain.set()  # the first would finish now, after the second
            await wait_until(lambda: not root._renewals)
            assert made == ["demo"] and root.toolbox.knowledge.mode.reason == "demo"

    qloop.run_until_complete(scenario())


def shown(label: QLabel) -> str:
    """A label's text with plain hyphens (a model's name is shown with non-breaking ones)."""
    return label.text().replace(NO_BREAK_HYPHEN, "-")


AWAITING = KnowledgeStatus(SearchMode("lexical", "awaiting_approval"), MODEL, 48_120, 0, 2_405_000, 48_120)


class AwaitingKnowledge:
    """A big folder's status: waiting for the go-ahead until `approve`, then embedding."""

    def __init__(self) -> None:
        self.approvals = 0

    async def status(self) -> KnowledgeStatus:
        if self.approvals:
            return KnowledgeStatus(SearchMode("hybrid"), MODEL, 48_120, 0, 2_405_000, 48_120)
        return AWAITING

    def approve(self) -> None:
        self.approvals += 1


class NeverAsked:
    """An embedder the status never calls: it only names the model and the dimensions."""

    model = MODEL
    identity = f"openai:{MODEL}"
    dimensions = 256

    async def embed(self, texts: list[str]) -> list[list[float]]:
        raise AssertionError("the status embeds nothing")

    async def close(self) -> None:
        pass
