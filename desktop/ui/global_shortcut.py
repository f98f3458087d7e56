"""Push-to-talk from anywhere: a shortcut (Ctrl+Alt+Space by default) held while another application
has focus talks as the talk button does. `pressed` and `released` mean what the button's do
(`desktop.ui.talk_gesture.TalkGesture`); one hold is one turn (`desktop.ui.same_hold`).

One backend a platform, each the platform's own way of handing an application one shortcut and no
other key (nothing here watches the keyboard): X11 a key grab (`shortcut_x11`), Windows a hot key
(`shortcut_windows`), macOS a Carbon hot key (`shortcut_macos`), Wayland the desktop's GlobalShortcuts
portal (`shortcut_portal`), whose answer comes later (`statusChanged`). Where none can be had (a
display without a keyboard of its own), `status` says why in a sentence that Settings shows.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence

from desktop.ui.same_hold import SameHold
from desktop.ui.shortcut_backend import Backend, Pending, failed

translate = QCoreApplication.translate
log = logging.getLogger(__name__)
_NEEDS_NO_MODIFIER = range(Qt.Key.Key_F1.value, Qt.Key.Key_F35.value + 1)


@dataclass(frozen=True, slots=True)
class ShortcutStatus:
    works: bool
    sentence: str  # what Settings says: that it works, or why not


def platform_here(platform: str, environ: Mapping[str, str] = os.environ) -> str:
    """Qt's platform name, except that Qt on XWayland is on Wayland all the same: an X11 grab there
    hears the key only while an X11 window has focus."""
    on_wayland = environ.get("WAYLAND_DISPLAY") or environ.get("XDG_SESSION_TYPE") == "wayland"
    return "wayland" if platform == "xcb" and on_wayland else platform


def unavailable_here(platform: str) -> str | None:
    """Why this platform has no global shortcut, or None where a backend exists."""
    if platform in ("xcb", "windows", "cocoa") or platform.startswith("wayland"):
        return None
    no_keyboard = translate(
        "GlobalShortcut", "Not available on this display (%1): it has no keyboard of its own."
    )
    return no_keyboard.replace("%1", platform)


def backend_for(platform: str) -> Backend:
    if platform == "windows":
        from desktop.ui.shortcut_windows import WindowsHotKey

        return WindowsHotKey()
    if platform == "cocoa":
        from desktop.ui.shortcut_macos import MacHotKey

        return MacHotKey()
    if platform.startswith("wayland"):
        from desktop.ui.shortcut_portal import PortalShortcut

        return PortalShortcut()
    from desktop.ui.shortcut_x11 import X11KeyGrab

    return X11KeyGrab()


class GlobalShortcut(QObject):
    pressed = Signal()
    released = Signal()
    statusChanged = Signal(object)  # ShortcutStatus, when the desktop answers later (Wayland's portal)
    said = Signal(str)  # about a shortcut the person just chose: why it does not work, or the later answer

    def __init__(
        self,
        parent: QObject | None = None,
        platform: str | None = None,
        backend_for: Callable[[str], Backend] = backend_for,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        """`platform`: Qt's platform name (None: this application's); `environ` tells XWayland apart."""
        super().__init__(parent)
        named = QGuiApplication.platformName() if platform is None else platform
        self._platform = platform_here(named, environ)
        self._backend_for = backend_for
        self._hold = SameHold(self)
        self._hold.pressed.connect(self.pressed)
        self._hold.released.connect(self.released)
        self._backend: Backend | None = None
        self._asked = 0  # which grab a later answer belongs to
        self._pending = False  # the desktop has yet to answer
        self._chosen = False  # the person just chose this shortcut: `said` tells them how it went
        self.status = _off()
        self.text = ""  # the shortcut asked for last (portable text)

    def set_shortcut(self, text: str, *, chosen: bool = False) -> ShortcutStatus:
        """Listen for `text` (portable form, "Ctrl+Alt+Space"; empty: off) instead of the last one.
        `chosen`: the person just chose it (in Settings), so a failure is said (`said`), not only shown
        in Settings."""
        self._release_grab()
        self._asked += 1
        self.text = text
        self._chosen = chosen and bool(text)
        self.status = self._grab(text)
        if text:
            log.info("Global shortcut %s: %s", text, "works" if self.status.works else self.status.sentence)
        if self._chosen and not self.status.works and not self._pending:
            self.said.emit(self.status.sentence)
        return self.status

    def stop(self) -> None:
        self._release_grab()
        self._asked += 1
        if self._backend is not None:
            self._backend.stop()
            self._backend = None

    def _grab(self, text: str) -> ShortcutStatus:
        self._pending = False
        sequence = QKeySequence(text)
        if sequence.isEmpty():
            return _off()
        why = unavailable_here(self._platform)
        if why is not None:
            return ShortcutStatus(False, why)
        combination = sequence[0]  # type: ignore[index]  # QKeySequence::operator[], not in the stubs
        key, modifiers = combination.key(), combination.keyboardModifiers()
        if sequence.count() > 1 or (not modifiers and key.value not in _NEEDS_NO_MODIFIER):
            return ShortcutStatus(False, translate(
                "GlobalShortcut",
                "Choose one key with Ctrl, Alt or Meta (or a function key alone), so that typing in "
                "other applications is left alone.",
            ))
        shown = sequence.toString(QKeySequence.SequenceFormat.NativeText)
        try:
            if self._backend is None:
                self._backend = self._backend_for(self._platform)
            settled = partial(self._settled, self._asked, shown)
            answer = self._backend.grab(key, modifiers, self._hold.press, self._hold.release, settled)
        except Exception:  # a system library missing or different: the app goes on without it
            log.exception("The global shortcut could not be set up")
            answer = failed()
        self._pending = isinstance(answer, Pending)
        if isinstance(answer, Pending):
            return ShortcutStatus(False, translate("GlobalShortcut", "Asking the desktop for this shortcut…"))
        return _works(shown) if answer is None else ShortcutStatus(False, answer)

    def _settled(self, asked: int, shown: str, why: str | None, described: str | None) -> None:
        """The desktop's later answer: `why` not, or None with the shortcut as it `described` it."""
        if asked != self._asked:
            return  # about a shortcut since replaced
        self.status = _works(described or shown) if why is None else ShortcutStatus(False, why)
        log.info("Global shortcut: %s", "works" if why is None else why)
        self._pending = False
        self.statusChanged.emit(self.status)
        if self._chosen:
            self.said.emit(self.status.sentence)

    def _release_grab(self) -> None:
        if self._backend is not None:
            self._backend.ungrab()
        if self._hold.held:  # the person still holds the old shortcut: that turn ends here
            self._hold.stop()
            self.released.emit()


def _works(shown: str) -> ShortcutStatus:
    works = translate("GlobalShortcut", "Works in every application: hold %1 to talk.")
    return ShortcutStatus(True, works.replace("%1", shown))


def _off() -> ShortcutStatus:
    off = translate("GlobalShortcut", "Off: Space talks while this window is in front.")
    return ShortcutStatus(False, off)
