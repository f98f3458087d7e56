"""The global shortcut on macOS: a Carbon hot key (RegisterEventHotKey), through ctypes.

The system hands the application the hot key's press (kEventHotKeyPressed) and its release
(kEventHotKeyReleased) whichever application has focus, and no other key: nothing watches the
keyboard, so macOS asks for no permission (an event tap or NSEvent's global monitor would need the
Accessibility permission, and would see every key). The events come to a handler installed on the
application's event target, which Qt's Cocoa event loop dispatches on the GUI thread.

Carbon is reached through `carbon`, the framework's library or a stand-in with the same functions (the
tests' fake), and CoreFoundation likewise: the seams. Nothing here needs pyobjc, and importing this
module needs no Mac.

Qt on macOS reads Ctrl as ⌘ and Meta as Control, so a shortcut the Settings field recorded is the one
registered. macOS 15 refuses a hot key whose modifiers are only Option and Shift (they type characters
in passwords); such a shortcut is said to need ⌘ or Control before asking. One macOS itself has on
(`macos_system_shortcuts`) is said to be taken, and where to turn it off.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt

from desktop.ui.macos_system_shortcuts import core_foundation_library, system_shortcuts
from desktop.ui.shortcut_backend import Pending, Settled

log = logging.getLogger(__name__)
translate = QCoreApplication.translate
CARBON = "/System/Library/Frameworks/Carbon.framework/Carbon"


def four_char_code(text: str) -> int:
    return int.from_bytes(text.encode("ascii"), "big")


KEYBOARD_EVENTS = four_char_code("keyb")  # kEventClassKeyboard
HOT_KEY_PRESSED, HOT_KEY_RELEASED = 5, 6  # kEventHotKeyPressed, kEventHotKeyReleased
DIRECT_OBJECT, HOT_KEY_ID_TYPE = four_char_code("----"), four_char_code("hkid")
SIGNATURE = four_char_code("VAsk")  # this app's hot keys
NO_ERROR, NOT_HANDLED, HOT_KEY_EXISTS = 0, -9874, -9878  # eventNotHandledErr, eventHotKeyExistsErr
COMMAND, SHIFT, OPTION, CONTROL = 0x0100, 0x0200, 0x0800, 0x1000  # cmdKey, shiftKey, optionKey, controlKey
_MODIFIERS = {
    Qt.KeyboardModifier.ControlModifier: COMMAND,  # Qt's Ctrl is ⌘ on macOS
    Qt.KeyboardModifier.MetaModifier: CONTROL,
    Qt.KeyboardModifier.AltModifier: OPTION,
    Qt.KeyboardModifier.ShiftModifier: SHIFT,
}
_LETTERS = dict(zip("ASDFHGZXCVBQWERYT", [*range(0x00, 0x0A), *range(0x0B, 0x12)], strict=True)) | {
    "O": 0x1F, "U": 0x20, "I": 0x22, "P": 0x23, "L": 0x25, "J": 0x26, "K": 0x28, "N": 0x2D, "M": 0x2E,
    "1": 0x12, "2": 0x13, "3": 0x14, "4": 0x15, "6": 0x16, "5": 0x17, "9": 0x19, "7": 0x1A, "8": 0x1C,
    "0": 0x1D, "=": 0x18, "-": 0x1B, "]": 0x1E, "[": 0x21, "'": 0x27, ";": 0x29, "\\": 0x2A, ",": 0x2B,
    "/": 0x2C, ".": 0x2F, "`": 0x32,
}  # fmt: skip  # kVK_ANSI_*: where the key sits on a US keyboard
_SPECIAL_KEYS = {
    Qt.Key.Key_Space: 0x31, Qt.Key.Key_Return: 0x24, Qt.Key.Key_Enter: 0x4C, Qt.Key.Key_Tab: 0x30,
    Qt.Key.Key_Backspace: 0x33, Qt.Key.Key_Escape: 0x35, Qt.Key.Key_Delete: 0x75, Qt.Key.Key_Help: 0x72,
    Qt.Key.Key_Home: 0x73, Qt.Key.Key_End: 0x77, Qt.Key.Key_PageUp: 0x74, Qt.Key.Key_PageDown: 0x79,
    Qt.Key.Key_Left: 0x7B, Qt.Key.Key_Right: 0x7C, Qt.Key.Key_Down: 0x7D, Qt.Key.Key_Up: 0x7E,
}  # fmt: skip
_FUNCTION_KEYS = [0x7A, 0x78, 0x63, 0x76, 0x60, 0x61, 0x62, 0x64, 0x65, 0x6D, 0x67, 0x6F, 0x69, 0x6B,
                  0x71, 0x6A, 0x40, 0x4F, 0x50, 0x5A]  # fmt: skip  # kVK_F1 … kVK_F20


class HotKeyID(ctypes.Structure):  # EventHotKeyID
    _fields_ = [("signature", ctypes.c_uint32), ("id", ctypes.c_uint32)]


class EventTypeSpec(ctypes.Structure):
    _fields_ = [("eventClass", ctypes.c_uint32), ("eventKind", ctypes.c_uint32)]


Handler = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)


def carbon_library(path: str = CARBON) -> Any:
    """Carbon's functions as this module calls them (macOS only: elsewhere, OSError)."""
    carbon: Any = ctypes.CDLL(path)
    void, status, u32, count = ctypes.c_void_p, ctypes.c_int32, ctypes.c_uint32, ctypes.c_ulong
    out = ctypes.POINTER(ctypes.c_void_p)
    declared = {
        "GetApplicationEventTarget": (void, []),
        "InstallEventHandler": (status, [void, Handler, count, ctypes.POINTER(EventTypeSpec), void, out]),
        "RemoveEventHandler": (status, [void]),
        "RegisterEventHotKey": (status, [u32, u32, HotKeyID, void, u32, out]),
        "UnregisterEventHotKey": (status, [void]),
        "GetEventKind": (u32, [void]),
        "GetEventParameter": (status, [void, u32, u32, void, count, void, ctypes.POINTER(HotKeyID)]),
        "CopySymbolicHotKeys": (status, [out]),
    }
    for name, (restype, argtypes) in declared.items():
        function = getattr(carbon, name)
        function.restype, function.argtypes = restype, argtypes
    return carbon


