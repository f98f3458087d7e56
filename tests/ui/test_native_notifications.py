"""The system's notifications through desktop-notifier over a real DBus: a private session bus
(dbus-daemon) with a small notification server of the test's own standing where a desktop's would
(none runs here). A reminder goes out with Show and Dismiss, and the server's Show brings the
meeting up; a server without buttons leaves reminders to the app's own window.

No `from __future__ import annotations`: dbus-fast reads the DBus signatures from the annotations.
"""
# ruff: noqa: F722, F821

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import pytest
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method, signal

from desktop.tools.reminders import Checked, Reminder
from desktop.ui.native_notifications import NativeNotifications
from desktop.ui.reminder_presenter import ReminderPresenter
from tests.ui.harness import wait_until

CST = timezone(timedelta(hours=8))
NOW = datetime(2025, 9, 9, 15, 20, tzinfo=CST)
STANDUP = Reminder("u1", 1, "Standup", datetime(2025, 9, 9, 15, 30, tzinfo=CST), 30, minutes=10)


class NotificationServer(ServiceInterface):
    """org.freedesktop.Notifications, as a desktop's notification daemon answers it."""

    def __init__(self, capabilities: list[str]) -> None:
        super().__init__("org.freedesktop.Notifications")
        self.capabilities = capabilities
        self.shown: list[tuple[str, str, list[str]]] = []

    @method()
    def GetCapabilities(self) -> "as":
        return self.capabilities

    @method()
    def GetServerInformation(self) -> "ssss":
        return ["test", "test", "1", "1.2"]

    @method()
    def Notify(self, app_name: "s", replaces_id: "u", app_icon: "s", summary: "s", body: "s",
               actions: "as", hints: "a{sv}", expire_timeout: "i") -> "u":
        self.shown.append((summary, body, actions))
        return len(self.shown)

    @method()
    def CloseNotification(self, nid: "u") -> None:
        pass

    @signal()
    def ActionInvoked(self, nid: int, key: str) -> "us":
        return [nid, key]

    @signal()
    def NotificationClosed(self, nid: int, reason: int) -> "uu":
        return [nid, reason]


@contextlib.asynccontextmanager
async def serving(address: str, server: NotificationServer) -> AsyncIterator[None]:
    bus = await MessageBus(bus_address=address).connect()
    bus.export("/org/freedesktop/Notifications", server)
    await bus.request_name("org.freedesktop.Notifications")
    try:
        yield
    finally:
        bus.disconnect()


def test_a_reminder_goes_to_the_system_with_show_and_dismiss(
        qloop: asyncio.AbstractEventLoop, session_bus: str) -> None:
    server = NotificationServer(["actions", "body"])
    shown: list[Reminder] = []
    reminders = ReminderPresenter(shown.append, native=NativeNotifications("Voice Assistant"),
                                  clock=lambda: NOW)

    async def scenario() -> None:
        async with serving(session_bus, server):
            reminders.present(Checked(due=(STANDUP,)))
            await wait_until(lambda: server.shown)
            [(summary, body, actions)] = server.shown
            assert summary == "Starts in 10 minutes" and body.startswith("Standup\n")
            assert actions[1::2][-2:] == ["Show", "Dismiss"]
            show_key = actions[actions.index("Show") - 1]
            server.ActionInvoked(1, show_key)
            await wait_until(lambda: shown)
        assert reminders.popups == []

    qloop.run_until_complete(scenario())
    assert shown == [STANDUP]


def test_a_service_without_buttons_leaves_reminders_to_the_app_s_window(
        qloop: asyncio.AbstractEventLoop, session_bus: str) -> None:
    server = NotificationServer(["body"])
    reminders = ReminderPresenter(lambda _r: None, native=NativeNotifications("Voice Assistant"),
                                  clock=lambda: NOW)

    async def scenario() -> None:
        async with serving(session_bus, server):
            reminders.present(Checked(due=(STANDUP,)))
            await wait_until(lambda: reminders.popups)

    qloop.run_until_complete(scenario())
    assert server.shown == [] and [p.title.text() for p in reminders.popups] == ["Standup"]
    reminders.close_all()


class CountingServer(NotificationServer):
    def __init__(self, capabilities: list[str]) -> None:
        super().__init__(capabilities)
        self.asked = 0

    @method()
    def GetCapabilities(self) -> "as":
        self.asked += 1
        return self.capabilities


def test_the_system_is_asked_once_ahead_of_the_first_reminder(
        qloop: asyncio.AbstractEventLoop, session_bus: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`prepare` asks early (the library imported on a worker thread), and the reminders that come
    at once later, or while it asks, share its answer."""
    import desktop.ui.native_notifications as module

    monkeypatch.setattr(module, "PREPARE_AFTER_S", 0.0)
    server = CountingServer(["actions", "body"])
    native = NativeNotifications("Voice Assistant")

    async def scenario() -> None:
        async with serving(session_bus, server):
            preparing = asyncio.ensure_future(native.prepare())
            answers = await asyncio.gather(native.usable(), native.usable())
            await preparing
            assert answers == [True, True] and await native.usable()

    qloop.run_until_complete(scenario())
    assert server.asked == 1
