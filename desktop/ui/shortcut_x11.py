"""The global shortcut on X11: a passive key grab on the root window (XGrabKey, through libxcb).

The X server hands the grabbing client the shortcut's press and release whichever window has focus,
and no other key: this is not a keyboard listener. Qt's own xcb connection is used
(`QNativeInterface.QX11Application`), so the events arrive on Qt's event loop as xcb events, which a
`QAbstractNativeEventFilter` takes before Qt delivers them. One grab per combination of the lock
modifiers (Caps Lock, Num Lock), which X counts as modifiers too. A grab another client already holds
fails with BadAccess: the shortcut is then said to be taken.

Grabbing waits for the X server's answer (one local round trip), once per change of the shortcut.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication, QNativeInterface

from desktop.ui.shortcut_backend import NativeShortcut

translate = QCoreApplication.translate
_KEY_PRESS, _KEY_RELEASE = 2, 3
_BAD_ACCESS = 10
_GRAB_MODE_ASYNC = 1
_SHIFT, _LOCK, _CONTROL, _MOD1, _MOD2, _MOD4 = 1, 2, 4, 8, 16, 64  # Mod1 is Alt, Mod2 Num Lock, Mod4 Super
_LOCKS = (0, _LOCK, _MOD2, _LOCK | _MOD2)
_MODIFIERS = {
    Qt.KeyboardModifier.ShiftModifier: _SHIFT,
    Qt.KeyboardModifier.ControlModifier: _CONTROL,
    Qt.KeyboardModifier.AltModifier: _MOD1,
    Qt.KeyboardModifier.MetaModifier: _MOD4,
}
_SPECIAL_KEYSYMS = {
    Qt.Key.Key_Space: 0x0020, Qt.Key.Key_Escape: 0xFF1B, Qt.Key.Key_Tab: 0xFF09,
    Qt.Key.Key_Backspace: 0xFF08, Qt.Key.Key_Return: 0xFF0D, Qt.Key.Key_Enter: 0xFF8D,
    Qt.Key.Key_Insert: 0xFF63, Qt.Key.Key_Delete: 0xFFFF, Qt.Key.Key_Pause: 0xFF13,
    Qt.Key.Key_Print: 0xFF61, Qt.Key.Key_Home: 0xFF50, Qt.Key.Key_End: 0xFF57,
    Qt.Key.Key_Left: 0xFF51, Qt.Key.Key_Up: 0xFF52, Qt.Key.Key_Right: 0xFF53, Qt.Key.Key_Down: 0xFF54,
    Qt.Key.Key_PageUp: 0xFF55, Qt.Key.Key_PageDown: 0xFF56,
}  # fmt: skip


class _KeyEvent(ctypes.Structure):  # xcb_key_press_event_t (a release has the same layout)
    _fields_ = [
        ("response_type", ctypes.c_uint8), ("detail", ctypes.c_uint8), ("sequence", ctypes.c_uint16),
        ("time", ctypes.c_uint32), ("root", ctypes.c_uint32), ("event", ctypes.c_uint32),
        ("child", ctypes.c_uint32), ("root_x", ctypes.c_int16), ("root_y", ctypes.c_int16),
        ("event_x", ctypes.c_int16), ("event_y", ctypes.c_int16), ("state", ctypes.c_uint16),
    ]  # fmt: skip


class _Error(ctypes.Structure):  # xcb_generic_error_t, its head
    _fields_ = [("response_type", ctypes.c_uint8), ("error_code", ctypes.c_uint8)]


class _Cookie(ctypes.Structure):  # xcb_void_cookie_t
    _fields_ = [("sequence", ctypes.c_uint)]


class _Screen(ctypes.Structure):  # xcb_screen_t, its head
    _fields_ = [("root", ctypes.c_uint32)]


class _ScreenIterator(ctypes.Structure):  # xcb_screen_iterator_t
    _fields_ = [("data", ctypes.POINTER(_Screen)), ("rem", ctypes.c_int), ("index", ctypes.c_int)]


class _Setup(ctypes.Structure):  # xcb_setup_t, up to the keycode range
    _fields_ = [
        ("status", ctypes.c_uint8), ("pad0", ctypes.c_uint8), ("major", ctypes.c_uint16),
        ("minor", ctypes.c_uint16), ("length", ctypes.c_uint16), ("release", ctypes.c_uint32),
        ("rid_base", ctypes.c_uint32), ("rid_mask", ctypes.c_uint32),
        ("motion_buffer", ctypes.c_uint32), ("vendor_len", ctypes.c_uint16),
        ("max_request", ctypes.c_uint16), ("roots_len", ctypes.c_uint8), ("formats_len", ctypes.c_uint8),
        ("image_byte_order", ctypes.c_uint8), ("bitmap_bit_order", ctypes.c_uint8),
        ("scanline_unit", ctypes.c_uint8), ("scanline_pad", ctypes.c_uint8),
        ("min_keycode", ctypes.c_uint8), ("max_keycode", ctypes.c_uint8),
    ]  # fmt: skip


class _MappingCookie(ctypes.Structure):  # xcb_get_keyboard_mapping_cookie_t
    _fields_ = [("sequence", ctypes.c_uint)]


class _MappingReply(ctypes.Structure):  # xcb_get_keyboard_mapping_reply_t, its head
    _fields_ = [("response_type", ctypes.c_uint8), ("keysyms_per_keycode", ctypes.c_uint8)]


def _libraries() -> tuple[Any, Any]:
    xcb = ctypes.CDLL(ctypes.util.find_library("xcb") or "libxcb.so.1")
    libc = ctypes.CDLL(None)
    xcb.xcb_get_setup.restype = ctypes.POINTER(_Setup)
    xcb.xcb_setup_roots_iterator.restype = _ScreenIterator
    xcb.xcb_setup_roots_iterator.argtypes = [ctypes.POINTER(_Setup)]
    xcb.xcb_get_setup.argtypes = [ctypes.c_void_p]
    xcb.xcb_grab_key_checked.restype = _Cookie
    xcb.xcb_grab_key_checked.argtypes = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint32, ctypes.c_uint16,
                                         ctypes.c_uint8, ctypes.c_uint8, ctypes.c_uint8]
    xcb.xcb_ungrab_key.restype = _Cookie
    xcb.xcb_ungrab_key.argtypes = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint32, ctypes.c_uint16]
    xcb.xcb_request_check.restype = ctypes.POINTER(_Error)
    xcb.xcb_request_check.argtypes = [ctypes.c_void_p, _Cookie]
    xcb.xcb_get_keyboard_mapping.restype = _MappingCookie
    xcb.xcb_get_keyboard_mapping.argtypes = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint8]
    xcb.xcb_get_keyboard_mapping_reply.restype = ctypes.POINTER(_MappingReply)
    xcb.xcb_get_keyboard_mapping_reply.argtypes = [ctypes.c_void_p, _MappingCookie, ctypes.c_void_p]
    xcb.xcb_get_keyboard_mapping_keysyms.restype = ctypes.POINTER(ctypes.c_uint32)
    xcb.xcb_get_keyboard_mapping_keysyms.argtypes = [ctypes.POINTER(_MappingReply)]
    xcb.xcb_get_keyboard_mapping_keysyms_length.argtypes = [ctypes.POINTER(_MappingReply)]
    xcb.xcb_flush.argtypes = [ctypes.c_void_p]
    libc.free.argtypes = [ctypes.c_void_p]
    return xcb, libc


def keysym_for(key: Qt.Key) -> int | None:
    """The X keysym of a Qt key: Latin-1 keys are their own keysym (letters in lower case)."""
    if key in _SPECIAL_KEYSYMS:
        return _SPECIAL_KEYSYMS[key]
    if Qt.Key.Key_F1.value <= key.value <= Qt.Key.Key_F35.value:
        return 0xFFBE + key.value - Qt.Key.Key_F1.value
    if 0x21 <= key.value <= 0xFF:
        return ord(chr(key.value).lower())
    return None


def x11_modifiers(modifiers: Qt.KeyboardModifier) -> int:
    return sum(mask for flag, mask in _MODIFIERS.items() if modifiers & flag)


class X11KeyGrab(NativeShortcut):
    """Grabs one key combination on the root window and reports its presses and releases."""

    event_type = b"xcb_generic_event_t"

    def __init__(self) -> None:
        x11 = QGuiApplication.instance().nativeInterface()  # type: ignore[union-attr]
        assert isinstance(x11, QNativeInterface.QX11Application)
        self._connection = ctypes.c_void_p(x11.connection())
        self._xcb, self._libc = _libraries()
        setup = self._xcb.xcb_get_setup(self._connection)
        self._root = self._xcb.xcb_setup_roots_iterator(setup).data.contents.root
        self._keycode_range = (setup.contents.min_keycode, setup.contents.max_keycode)
        self._grabbed: list[tuple[int, int]] = []  # (keycode, modifiers)
        self._keycode = 0
        super().__init__()

    def _code(self, key: Qt.Key) -> int | None:
        keysym = keysym_for(key)
        return self._keycode_of(keysym) if keysym is not None else None

    def _grab(self, keycode: int, modifiers: Qt.KeyboardModifier) -> str | None:
        mask = x11_modifiers(modifiers)
        for locks in _LOCKS:
            cookie = self._xcb.xcb_grab_key_checked(
                self._connection, 0, self._root, mask | locks, keycode, _GRAB_MODE_ASYNC, _GRAB_MODE_ASYNC
            )
            error = self._xcb.xcb_request_check(self._connection, cookie)
            if error:
                code = error.contents.error_code
                self._libc.free(error)
                self.ungrab()
                if code == _BAD_ACCESS:
                    return translate("GlobalShortcut", "Another application already uses this shortcut.")
                refused = translate("GlobalShortcut", "The display refused this shortcut (X11 error %1).")
                return refused.replace("%1", str(code))
            self._grabbed.append((keycode, mask | locks))
        self._keycode = keycode
        return None

    def ungrab(self) -> None:
        for keycode, mask in self._grabbed:
            self._xcb.xcb_ungrab_key(self._connection, keycode, self._root, mask)
        if self._grabbed:
            self._xcb.xcb_flush(self._connection)
        self._grabbed, self._keycode, self.grabbed = [], 0, False

    def _take(self, address: int) -> bool:
        event = _KeyEvent.from_address(address)
        kind = event.response_type & 0x7F
        ours = event.detail == self._keycode and event.event == self._root  # the grab's, not a window's
        if kind not in (_KEY_PRESS, _KEY_RELEASE) or not ours:
            return False
        (self.on_press if kind == _KEY_PRESS else self.on_release)()
        return True

    def _keycode_of(self, keysym: int) -> int | None:
        first, last = self._keycode_range
        cookie = self._xcb.xcb_get_keyboard_mapping(self._connection, first, last - first + 1)
        reply = self._xcb.xcb_get_keyboard_mapping_reply(self._connection, cookie, None)
        if not reply:
            return None
        try:
            per_keycode = reply.contents.keysyms_per_keycode
            keysyms = self._xcb.xcb_get_keyboard_mapping_keysyms(reply)
            count = self._xcb.xcb_get_keyboard_mapping_keysyms_length(reply)
            for index in range(count):
                if keysyms[index] == keysym:
                    return first + index // per_keycode
            return None
        finally:
            self._libc.free(reply)

