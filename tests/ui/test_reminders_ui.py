"""Reminders in the window: the reminder choice of the meeting dialog and of Settings, the app's own
reminder window with Show and Dismiss, the system's notifications used only where they are there
(desktop-notifier, really asked: with no DBus session here it says no), the missed meetings said once,
and Show raising the window on the meeting's day."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMainWindow
from pytestqt.qtbot import QtBot

from desktop.settings import Preferences, load_preferences, save_preferences
from desktop.storage.meeting_model import NO_REMINDER, MeetingDraft
from desktop.storage.meetings import MeetingStore
from desktop.storage.paths import DATA_DIR_ENV
from desktop.storage.worker import StoreWorker
from desktop.tools.reminders import Checked, Reminder
from desktop.ui.calendar_pane import CalendarPane
from desktop.ui.meeting_dialog import MeetingDialog
from desktop.ui.native_notifications import NativeNotifications
from desktop.ui.reminder_presenter import ReminderPresenter, show_day
from desktop.ui.settings_dialog import SettingsDialog
from tests.ui.harness import demo_root, wait_until

CST = timezone(timedelta(hours=8))
NOW = datetime(2025, 9, 9, 15, 20, tzinfo=CST)
FIELDS = {"title": "周会", "start_time": "2025-09-09 15:30:00", "duration": 60}
STANDUP = Reminder("u1", 1, "Standup", datetime(2025, 9, 9, 15, 30, tzinfo=CST), 30, minutes=10)


def dialog(qtbot: QtBot, fields: dict[str, object], mode: str = "create", default: int = 10) -> MeetingDialog:
    made = MeetingDialog(None, mode, fields, tz=CST, now=lambda: NOW, default_reminder=default)  # type: ignore[arg-type]
    qtbot.addWidget(made)
    return made


def test_the_dialog_offers_the_default_a_lead_or_none(qtbot: QtBot) -> None:
    shown = dialog(qtbot, FIELDS, default=15)
    assert shown.reminder.currentText() == "Default (15 minutes before)"
    assert "reminder" not in shown.values()  # the default stays the default, whatever Settings says later
    shown.reminder.set_value(30)
    assert shown.values()["reminder"] == 30
    shown.reminder.setCurrentIndex(shown.reminder.findData(NO_REMINDER))
    assert shown.values()["reminder"] == NO_REMINDER and shown.reminder.currentText() == "No reminder"


def test_a_meeting_s_own_reminder_is_shown_and_kept_even_off_the_list(qtbot: QtBot) -> None:
    shown = dialog(qtbot, {**FIELDS, "reminder": 20}, mode="edit")
    assert shown.reminder.currentText() == "20 minutes before" and shown.values()["reminder"] == 20
    shown.reminder.set_value(None)  # back to the default: said, so the edit stores it
    assert shown.values()["reminder"] is None
    cancel = dialog(qtbot, {**FIELDS, "reminder": 20}, mode="cancel")
    assert not cancel.form.isRowVisible(cancel.reminder)


def test_settings_keep_the_default_reminder(qtbot: QtBot, settings_store: QSettings) -> None:
    shown = SettingsDialog(Preferences(default_reminder_minutes=30), "", keychain_works=True)
    qtbot.addWidget(shown)
    assert shown.calendar.reminder.currentText() == "30 minutes before"
    assert shown.values().default_reminder_minutes == 30
    shown.calendar.reminder.set_value(NO_REMINDER)
    save_preferences(settings_store, shown.values())
    assert load_preferences(settings_store).default_reminder_minutes == NO_REMINDER
    assert Preferences().default_reminder_minutes == 10


def presenter(qtbot: QtBot, shown: list[Reminder],
              native: NativeNotifications | None = None) -> ReminderPresenter:
    return ReminderPresenter(shown.append, native=native, clock=lambda: NOW)


def test_the_app_s_own_reminder_says_what_and_when_and_show_goes_to_it(qtbot: QtBot) -> None:
    shown: list[Reminder] = []
    reminders = presenter(qtbot, shown)
    reminders.present(Checked(due=(STANDUP,)))
    [popup] = reminders.popups
    assert popup.isVisible()
    assert popup.heading.text() == "Starts in 10 minutes" and popup.title.text() == "Standup"
    when = datetime(2025, 9, 9, 15, 30, tzinfo=CST).astimezone()
    assert popup.when.text() == f"{when:%Y-%m-%d %H:%M}–{when + timedelta(minutes=30):%H:%M} (30 min)"
    popup.show_button.click()
    assert shown == [STANDUP]
    qtbot.waitUntil(lambda: reminders.popups == [])


def test_dismiss_closes_the_reminder_and_shows_nothing(qtbot: QtBot) -> None:
    shown: list[Reminder] = []
    reminders = presenter(qtbot, shown)
    reminders.present(Checked(due=(STANDUP, replace(STANDUP, uid="u2", title="Review"))))
    assert [p.title.text() for p in reminders.popups] == ["Standup", "Review"]
    assert reminders.popups[1].y() < reminders.popups[0].y()  # stacked upwards
    reminders.popups[0].dismiss_button.click()
    qtbot.waitUntil(lambda: [p.title.text() for p in reminders.popups] == ["Review"])
    assert shown == []


class StubNative(NativeNotifications):
    """The system's service, stubbed: there is none on this machine to show buttons."""

    def __init__(self, takes: bool) -> None:
        super().__init__("Voice Assistant")
        self.takes = takes
        self.sent: list[tuple[str, str, tuple[str, str]]] = []
        self.on_show = lambda: None

    async def send(self, title: str, message: str, buttons: tuple[str, str], on_show, on_dismiss) -> bool:  # type: ignore[no-untyped-def]
        self.sent.append((title, message, buttons))
        self.on_show = on_show
        return self.takes


