"""The knowledge folder (chosen in the settings or the File menu, applied to the running tools), the
documents an answer used, the ICE servers and their credential, and network changes."""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QSettings
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.app.launch import install_translators
from desktop.session.events import SessionState
from desktop.settings.keychain import ICE_ACCOUNT, SERVICE
from desktop.settings.preferences import Preferences, load_preferences, save_preferences, session_config
from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.knowledge_sync import FileToRead, IndexProgress
from desktop.storage.paths import DATA_DIR_ENV
from desktop.tools.knowledge import default_folder
from desktop.ui.indexing_progress import IndexingProgress
from desktop.ui.main_window import MainWindow
from desktop.ui.network_watch import NetworkWatch
from desktop.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import MemoryKeyring
from tests.ui.harness import demo_root, open_app, opened_app, wait_until
from tests.ui.test_settings_and_keys import stored_text

TURN = "turn:turn.example.com:3478?transport=udp"
CREDENTIAL = "turn-secret-0123456789"
LIVE = (SessionState.READY, SessionState.LISTENING)


def test_the_dialog_edits_the_folder_and_the_ice_servers(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SettingsDialog(Preferences(), "", keychain_works=True, ice_credential="old")
    qtbot.addWidget(dialog)
    assert dialog.knowledge.picker.folder() == "" and not dialog.knowledge.picker.reset.isEnabled()
    dialog.knowledge.picker.choose.click()
    picker_dialog = dialog.knowledge.picker.dialog
    assert picker_dialog is not None and picker_dialog.isVisible()  # open(), not exec()
    picker_dialog.fileSelected.emit(str(tmp_path))
    picker_dialog.reject()
    dialog.network.urls.setPlainText(f"  {TURN}\n\nstun:stun.example.com:3478 \n")
    dialog.network.username.setText(" alice ")
    dialog.network.credential.setText(CREDENTIAL)
    values = dialog.values()
    assert values.knowledge_folder == str(tmp_path)
    assert values.ice_servers == f"{TURN}\nstun:stun.example.com:3478" and values.ice_username == "alice"
    assert dialog.entered_ice_credential() == CREDENTIAL
    config = session_config(values, ice_credential=CREDENTIAL)
    assert config.ice_servers == (TURN, "stun:stun.example.com:3478")
    assert config.ice_username == "alice" and config.ice_credential == CREDENTIAL
    assert CREDENTIAL not in repr(config)
    assert session_config(Preferences()).ice_servers == ()  # none unless configured


def test_the_ice_credential_goes_to_the_keychain_not_the_settings_file(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, memory_keyring: MemoryKeyring
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store) as app:
            prefs = Preferences(ice_servers=TURN, ice_username="alice")
            app.controller.apply_settings(prefs, "", CREDENTIAL)
            await wait_until(lambda: memory_keyring.entries.get((SERVICE, ICE_ACCOUNT)) == CREDENTIAL)
            assert CREDENTIAL not in stored_text(settings_store)
            assert load_preferences(settings_store).ice_servers == TURN
            app.controller.open_settings()
            await wait_until(lambda: app.window.settings_dialog is not None)
            dialog = app.window.settings_dialog
            assert dialog is not None and dialog.network.credential.text() == CREDENTIAL
            dialog.reject()

    qloop.run_until_complete(scenario())


def test_the_file_menu_picks_the_knowledge_folder(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, tmp_path: Path
) -> None:
    async def scenario() -> None:
        app = await open_app(settings_store)
        window = app.window
        try:
            assert window.knowledge_text.text() == window.knowledge_text.tr("Knowledge: sample documents")
            window.knowledge_action.trigger()
            assert window.folder_dialog is not None and window.folder_dialog.isVisible()
            window.folder_dialog.fileSelected.emit(str(tmp_path))
            window.folder_dialog.reject()
            assert load_preferences(settings_store).knowledge_folder == str(tmp_path)
            assert tmp_path.name in window.knowledge_text.text()
            assert window.knowledge_text.toolTip() == str(tmp_path)
        finally:
            await app.close()

    qloop.run_until_complete(scenario())


def test_the_running_app_answers_from_the_chosen_folder_and_names_the_documents(
    qloop: asyncio.AbstractEventLoop,
    qapp: QApplication,
    settings_store: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The composition root as in the app (demo provider, real tools) with a synthetic microphone."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # Root installs its own
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "parking.md").write_text("# Parking\n\nVisitors park in garage B, level 2.\n", encoding="utf-8")

    async def scenario() -> None:
        async with demo_root(qapp, settings_store, Preferences(knowledge_folder=str(docs))) as root:
            await wait_until(lambda: root.pane is not None, limit=20)
            assert root.toolbox is not None and root.toolbox.knowledge.folder == docs
            root.window.start.click()
            await wait_until(lambda: root.controller.state in LIVE, limit=20)
            root.controller.send_text("Where do visitors park?")
            bubbles = root.window.transcript.bubble_texts
            await wait_until(lambda: any("parking.md" in text for text in bubbles()), limit=20)
            used = root.window.transcript.tr("Documents used: %1").replace("%1", "parking.md")
            assert any(used in text for text in bubbles())
            assert f"> {used}" in root.window.transcript.markdown()  # the export names them too
            root.controller.set_knowledge_folder("")  # back to the bundled sample
            assert root.toolbox.knowledge.folder == default_folder()

    qloop.run_until_complete(scenario())


def test_a_network_change_checks_the_call(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    async def scenario() -> None:
        app = await open_app(settings_store, greet=False)
        watch = NetworkWatch()
        watch.changed.connect(app.controller.check_connection)
        try:
            app.window.start.click()
            await wait_until(lambda: app.controller.state in LIVE)
            assert app.window.transport_text.text() == "WebRTC"  # "auto", and WebRTC worked
            session = app.controller.call_session()
            assert session is not None
            checks: list[bool] = []
            original = session.check_connection
            session.check_connection = lambda: (checks.append(True), original())[1]  # type: ignore[method-assign]
            Reachability = QNetworkInformation.Reachability
            watch.reachability_changed(Reachability.Disconnected)  # going offline checks nothing
            assert checks == []
            watch.reachability_changed(Reachability.Online)
            assert checks == [True]
        finally:
            await app.close()

    qloop.run_until_complete(scenario())


def test_the_status_bar_shows_indexing_progress_reported_from_any_thread(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    indexing = window.indexing
    assert not indexing.isVisible()
    reporter = threading.Thread(target=indexing.report, args=(IndexProgress(3, 10, "handbook/rooms.docx"),))
    reporter.start()
    reporter.join()
    qtbot.waitUntil(indexing.isVisible)
    assert (indexing.bar.value(), indexing.bar.maximum()) == (3, 10)
    assert indexing.bar.text() == "3 / 10" and "rooms.docx" in indexing.label.text()
    assert "3 of 10" in indexing.toolTip() and "handbook/rooms.docx" in indexing.toolTip()
    indexing.report(IndexProgress(10, 10, "", ended=True))
    qtbot.waitUntil(lambda: not indexing.isVisible())


def test_the_status_bar_says_the_passages_being_embedded(qapp: QApplication, qtbot: QtBot) -> None:
    """The embeddings stage in words, English and Chinese, not a file name "passages"; then the files'
    stage shows its own numbers again."""
    progress = IndexingProgress()
    qtbot.addWidget(progress)
    progress.report(IndexProgress(640, 48_120, stage="embeddings"))
    qtbot.waitUntil(lambda: progress.isVisible() and progress.label.text() != "")
    assert progress.label.text() == "Embedding passages for search: 640 of 48,120"
    assert not progress.bar.isTextVisible() and progress.bar.value() == 640  # the sentence says the numbers
    assert "640 of 48,120 done" in progress.toolTip()
    installed = install_translators(qapp, QLocale("zh_CN"))
    try:
        chinese = IndexingProgress()
        qtbot.addWidget(chinese)
        chinese.report(IndexProgress(640, 48_120, stage="embeddings"))
        qtbot.waitUntil(lambda: chinese.label.text() != "")
        assert chinese.label.text() == "正在为搜索嵌入段落：640 / 48,120"
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
    progress.report(IndexProgress(3, 10, "rooms.docx"))
    qtbot.waitUntil(lambda: "rooms.docx" in progress.label.text())
    assert progress.bar.isTextVisible() and progress.bar.text() == "3 / 10"


def test_the_window_shows_a_big_folder_being_indexed_and_stays_responsive(
    qloop: asyncio.AbstractEventLoop,
    qapp: QApplication,
    settings_store: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second file's reading is held up on the knowledge worker: meanwhile the loop runs (this test
    polls on it) and the status bar says 1 of 3 and the file's name; when it is done, the bar goes."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # Root installs its own
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("a.md", "b.md", "c.md"):
        (docs / name).write_text(f"# {name}\n\nSome text of {name}.\n", encoding="utf-8")
    release = threading.Event()
    read_file = KnowledgeIndex.index_file

    def held_up(index: KnowledgeIndex, item: FileToRead) -> str:
        if item.name == "b.md":
            release.wait(20)
        return read_file(index, item)

    monkeypatch.setattr(KnowledgeIndex, "index_file", held_up)

    async def scenario() -> None:
        async with demo_root(qapp, settings_store, Preferences(knowledge_folder=str(docs))) as root:
            indexing = root.window.indexing
            await wait_until(lambda: indexing.isVisible() and indexing.bar.value() == 1, limit=20)
            assert indexing.bar.maximum() == 3 and "b.md" in indexing.label.text()
            release.set()
            await wait_until(lambda: not indexing.isVisible(), limit=20)
            assert root.toolbox is not None
            assert await root.toolbox.knowledge_worker.run(root.toolbox.index.document_names) == [
                "a.md", "b.md", "c.md"]

    try:
        qloop.run_until_complete(scenario())
    finally:
        release.set()


def test_the_network_page_chooses_the_transport(qtbot: QtBot, tmp_path: Path) -> None:
    assert Preferences().transport == "auto" and session_config(Preferences()).transport == "auto"
    dialog = SettingsDialog(Preferences(), "", keychain_works=True)
    qtbot.addWidget(dialog)
    combo = dialog.network.transport
    assert [combo.itemData(i) for i in range(combo.count())] == ["auto", "webrtc", "websocket"]
    assert combo.currentData() == "auto" and combo.currentText() == "Automatic"
    combo.setCurrentIndex(combo.findData("websocket"))
    values = dialog.values()
    assert values.transport == "websocket" and session_config(values).transport == "websocket"
    store = QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)
    save_preferences(store, values)
    assert load_preferences(store).transport == "websocket"
    store.setValue("transport", "pigeon")  # unreadable: the default again
    assert load_preferences(store).transport == "auto"
    again = SettingsDialog(values, "", keychain_works=True)
    qtbot.addWidget(again)
    assert again.network.transport.currentData() == "websocket"
