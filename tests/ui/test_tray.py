"""The system tray (desktop/ui/tray.py): Qt's own QSystemTrayIcon and QMenu, with only
`isSystemTrayAvailable` stubbed where a test needs a tray (offscreen Qt has none). The menu's actions
and their enabled state per session state, the icon and tooltip per state, closing to the tray or
quitting, the first close said once, the next meeting and the missed line, and the actions driven
through the real controller against the demo server."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import QLockFile, QSettings
from PySide6.QtGui import QAction
from PySide6.QtNetwork import QLocalSocket
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from desktop.app.session_factory import AppSessionFactory
from desktop.session.events import SessionState
from desktop.settings import Preferences, load_preferences, save_preferences
from desktop.settings.keychain import KeyStore
from desktop.storage.meeting_model import MeetingDraft
from desktop.storage.meetings import MeetingStore
from desktop.storage.paths import DATA_DIR_ENV
from desktop.storage.worker import StoreWorker
from desktop.tools.reminders import Checked, Reminder
from desktop.ui.calendar_pane import CalendarPane
from desktop.ui.controller import Controller
from desktop.ui.main_window import MainWindow
from desktop.ui.reminder_presenter import ReminderPresenter
from desktop.ui.settings_pages import CalendarPage
from desktop.ui.single_instance import SHOWN, Instance, bring_to_front, server_name
from desktop.ui.tray import CLOSE_NOTE_KEY, Tray
from desktop.ui.tray_icons import TrayState
from tests.ui.harness import connected, demo_root, opened_app, wait_until

CST = timezone(timedelta(hours=8))
NOW = datetime(2025, 9, 9, 15, 20, tzinfo=CST)


def tray_exists(monkeypatch: pytest.MonkeyPatch, here: bool = True) -> None:
    """The one stub: whether the desktop has a tray (offscreen Qt has none)."""
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: here))


@pytest.fixture
def window(qtbot: QtBot, settings_store: QSettings) -> Iterator[MainWindow]:
    shown = MainWindow()
    qtbot.addWidget(shown)
    controller = Controller(settings_store, load_preferences(settings_store), KeyStore({}),
                            AppSessionFactory(environ={}))
    shown.bind(controller)
    shown.show()
    yield shown
    controller.deleteLater()


def make_tray(window: MainWindow, store: QSettings, now: datetime = NOW) -> Tray:
    assert window.controller is not None
    return Tray(window, window.controller, store, now=lambda: now)


def texts(tray: Tray) -> list[str]:
    shown = [action for action in tray.menu.actions() if action.isVisible() and not action.isSeparator()]
    return [action.text() for action in shown]


def test_the_menu_has_its_actions_enabled_as_the_session_allows(
        window: MainWindow, settings_store: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    tray_exists(monkeypatch)
    tray = make_tray(window, settings_store)
    assert tray.icon.isVisible()
    assert texts(tray) == ["Show window", "Start conversation", "End conversation", "Hands-free",
                           "No meetings coming up", "Quit"]
    assert tray.start_action.isEnabled() and not tray.end_action.isEnabled()
    assert not tray.next_action.isEnabled() and tray.quit_action.isEnabled()
    controller = window.controller
    assert controller is not None
    for state in (SessionState.CONNECTING, SessionState.READY, SessionState.ASSISTANT_SPEAKING):
        controller._set_state(state)
        assert not tray.start_action.isEnabled() and tray.end_action.isEnabled()
    for state in (SessionState.CLOSED, SessionState.FAILED, SessionState.IDLE):
        controller._set_state(state)
        assert tray.start_action.isEnabled() and not tray.end_action.isEnabled()


def test_each_state_has_its_own_icon_and_says_it_in_words(
        window: MainWindow, settings_store: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    tray_exists(monkeypatch)
    tray = make_tray(window, settings_store)
    controller = window.controller
    assert controller is not None
    seen: dict[TrayState, tuple[bytes, str]] = {}

    def record() -> None:
        image = tray.icon.icon().pixmap(32, 32).toImage()
        seen[tray.shown] = (bytes(image.constBits()), tray.icon.toolTip())

    record()
    controller._set_state(SessionState.LISTENING)
    record()
    controller._set_state(SessionState.ASSISTANT_SPEAKING)
    record()
    window.confirmation_opened("call-1")  # a meeting dialog asks the person
    record()
    controller._set_state(SessionState.FAILED)
    record()
    assert set(seen) == set(TrayState)
    assert len({picture for picture, _ in seen.values()}) == 5
    assert [words for _, words in seen.values()] == [
        "Voice Assistant: Not in a conversation", "Voice Assistant: Listening",
        "Voice Assistant: The assistant is speaking", "Voice Assistant: Waiting for your confirmation",
        "Voice Assistant: The conversation stopped with an error"]
    controller._set_state(SessionState.READY)  # the dialogs went with the failed call
    assert tray.shown is TrayState.IDLE and tray.icon.toolTip() == "Voice Assistant: In a conversation"


def test_hands_free_in_the_menu_and_in_the_window_stay_the_same(
        window: MainWindow, settings_store: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    tray_exists(monkeypatch)
    tray = make_tray(window, settings_store)
    assert window.controller is not None
    assert tray.hands_free_action.isChecked() == window.hands_free.isChecked()
    was_on = window.hands_free.isChecked()
    window.hands_free.click()
    assert tray.hands_free_action.isChecked() is window.hands_free.isChecked() is (not was_on)
    tray.hands_free_action.trigger()
    assert tray.hands_free_action.isChecked() is window.hands_free.isChecked() is was_on
    assert window.controller.push_to_talk is (not was_on)


def test_closing_keeps_the_app_in_the_tray_and_says_so_once(
        qtbot: QtBot, window: MainWindow, settings_store: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    tray_exists(monkeypatch)
    tray = make_tray(window, settings_store)
    said: list[str] = []
    quits: list[str] = []
    tray.noteShown.connect(said.append)
    window.closeRequested.connect(quits.append)
    window.close()
    assert not window.isVisible() and quits == []
    assert len(said) == 1 and "tray" in said[0]
    assert settings_store.value(CLOSE_NOTE_KEY) in (True, "true")
    bring_to_front(window)  # what a second launch does (single_instance.py)
    assert window.isVisible()
    window.close()
    assert len(said) == 1 and quits == []
    again = make_tray(window, QSettings(settings_store.fileName(), QSettings.Format.IniFormat))
    again.noteShown.connect(said.append)
    bring_to_front(window)
    window.close()
    assert len(said) == 1  # remembered in the settings


def test_a_tray_that_comes_up_after_the_app_gets_the_icon(
        qtbot: QtBot, window: MainWindow, settings_store: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Started at login before the panel: the icon appears once the tray does, and the window then
    closes to it."""
    import desktop.ui.tray as tray_module

    monkeypatch.setattr(tray_module, "TRAY_WATCH_MS", 10)
    tray_exists(monkeypatch, here=False)
    tray = make_tray(window, settings_store)
    assert not tray.icon.isVisible() and not tray.keeps_app()
    tray_exists(monkeypatch)  # the panel is up
    qtbot.waitUntil(tray.icon.isVisible)
    assert tray.keeps_app()
    tray.shutdown()


