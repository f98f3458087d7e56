"""The system's own notifications, through desktop-notifier (DBus org.freedesktop.Notifications on
Linux, WinRT toasts on Windows, UserNotifications on macOS), with Show and Dismiss buttons.

Used only where the service is there and takes buttons: desktop-notifier logs a failed send instead of
raising it, and on a platform it does not serve (macOS outside an app bundle) it sends nowhere, so
`send` answers whether the notification was really handed over (desktop-notifier's dispatch), and the
window shows its own reminder (reminder_popup.py) when it was not. No DBus session (a server, CI, a
bare X display) is such a case. The library is imported off the GUI thread a few seconds after the
window is up (`prepare`), or on first use.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
from collections.abc import Callable
from typing import Any

from desktop.storage import resource

log = logging.getLogger(__name__)

PREPARE_AFTER_S = 3.0  # after the first frame and the start-up work that the window waits for


def _import_off_the_gui_thread() -> None:
    """The library (tens of milliseconds to import) and, on Linux, its DBus backend, on a worker
    thread. The Windows and macOS backends stay with the thread that uses them: WinRT sets up its COM
    apartment, and the Objective-C bridge its runtime, on the thread that imports them first."""
    importlib.import_module("desktop_notifier")
    if sys.platform.startswith("linux"):
        importlib.import_module("desktop_notifier.backends.dbus")


class NativeNotifications:
    def __init__(self, app_name: str) -> None:
        self._app_name = app_name
        self._notifier: Any = None
        self._usable: bool | None = None
        self._asking: asyncio.Task[bool] | None = None

    async def prepare(self) -> None:
        """Asks the system a little later, so the first reminder finds the answer ready."""
        await asyncio.sleep(PREPARE_AFTER_S)
        await self.usable()

    def close(self) -> None:
        """At shutdown: a question still on its way is not left pending."""
        if self._asking is not None:
            self._asking.cancel()

    async def usable(self) -> bool:
        """Whether the system's service is there and shows buttons (asked once per run)."""
        if self._usable is None:
            if self._asking is None:  # one question, however many ask at once
                self._asking = asyncio.ensure_future(self._ask())
            usable = await asyncio.shield(self._asking)
            self._usable = usable
        return self._usable

    async def _ask(self) -> bool:
        try:
            await asyncio.to_thread(_import_off_the_gui_thread)
            from desktop_notifier import Capability, DesktopNotifier, Icon

            icon = Icon(path=resource("icons", "app.png"))
            notifier = DesktopNotifier(app_name=self._app_name, app_icon=icon)
            capabilities = await notifier.get_capabilities()
        except Exception as error:  # no DBus session, no service, the library missing: our own window
            log.info("system notifications are not available (%s); reminders use a window of our own",
                     type(error).__name__)
            return False
        if Capability.BUTTONS not in capabilities:
            log.info("the system's notifications take no buttons; reminders use a window of our own")
            return False
        self._notifier = notifier
        return True

    async def send(self, title: str, message: str, buttons: tuple[str, str],
                   on_show: Callable[[], None], on_dismiss: Callable[[], None]) -> bool:
        """Hands the notification to the system: Show (`buttons[0]`, or a click on it) calls
        `on_show`, Dismiss (`buttons[1]`, or closing it) `on_dismiss`. False when it was not handed
        over, and the caller shows its own."""
        if not await self.usable():
            return False
        from desktop_notifier import Button

        dispatched: list[bool] = []
        try:
            await self._notifier.send(
                title, message,
                buttons=[Button(title=buttons[0], on_pressed=on_show),
                         Button(title=buttons[1], on_pressed=on_dismiss)],
                on_clicked=on_show, on_dismissed=on_dismiss, on_dispatched=lambda: dispatched.append(True))
        except Exception:
            log.warning("the system did not take the notification", exc_info=True)
            return False
        return bool(dispatched)
