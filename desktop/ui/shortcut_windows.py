"""The global shortcut on Windows: RegisterHotKey, whose WM_HOTKEY reaches Qt's event loop as a
thread message that a `QAbstractNativeEventFilter` takes ("windows_generic_MSG").

Windows reports a hot key's press only. Its release is found with GetAsyncKeyState on a short Qt
timer that runs only while the shortcut is held, from the press to the release: this asks about one
key during one hold, it does not watch the keyboard at rest. MOD_NOREPEAT keeps auto-repeat out.
"""

from __future__ import annotations

import ctypes
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer

from desktop.ui.shortcut_backend import NativeShortcut

translate = QCoreApplication.translate
_WM_HOTKEY = 0x0312
_HOTKEY_ID = 0x5641  # any id of this app's own, below 0xC000
_ALREADY_REGISTERED = 1409  # ERROR_HOTKEY_ALREADY_REGISTERED
_MOD_ALT, _MOD_CONTROL, _MOD_SHIFT, _MOD_WIN, _MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000
_RELEASE_CHECK_MS = 30
_MODIFIERS = {
    Qt.KeyboardModifier.AltModifier: _MOD_ALT,
    Qt.KeyboardModifier.ControlModifier: _MOD_CONTROL,
    Qt.KeyboardModifier.ShiftModifier: _MOD_SHIFT,
    Qt.KeyboardModifier.MetaModifier: _MOD_WIN,
}
_SPECIAL_KEYS = {
    Qt.Key.Key_Space: 0x20, Qt.Key.Key_Escape: 0x1B, Qt.Key.Key_Tab: 0x09, Qt.Key.Key_Backspace: 0x08,
    Qt.Key.Key_Return: 0x0D, Qt.Key.Key_Enter: 0x0D, Qt.Key.Key_Insert: 0x2D, Qt.Key.Key_Delete: 0x2E,
    Qt.Key.Key_Pause: 0x13, Qt.Key.Key_Print: 0x2C, Qt.Key.Key_Home: 0x24, Qt.Key.Key_End: 0x23,
    Qt.Key.Key_Left: 0x25, Qt.Key.Key_Up: 0x26, Qt.Key.Key_Right: 0x27, Qt.Key.Key_Down: 0x28,
    Qt.Key.Key_PageUp: 0x21, Qt.Key.Key_PageDown: 0x22,
}  # fmt: skip


class _Message(ctypes.Structure):  # MSG, its head
    _fields_ = [("hwnd", ctypes.c_void_p), ("message", ctypes.c_uint), ("wParam", ctypes.c_size_t)]


def virtual_key(key: Qt.Key) -> int | None:
    """The Windows virtual-key code of a Qt key (letters and digits are their ASCII upper case)."""
    if key in _SPECIAL_KEYS:
        return _SPECIAL_KEYS[key]
    if Qt.Key.Key_F1.value <= key.value <= Qt.Key.Key_F24.value:
        return 0x70 + key.value - Qt.Key.Key_F1.value
    digit = Qt.Key.Key_0.value <= key.value <= Qt.Key.Key_9.value
    if digit or Qt.Key.Key_A.value <= key.value <= Qt.Key.Key_Z.value:
        return key.value
    return None


def windows_modifiers(modifiers: Qt.KeyboardModifier) -> int:
    return sum(mask for flag, mask in _MODIFIERS.items() if modifiers & flag) | _MOD_NOREPEAT


class WindowsHotKey(NativeShortcut):
    event_type = b"windows_generic_MSG"

    def __init__(self) -> None:
        self._user32: Any = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
        self._vk = 0
        self._held = QTimer()  # runs only from a press to its release
        self._held.setInterval(_RELEASE_CHECK_MS)
        self._held.timeout.connect(self._check_release)
        super().__init__()

    def _code(self, key: Qt.Key) -> int | None:
        return virtual_key(key)

    def _grab(self, vk: int, modifiers: Qt.KeyboardModifier) -> str | None:
        if not self._user32.RegisterHotKey(None, _HOTKEY_ID, windows_modifiers(modifiers), vk):
            if ctypes.get_last_error() == _ALREADY_REGISTERED:  # type: ignore[attr-defined]
                return translate("GlobalShortcut", "Another application already uses this shortcut.")
            return translate("GlobalShortcut", "Windows refused this shortcut.")
        self._vk = vk
        return None

    def ungrab(self) -> None:
        if self._vk:
            self._user32.UnregisterHotKey(None, _HOTKEY_ID)
        self._vk, self.grabbed = 0, False
        self._held.stop()

    def _take(self, address: int) -> bool:
        msg = _Message.from_address(address)
        if msg.message != _WM_HOTKEY or msg.wParam != _HOTKEY_ID:
            return False
        if not self._held.isActive():
            self._held.start()
            self.on_press()
        return True

    def _check_release(self) -> None:
        if not self._user32.GetAsyncKeyState(self._vk) & 0x8000:
            self._held.stop()
            self.on_release()

