"""The shortcuts macOS itself has on (System Settings → Keyboard → Keyboard Shortcuts: Spotlight,
Finder's search window, input sources, Mission Control…), read through Carbon's CopySymbolicHotKeys and
CoreFoundation by ctypes.

An application's hot key on one of those is not dependably heard, and Qt's Ctrl+Alt+Space is ⌥⌘Space
on a Mac, Finder's search window out of the box: `shortcut_macos` says so rather than "works".
"""

from __future__ import annotations

import ctypes
from typing import Any

CORE_FOUNDATION = "/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation"
UTF8, SINT64 = 0x08000100, 4  # kCFStringEncodingUTF8, kCFNumberSInt64Type
CODE, MODIFIERS, ENABLED = "kHISymbolicHotKeyCode", "kHISymbolicHotKeyModifiers", "kHISymbolicHotKeyEnabled"
COMPARED = 0x0100 | 0x0200 | 0x0800 | 0x1000 | 0x20000  # ⌘, Shift, Option, Control, fn (Carbon's bits)


def core_foundation_library(path: str = CORE_FOUNDATION) -> Any:
    """CoreFoundation's functions as this module calls them (macOS only: elsewhere, OSError)."""
    cf: Any = ctypes.CDLL(path)
    void, index = ctypes.c_void_p, ctypes.c_long
    declared = {
        "CFArrayGetCount": (index, [void]),
        "CFArrayGetValueAtIndex": (void, [void, index]),
        "CFDictionaryGetValue": (void, [void, void]),
        "CFNumberGetValue": (ctypes.c_bool, [void, index, void]),
        "CFBooleanGetValue": (ctypes.c_bool, [void]),
        "CFStringCreateWithCString": (void, [void, ctypes.c_char_p, ctypes.c_uint32]),
        "CFRelease": (None, [void]),
    }
    for name, (restype, argtypes) in declared.items():
        function = getattr(cf, name)
        function.restype, function.argtypes = restype, argtypes
    return cf


def system_shortcuts(carbon: Any, cf: Any) -> frozenset[tuple[int, int]]:
    """(key code, Carbon modifiers) of each shortcut macOS has on; none if it will not say."""
    copied = ctypes.c_void_p()
    if carbon.CopySymbolicHotKeys(ctypes.pointer(copied)) != 0 or not copied.value:
        return frozenset()
    array = copied.value
    keys = [cf.CFStringCreateWithCString(None, name.encode(), UTF8) for name in (CODE, MODIFIERS, ENABLED)]
    try:
        entries = (cf.CFArrayGetValueAtIndex(array, i) for i in range(cf.CFArrayGetCount(array)))
        return frozenset(found for entry in entries if (found := _shortcut(cf, entry, keys)) is not None)
    finally:
        for key in keys:
            cf.CFRelease(key)
        cf.CFRelease(array)


def _shortcut(cf: Any, entry: int, keys: list[int]) -> tuple[int, int] | None:
    code_key, modifiers_key, enabled_key = keys
    enabled = cf.CFDictionaryGetValue(entry, enabled_key)
    if not enabled or not cf.CFBooleanGetValue(enabled):
        return None
    code = _number(cf, cf.CFDictionaryGetValue(entry, code_key))
    modifiers = _number(cf, cf.CFDictionaryGetValue(entry, modifiers_key))
    return None if code is None or modifiers is None else (code, modifiers & COMPARED)


def _number(cf: Any, value: int | None) -> int | None:
    number = ctypes.c_int64()
    return number.value if value and cf.CFNumberGetValue(value, SINT64, ctypes.pointer(number)) else None
