"""What a platform's global shortcut backend is (`Backend`), and the base of those that hear the
shortcut through Qt's native event filter (`NativeShortcut`): X11's key grab, Windows' hot key. The
Wayland portal's answer comes later (`PENDING`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray, QCoreApplication, Qt


class Pending:
    """The grab's answer comes later, through `on_settled` (a desktop that asks the person first)."""


PENDING = Pending()
Settled = Callable[[str | None, str | None], None]  # why not (None: it works), the shortcut as shown


class Backend(Protocol):
    def grab(
        self, key: Qt.Key, modifiers: Qt.KeyboardModifier, on_press: Callable[[], None],
        on_release: Callable[[], None], on_settled: Settled,
    ) -> str | Pending | None: ...  # None once grabbed, else why not in a sentence, or PENDING
    def ungrab(self) -> None: ...
    def stop(self) -> None: ...


class NativeShortcut(QAbstractNativeEventFilter):
    """Installed as the application's native event filter until `stop`. A subclass names the native
    events it reads (`event_type`), finds the key's code (`_code`), grabs it (`_grab`) and ungrabs,
    and tells from one event's address whether it was the shortcut's (`_take`), calling `on_press` or
    `on_release`."""

    event_type = b""

    def __init__(self) -> None:
        super().__init__()
        self.on_press: Callable[[], None] = lambda: None
        self.on_release: Callable[[], None] = lambda: None
        self.grabbed = False
        _application().installNativeEventFilter(self)

    def grab(
        self, key: Qt.Key, modifiers: Qt.KeyboardModifier, on_press: Callable[[], None],
        on_release: Callable[[], None], on_settled: Settled,
    ) -> str | Pending | None:
        """None once grabbed; else why not, in a sentence (at once: `on_settled` is not called)."""
        self.ungrab()
        code = self._code(key)
        if code is None:
            return QCoreApplication.translate("GlobalShortcut", "This keyboard has no such key here.")
        why = self._grab(code, modifiers)
        if why is None:
            self.on_press, self.on_release, self.grabbed = on_press, on_release, True
        return why

    def ungrab(self) -> None:
        raise NotImplementedError

    def _code(self, key: Qt.Key) -> int | None:
        raise NotImplementedError

    def _grab(self, code: int, modifiers: Qt.KeyboardModifier) -> str | None:
        raise NotImplementedError

    def stop(self) -> None:
        self.ungrab()
        _application().removeNativeEventFilter(self)

    def nativeEventFilter(
        self, eventType: QByteArray | bytes | bytearray | memoryview, message: Any
    ) -> tuple[bool, int]:
        if not self.grabbed or QByteArray(eventType).data() != self.event_type:
            return False, 0
        return self._take(int(message)), 0

    def _take(self, address: int) -> bool:
        raise NotImplementedError


def _application() -> QCoreApplication:
    app = QCoreApplication.instance()
    assert app is not None
    return app


def failed() -> str:
    """Why not, when a backend broke (the cause goes to the log)."""
    return QCoreApplication.translate(
        "GlobalShortcut", "Could not listen for the shortcut here; the details are in the log."
    )