def mac_key_code(key: Qt.Key) -> int | None:
    """The macOS virtual key code (kVK_*) of a Qt key; letters and digits by their US-keyboard place."""
    if key in _SPECIAL_KEYS:
        return _SPECIAL_KEYS[key]
    function_key = key.value - Qt.Key.Key_F1.value
    if 0 <= function_key < len(_FUNCTION_KEYS):
        return _FUNCTION_KEYS[function_key]
    return _LETTERS.get(chr(key.value)) if key.value < 0x80 else None


def mac_modifiers(modifiers: Qt.KeyboardModifier) -> int:
    return sum(mask for flag, mask in _MODIFIERS.items() if modifiers & flag)


def _nothing() -> None:
    """What the shortcut does while no hot key is registered."""


class MacHotKey:
    """One Carbon hot key at a time, and the handler that hears its presses and releases."""

    def __init__(
        self, carbon: Callable[[], Any] = carbon_library, cf: Callable[[], Any] = core_foundation_library
    ) -> None:
        self._carbon, self._cf = carbon(), cf()
        self._target = self._carbon.GetApplicationEventTarget()
        self._handler = Handler(self._on_event)  # kept: Carbon holds only its address
        self._handler_ref = ctypes.c_void_p()
        kinds = (EventTypeSpec * 2)(EventTypeSpec(KEYBOARD_EVENTS, HOT_KEY_PRESSED),
                                    EventTypeSpec(KEYBOARD_EVENTS, HOT_KEY_RELEASED))  # fmt: skip
        status = self._carbon.InstallEventHandler(
            self._target, self._handler, len(kinds), kinds, None, ctypes.pointer(self._handler_ref)
        )
        if status != NO_ERROR:
            raise OSError(f"InstallEventHandler answered {status}")
        self._hot_key = ctypes.c_void_p()
        self._serial = 0  # the id of the hot key registered last: an event of an older one is not ours
        self._on_press = self._on_release = _nothing

    def grab(
        self, key: Qt.Key, modifiers: Qt.KeyboardModifier, on_press: Callable[[], None],
        on_release: Callable[[], None], on_settled: Settled,
    ) -> str | Pending | None:
        """None once registered; else why not, in a sentence (at once: `on_settled` is not called)."""
        self.ungrab()
        code = mac_key_code(key)
        if code is None:
            return translate("GlobalShortcut", "This keyboard has no such key here.")
        mask = mac_modifiers(modifiers)
        if mask and not mask & (COMMAND | CONTROL):
            return translate("GlobalShortcut", "macOS keeps Option and Shift for typing: add ⌘ or Control.")
        if (code, mask) in self._system_shortcuts():
            return translate(
                "GlobalShortcut",
                "macOS itself uses this shortcut: choose another, or turn it off in System Settings → "
                "Keyboard → Keyboard Shortcuts and choose it again here.",
            )
        self._serial += 1
        hot_key = ctypes.c_void_p()
        status = self._carbon.RegisterEventHotKey(
            code, mask, HotKeyID(SIGNATURE, self._serial), self._target, 0, ctypes.pointer(hot_key)
        )
        if status == HOT_KEY_EXISTS:
            return translate("GlobalShortcut", "Another application already uses this shortcut.")
        if status != NO_ERROR:
            log.warning("RegisterEventHotKey answered %s", status)
            refused = translate("GlobalShortcut", "macOS refused this shortcut (error %1).")
            return refused.replace("%1", str(status))
        self._hot_key, self._on_press, self._on_release = hot_key, on_press, on_release
        return None

    def ungrab(self) -> None:
        if self._hot_key.value:
            status = self._carbon.UnregisterEventHotKey(self._hot_key)
            if status != NO_ERROR:
                log.warning("UnregisterEventHotKey answered %s", status)
        self._hot_key = ctypes.c_void_p()
        self._on_press = self._on_release = _nothing

    def stop(self) -> None:
        self.ungrab()
        if self._handler_ref.value:
            self._carbon.RemoveEventHandler(self._handler_ref)
            self._handler_ref = ctypes.c_void_p()

    def _system_shortcuts(self) -> frozenset[tuple[int, int]]:
        try:
            return system_shortcuts(self._carbon, self._cf)
        except Exception:  # only a check: the hot key is tried all the same
            log.exception("macOS's own shortcuts could not be read")
            return frozenset()

    def _on_event(self, _next_handler: int | None, event: int | None, _data: int | None) -> int:
        """Carbon's call: a hot key's press or release. Never raises (ctypes would only print it)."""
        try:
            return self._heard(event)
        except Exception:
            log.exception("The global shortcut's event could not be read")
            return NOT_HANDLED

    def _heard(self, event: int | None) -> int:
        hot_key = HotKeyID()
        status = self._carbon.GetEventParameter(
            event, DIRECT_OBJECT, HOT_KEY_ID_TYPE, None, ctypes.sizeof(hot_key), None, ctypes.pointer(hot_key)
        )
        ours = status == NO_ERROR and hot_key.signature == SIGNATURE and hot_key.id == self._serial
        if not ours or not self._hot_key.value:
            return NOT_HANDLED  # another part of the app's hot key, or one since let go
        kind = self._carbon.GetEventKind(event)
        if kind == HOT_KEY_PRESSED:
            self._on_press()
        elif kind == HOT_KEY_RELEASED:
            self._on_release()
        else:
            return NOT_HANDLED
        return NO_ERROR
