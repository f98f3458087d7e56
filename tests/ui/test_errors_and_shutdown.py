"""What the person sees when things go wrong, and that closing leaves nothing running."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QSettings
from PySide6.QtWidgets import QApplication

from desktop.app.launch import install_translators
from desktop.audio.notices import notice
from desktop.session.events import RawEvent, SessionState, UserTranscript
from desktop.settings.preferences import Preferences
from desktop.storage.paths import DATA_DIR_ENV
from tests.ui.harness import API_KEY, Running, connected, demo_root, open_app, opened_app, wait_until


def failed_with_banner(app: Running) -> bool:
    return app.window.banner.isVisible() and app.controller.state is SessionState.FAILED


def test_a_rejected_key_shows_a_banner_with_settings(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store, stored_key="not-the-right-key-000") as app:
            app.window.start.click()
            await wait_until(lambda: failed_with_banner(app))
            assert app.window.banner.settings.isVisible()  # the key is the problem: offer the settings
            assert "not-the-right-key" not in app.window.banner.message.text()
            app.window.banner.settings.click()
            await wait_until(lambda: app.window.settings_dialog is not None)
            assert app.window.settings_dialog is not None
            app.window.settings_dialog.reject()

    qloop.run_until_complete(scenario())


def test_a_refused_first_connect_is_logged_once_without_a_traceback(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """An expected failure (the service refused the key) is one ERROR line with its reason, not a
    traceback; the controller adds nothing to what the session logged."""
    caplog.set_level(logging.INFO)

    async def scenario() -> None:
        async with opened_app(settings_store, stored_key="not-the-right-key-000") as app:
            app.window.start.click()
            await wait_until(lambda: failed_with_banner(app))

    qloop.run_until_complete(scenario())
    (error,) = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert error.startswith("The conversation failed: ") and error.endswith("[unauthorized]")
    assert not [record for record in caplog.records if record.exc_info]
    assert not [record for record in caplog.records if record.name == "desktop.ui.controller"
                and record.levelno > logging.INFO]  # fmt: skip


def test_a_dropped_connection_reconnects_by_itself(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    async def scenario() -> None:
        app = await open_app(settings_store, greet=False)
        seen: list[str] = []
        banners: list[tuple[str, bool]] = []

        def look(_state: object, _detail: str) -> None:
            seen.append(app.window.talk.text())
            banner = app.window.banner
            if banner.isVisible():
                banners.append((banner.message.text(), banner.cancel.isVisible()))

        app.controller.stateChanged.connect(look)
        try:
            await connected(app, SessionState.LISTENING)
            app.window.transcript.show_event(UserTranscript("u1", "Remember Falcon.", True))
            await app.server.close_all_calls()
            await wait_until(lambda: app.controller.state is SessionState.RECONNECTING)
            assert "attempt 1 of 2" in app.window.status_text.text()
            await wait_until(lambda: app.controller.state is SessionState.LISTENING)
            label = app.window.talk.tr("Reconnecting… (attempt %1 of %2)")
            attempt = label.replace("%1", "1").replace("%2", "2")
            assert attempt in seen
            assert (attempt, True) in banners  # said in the banner too, with Cancel
            reconnected = app.window.tr("Reconnected; the conversation goes on.")
            assert app.window.statusBar().currentMessage() == reconnected
            assert not app.window.banner.isVisible()
            # One conversation goes on, with a discreet line where the connection was renewed.
            renewed = app.window.transcript.tr("connection renewed")
            assert any(renewed in text for text in app.window.transcript.bubble_texts())
            assert [t.role for t in app.window.transcript.conversation.turns] == ["user", "marker"]
            assert f"_— {renewed} —_" in app.window.transcript.markdown()
        finally:
            await app.close()

    qloop.run_until_complete(scenario())


def test_cancel_stops_reconnecting_and_ends_the_conversation(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store, greet=False) as app:
            await connected(app, SessionState.LISTENING)
            app.server.faults.mint_delay = 5.0  # every new attempt hangs: the person gives up waiting
            await app.server.close_all_calls()
            await wait_until(lambda: app.window.banner.cancel.isVisible())
            app.window.banner.cancel.click()
            await wait_until(lambda: app.controller.state is SessionState.CLOSED)
            assert not app.window.banner.isVisible() and app.window.start.isEnabled()

    qloop.run_until_complete(scenario())


def test_a_rate_limited_reconnection_counts_down_in_the_banner(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    """The service answers the first new attempt with 429 and Retry-After: 2: the banner says when the
    next one comes, and the conversation goes on after it."""

    async def scenario() -> None:
        async with opened_app(settings_store, greet=False) as app:
            await connected(app, SessionState.LISTENING)
            faults = app.server.faults
            faults.mint_failures, faults.mint_failure_status, faults.retry_after = 1, 429, "2"
            await app.server.close_all_calls()
            banner = app.window.banner
            await wait_until(lambda: banner.message.text() == "Rate limited; trying again in 2 s")
            assert banner.isVisible() and banner.cancel.isVisible()
            await wait_until(lambda: app.controller.state is SessionState.LISTENING)
            assert not banner.isVisible() and not banner.counting_down

    qloop.run_until_complete(scenario())


def test_when_reconnecting_fails_a_banner_offers_retry(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store, greet=False) as app:
            await connected(app, SessionState.LISTENING)
            app.server.faults.mint_status = 503  # the service stays down for every attempt
            await app.server.close_all_calls()
            await wait_until(lambda: failed_with_banner(app))
            assert app.window.banner.retry.isVisible()
            app.server.faults.mint_status = None  # back up
            app.window.banner.retry.click()
            await wait_until(lambda: app.controller.state is SessionState.LISTENING)
            assert not app.window.banner.isVisible()

    qloop.run_until_complete(scenario())


def test_the_inspector_shows_events_with_secrets_masked(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store, greet=False) as app:
            assert not app.window.inspector.isVisible()  # hidden until the View menu asks for it
            app.window.inspector_action.trigger()
            assert app.window.inspector.isVisible()
            await connected(app, SessionState.LISTENING)
            sneaky = {"type": "x.debug", "headers": {"Authorization": "Bearer abc"}, "note": f"key {API_KEY}",
                      "client_secret": {"value": "ek_1234567890abcdef"}, "api-key": API_KEY}  # fmt: skip
            app.controller.rawEvent.emit(RawEvent("received", "x.debug", sneaky, 0.0))
            app.window.inspector.flush()
            rows = list(app.window.inspector.table.rows)
            kinds = {(row.direction, row.type) for row in rows}
            assert ("sent", "session.update") in kinds and ("received", "session.updated") in kinds
            everything = repr([row.payload for row in rows])
            assert API_KEY not in everything and "ek_1234567890abcdef" not in everything
            assert "Bearer abc" not in everything

    qloop.run_until_complete(scenario())


def test_closing_leaves_no_task_thread_or_peer_connection(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    """Here on the demo provider (no key stored): the built-in server runs on its own thread."""

    async def scenario() -> None:
        app = await open_app(settings_store, stored_key=None)
        app.window.start.click()
        await wait_until(lambda: any("助理" in t for t in app.window.transcript.bubble_texts()))
        assert app.window.notice.isVisible()  # it says it is the demo
        assert any(t.name == "demo-server" for t in threading.enumerate())
        session = app.controller.call_session()
        assert session is not None and session.connection is not None
        await app.close()
        assert session.connection.peer_connection is None or (
            session.connection.peer_connection.connectionState == "closed"
        )
        assert not app.controller.tasks
        assert not any(t.name == "demo-server" for t in threading.enumerate())
        current = asyncio.current_task()
        await wait_until(lambda: not [t for t in asyncio.all_tasks() if t is not current and not t.done()])

    qloop.run_until_complete(scenario())


def test_a_calendar_that_cannot_open_is_one_sentence_and_the_conversation_still_works(
    qloop: asyncio.AbstractEventLoop,
    qapp: QApplication,
    settings_store: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "data"
    (data / "calendar.sqlite3").mkdir(parents=True)  # a folder where the database file should be
    monkeypatch.setenv(DATA_DIR_ENV, str(data))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # Root installs its own

    async def scenario() -> None:
        async with demo_root(qapp, settings_store, Preferences()) as root:
            banner = root.window.banner
            await wait_until(banner.isVisible, limit=20)
            assert banner.message.text() == root.window.tr(
                "The calendar could not be opened, so meetings cannot be booked in this run; "
                "the details are in the log."
            )
            assert not banner.retry.isVisible()  # starting the conversation over would not help
            assert root.toolbox is None and root.pane is None
            assert not any(t.name.startswith(("calendar", "knowledge")) for t in threading.enumerate())
            root.window.start.click()
            await wait_until(lambda: root.controller.state in (SessionState.READY, SessionState.LISTENING))

    qloop.run_until_complete(scenario())


def test_a_device_notice_reaches_the_banner_in_the_persons_language(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, qapp: QApplication
) -> None:
    installed = install_translators(qapp, QLocale("zh_CN"))

    async def scenario() -> None:
        async with opened_app(settings_store) as app:
            app.controller._audio_problem(notice("input", "lost", "USB Headset"))  # as the keeper says it
            unplugged = "麦克风“USB Headset”已断开；通话继续，但在它重新连接之前对方听不到你。"
            await wait_until(lambda: app.window.banner.message.text() == unplugged)
            assert app.window.banner.message.toolTip().startswith("The microphone “USB Headset”")
            app.controller._audio_problem(notice("input", "back", "USB Headset"), recovered=True)
            await wait_until(lambda: app.window.banner.message.text() == "麦克风“USB Headset”已恢复。")

    try:
        qloop.run_until_complete(scenario())
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