def test_without_a_tray_or_with_the_setting_off_closing_quits(
        window: MainWindow, settings_store: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    tray_exists(monkeypatch, here=False)
    tray = make_tray(window, settings_store)
    quits: list[str] = []
    window.closeRequested.connect(quits.append)
    assert not tray.icon.isVisible() and not tray.keeps_app()
    window.close()
    assert quits == ["the window was closed"]
    tray_exists(monkeypatch)
    assert window.controller is not None
    window.controller.prefs = replace(window.controller.prefs, close_to_tray=False)
    assert not tray.keeps_app()


def test_quit_in_the_tray_and_in_the_file_menu_really_quit(
        window: MainWindow, settings_store: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    tray_exists(monkeypatch)
    tray = make_tray(window, settings_store)
    quits: list[str] = []
    window.closeRequested.connect(quits.append)
    tray.quit_action.trigger()
    assert quits == ["Quit was chosen in the tray"] and not window.isVisible()
    window.show()
    window.keep_on_close = tray.keeps_app
    [file_quit] = [action for action in window.findChildren(QAction) if action.text() == "&Quit"]
    file_quit.trigger()
    assert quits[-1].startswith("Quit was chosen (the File menu")


def test_a_click_on_the_icon_shows_or_hides_the_window(
        window: MainWindow, settings_store: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    tray_exists(monkeypatch)
    tray = make_tray(window, settings_store)
    tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert not window.isVisible()
    tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert window.isVisible()
    window.showMinimized()
    tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert window.isVisible() and not window.isMinimized()
    tray.show_action.trigger()
    assert window.isVisible()


def test_the_next_meeting_is_in_the_menu_and_shows_its_day(
        qtbot: QtBot, qloop: object, window: MainWindow, settings_store: QSettings, store: MeetingStore,
        worker: StoreWorker, monkeypatch: pytest.MonkeyPatch) -> None:
    tray_exists(monkeypatch)
    store.create(MeetingDraft("Earlier today", NOW - timedelta(hours=2), 30))
    review = store.create(MeetingDraft("Design review with a very long title that goes on and on",
                                       NOW + timedelta(days=2, hours=1), 45))
    store.create(MeetingDraft("Later", NOW + timedelta(days=3), 30))
    pane = CalendarPane(store, worker, tz=CST, now=lambda: NOW)
    window.add_side_pane(pane)
    tray = make_tray(window, settings_store)
    tray.use_calendar(pane, store, worker)
    start = review.start.astimezone()
    qtbot.waitUntil(lambda: tray.next_action.isEnabled())
    title = "Design review with a very long title th…"  # elided at 40 characters
    assert tray.next_action.text() == f"Next: {title}, {start:%Y-%m-%d %H:%M}"
    assert tray.next_action.isEnabled()
    window.hide()
    tray.next_action.trigger()
    assert window.isVisible() and pane.selected_day() == start.date()
    store.create(MeetingDraft("Booked just now", NOW + timedelta(hours=1), 15))  # by voice, say
    qtbot.waitUntil(lambda: tray.next_action.text().startswith("Next: Booked just now"))
    tray.shutdown()
    pane.shutdown()


def test_meetings_missed_while_closed_have_a_line_until_looked_at(
        window: MainWindow, settings_store: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    tray_exists(monkeypatch)
    tray = make_tray(window, settings_store)
    reminders = ReminderPresenter(lambda _reminder: None, parent=window)
    tray.use_reminders(reminders)
    assert not tray.missed_action.isVisible()
    standup = Reminder("u1", 1, "Standup", datetime(2025, 9, 9, 9, 30, tzinfo=CST), 15)
    review = Reminder("u2", 2, "Review", datetime(2025, 9, 9, 11, 0, tzinfo=CST), 30)
    reminders.present(Checked(missed=(standup, review)))
    shown = standup.start.astimezone()
    assert tray.missed_action.isVisible()
    assert tray.missed_action.text() == f"Missed while closed: Standup, {shown:%Y-%m-%d %H:%M} (and 1 more)"
    window.hide()
    tray.missed_action.trigger()
    assert window.isVisible() and not tray.missed_action.isVisible()


def test_the_missed_line_outlives_a_restart_until_looked_at(
        window: MainWindow, settings_store: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A restart lists again what an earlier run found missed (the reminder log gives it back), and
    what the person looked at through the menu stays looked at."""
    tray_exists(monkeypatch)
    standup = Reminder("u1", None, "Standup", datetime(2025, 9, 9, 9, 30, tzinfo=CST), 15)
    review = Reminder("u2", None, "Review", datetime(2025, 9, 9, 11, 0, tzinfo=CST), 30)
    first = make_tray(window, settings_store)
    first.use_reminders(earlier := ReminderPresenter(lambda _reminder: None, parent=window))
    earlier.restore((standup,))
    assert first.missed_action.isVisible() and "Standup" in first.missed_action.text()
    first.missed_action.trigger()  # looked at: gone, and stays gone
    first.shutdown()
    second = make_tray(window, settings_store)
    second.use_reminders(restarted := ReminderPresenter(lambda _reminder: None, parent=window))
    restarted.restore((standup, review))  # the log's last day: one seen, one not
    assert second.missed_action.isVisible()
    assert second.missed_action.text().startswith("Missed while closed: Review")
    second.shutdown()


def test_settings_keep_the_close_to_tray_choice(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, settings_store: QSettings) -> None:
    tray_exists(monkeypatch)
    page = CalendarPage(Preferences())
    qtbot.addWidget(page)
    assert page.close_to_tray.isChecked() and page.close_to_tray.isEnabled()
    page.close_to_tray.setChecked(False)
    save_preferences(settings_store, page.values(Preferences()))
    assert load_preferences(settings_store).close_to_tray is False
    tray_exists(monkeypatch, here=False)
    without = CalendarPage(Preferences())
    qtbot.addWidget(without)
    assert not without.close_to_tray.isEnabled() and "no system tray" in without.close_to_tray.toolTip()


def test_the_tray_s_actions_drive_a_real_conversation(
        qloop: asyncio.AbstractEventLoop, settings_store: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Start, hands-free and End from the tray's menu, through the real controller, against the demo
    server; the icon follows the conversation."""
    tray_exists(monkeypatch)

    async def scenario() -> None:
        async with opened_app(settings_store, greet=False) as app:
            tray = Tray(app.window, app.controller, settings_store)
            tray.start_action.trigger()
            await wait_until(lambda: app.controller.state in (SessionState.READY, SessionState.LISTENING))
            assert tray.end_action.isEnabled() and not tray.start_action.isEnabled()
            assert tray.hands_free_action.isChecked()  # the settings' default: the assistant listens
            tray.hands_free_action.trigger()
            await wait_until(lambda: app.controller.state is SessionState.READY)
            assert not app.window.hands_free.isChecked() and app.controller.push_to_talk
            tray.hands_free_action.trigger()
            await wait_until(lambda: app.controller.state is SessionState.LISTENING)
            assert app.window.hands_free.isChecked() and tray.shown is TrayState.LISTENING
            tray.end_action.trigger()
            await wait_until(lambda: app.controller.state in (SessionState.IDLE, SessionState.CLOSED))
            assert tray.start_action.isEnabled() and tray.shown is TrayState.IDLE
            await connected(app)  # the window's Start still works beside the tray
            tray.shutdown()

    qloop.run_until_complete(scenario())


def test_the_app_stays_in_the_tray_until_quit(
        qloop: asyncio.AbstractEventLoop, qapp: QApplication, settings_store: QSettings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The composition root with a tray: closing the window hides it and the app runs on; the tray's
    Quit stops it."""
    tray_exists(monkeypatch)
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # Root installs its own

    async def scenario() -> None:
        async with demo_root(qapp, settings_store, Preferences()) as root:
            await wait_until(lambda: root.tray is not None and root.reminders is not None, limit=20)
            assert root.tray is not None
            root.window.close()
            assert not root.window.isVisible() and not root.quit_requested.is_set()
            root.tray.quit_action.trigger()
            await wait_until(root.quit_requested.is_set)
            assert root.quit_reason == "Quit was chosen in the tray"

    qloop.run_until_complete(scenario())


def test_a_second_launch_shows_the_window_kept_in_the_tray(
        qtbot: QtBot, window: MainWindow, settings_store: QSettings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The window closed to the tray; a second launch asks the app, over its local socket, for the
    window (as single_instance.py's launch does), and it comes back."""
    tray_exists(monkeypatch)
    make_tray(window, settings_store)
    lock = QLockFile(str(tmp_path / "held.lock"))
    assert lock.tryLock(0)
    instance = Instance(lock)
    instance.listen(window)
    window.close()
    assert not window.isVisible()
    launch = QLocalSocket()
    answer = bytearray()
    launch.readyRead.connect(lambda: answer.extend(launch.readAll().data()))
    launch.connectToServer(server_name())
    launch.write(b"show\n")
    qtbot.waitUntil(lambda: launch.state() == QLocalSocket.LocalSocketState.UnconnectedState)
    assert bytes(answer) == SHOWN and window.isVisible()
    instance.release()


def test_where_the_tray_shows_no_message_the_first_close_is_a_small_note(
        qtbot: QtBot, window: MainWindow, settings_store: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    tray_exists(monkeypatch)
    tray = make_tray(window, settings_store)
    monkeypatch.setattr(QSystemTrayIcon, "supportsMessages", staticmethod(lambda: False))
    window.close()
    assert tray.note is not None and tray.note.isVisible()
    assert tray.note.text() == "Voice Assistant is still running"
    assert "File → Quit" in tray.note.informativeText()
    tray.note.accept()


def test_a_tray_that_came_after_the_start_does_not_swallow_the_window(
        qtbot: QtBot, window: MainWindow, settings_store: QSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    """No icon of ours on the panel: closing quits, as without a tray."""
    tray_exists(monkeypatch)
    tray = make_tray(window, settings_store)
    tray.icon.hide()
    assert not tray.keeps_app()