def test_the_system_s_notification_is_used_where_it_is_taken(
        qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    shown: list[Reminder] = []
    native = StubNative(takes=True)
    reminders = presenter(qtbot, shown, native)

    async def scenario() -> None:
        reminders.present(Checked(due=(STANDUP,)))
        await asyncio.sleep(0.05)

    qloop.run_until_complete(scenario())
    [(title, message, buttons)] = native.sent
    assert title == "Starts in 10 minutes" and message.startswith("Standup\n")
    assert buttons == ("Show", "Dismiss")
    assert reminders.popups == []
    native.on_show()
    assert shown == [STANDUP]


def test_where_the_system_refuses_the_app_shows_its_own(
        qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> None:
    reminders = presenter(qtbot, [], StubNative(takes=False))

    async def scenario() -> None:
        reminders.present(Checked(due=(STANDUP,)))
        for _ in range(100):
            if reminders.popups:
                return
            await asyncio.sleep(0.01)

    qloop.run_until_complete(scenario())
    assert [p.title.text() for p in reminders.popups] == ["Standup"]
    reminders.close_all()


def test_without_a_dbus_session_system_notifications_say_no(
        qloop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    native = NativeNotifications("Voice Assistant")
    sent = qloop.run_until_complete(native.send("t", "m", ("Show", "Dismiss"), lambda: None, lambda: None))
    assert sent is False and qloop.run_until_complete(native.usable()) is False


def test_missed_meetings_are_kept_and_said_once(qtbot: QtBot) -> None:
    reminders = presenter(qtbot, [])
    review = replace(STANDUP, uid="u2", title="Review")
    with qtbot.waitSignal(reminders.missed_found) as said:
        reminders.present(Checked(missed=(STANDUP, review)))
    start = STANDUP.start.astimezone()
    assert said.args == [f"Missed while the app was closed: “Standup” at {start:%Y-%m-%d %H:%M}. And 1 more."]
    assert reminders.missed == [STANDUP, review]
    with qtbot.assertNotEmitted(reminders.missed_found):
        reminders.present(Checked())


def test_missed_meetings_of_an_earlier_run_are_listed_again_unsaid(qtbot: QtBot) -> None:
    reminders = presenter(qtbot, [])
    earlier = replace(STANDUP, uid="u0", start=STANDUP.start - timedelta(hours=3))
    reminders.present(Checked(missed=(STANDUP,)))
    with qtbot.assertNotEmitted(reminders.missed_found), qtbot.waitSignal(reminders.missed_restored):
        reminders.restore((earlier, replace(STANDUP, meeting_id=None)))  # the log has this run's too
    assert [reminder.uid for reminder in reminders.missed] == ["u0", "u1"]  # in start order, once each


def test_show_raises_the_hidden_window_on_the_meeting_s_day(
        qtbot: QtBot, qloop: object, store: MeetingStore, worker: StoreWorker) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    pane = CalendarPane(store, worker, tz=CST, now=lambda: NOW)
    window.setCentralWidget(pane)
    window.hide()
    show_day(window, pane, date(2025, 9, 23))
    assert window.isVisible() and pane.selected_day() == date(2025, 9, 23)
    pane.shutdown()


def test_the_app_reminds_with_its_window_hidden_and_says_what_was_missed(
        qloop: asyncio.AbstractEventLoop, qapp: QApplication, settings_store: QSettings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole app (the composition root) on a calendar written by an earlier run: a meeting in five
    minutes is announced though the window is hidden, one that started while the app was closed is
    said once in the status bar, and Show brings the window back on the meeting's day."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv(DATA_DIR_ENV, str(data))
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # Root installs its own
    now = datetime.now().astimezone().replace(microsecond=0)
    earlier = MeetingStore(data / "calendar.sqlite3")
    soon = earlier.create(MeetingDraft("Soon", now + timedelta(minutes=5), 30))
    earlier.create(MeetingDraft("Started while closed", now - timedelta(minutes=30), 60))
    earlier._conn.execute("UPDATE meetings SET created_at = ?", ((now - timedelta(days=1)).isoformat(),))
    earlier.reminder_log().record([], int((now - timedelta(hours=2)).timestamp()))  # last run: 2 hours ago
    earlier.close()

    async def scenario() -> None:
        async with demo_root(qapp, settings_store, Preferences()) as root:
            root.window.hide()
            await wait_until(lambda: root.reminders is not None and bool(root.reminders.popups), limit=20)
            assert root.reminders is not None and root.pane is not None
            [popup] = root.reminders.popups
            assert popup.title.text() == "Soon" and not root.window.isVisible()
            assert root.window.statusBar().currentMessage().startswith(
                "Missed while the app was closed: “Started while closed”")
            assert [m.title for m in root.reminders.missed] == ["Started while closed"]
            popup.show_button.click()
            assert root.window.isVisible()
            assert root.pane.selected_day() == soon.start.astimezone().date()

    qloop.run_until_complete(scenario())

    async def restarted() -> None:  # the next run lists it again, from the reminder log
        async with demo_root(qapp, settings_store, Preferences()) as root:
            await wait_until(lambda: root.reminders is not None and bool(root.reminders.missed), limit=20)
            assert root.reminders is not None
            assert [m.title for m in root.reminders.missed] == ["Started while closed"]
            assert not root.window.statusBar().currentMessage().startswith("Missed")  # said once, last run

    qloop.run_until_complete(restarted())
