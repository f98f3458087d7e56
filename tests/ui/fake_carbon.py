"""Carbon's hot key functions and the few CoreFoundation ones `desktop.ui.shortcut_macos` calls, standing
where macOS stands: they take the same ctypes arguments, write the same out-parameters, answer with
Carbon's status codes, and dispatch hot key events to the installed handlers as the Carbon event manager
does (a handler's eventNotHandledErr passes the event on). CoreFoundation's objects are Python objects
behind made-up addresses; `objects` shows what was created and not released."""

from __future__ import annotations

import ctypes
import itertools
from dataclasses import dataclass
from typing import Any

from desktop.ui.macos_system_shortcuts import CODE, ENABLED, MODIFIERS, SINT64, UTF8
from desktop.ui.shortcut_macos import (
    COMMAND,
    DIRECT_OBJECT,
    HOT_KEY_EXISTS,
    HOT_KEY_ID_TYPE,
    HOT_KEY_PRESSED,
    HOT_KEY_RELEASED,
    KEYBOARD_EVENTS,
    NOT_HANDLED,
    OPTION,
    HotKeyID,
)

SPACE, F9 = 0x31, 0x65
FINDER_SEARCH = (SPACE, COMMAND | OPTION)  # on in macOS out of the box: "Show Finder search window"
UNKNOWN_REF, PARAMETER_NOT_FOUND = -9875, -9870


@dataclass
class HotKey:
    code: int
    modifiers: int
    signature: int
    id: int


class FakeCarbon:
    def __init__(self, taken: tuple[tuple[int, int], ...] = (), install_status: int = 0) -> None:
        self.taken = taken  # (code, modifiers) another application registered
        self.install_status = install_status
        self.register_status = 0
        self.system: list[tuple[int, int, bool]] = []  # macOS's own shortcuts: code, modifiers, on
        self.target = 0x7A12
        self.handlers: dict[int, tuple[Any, list[tuple[int, int]]]] = {}  # ref: handler, its event kinds
        self.hot_keys: dict[int, HotKey] = {}  # ref: hot key
        self.events: dict[int, tuple[int, HotKeyID]] = {}  # an event being dispatched: kind, hot key id
        self.objects: dict[int, Any] = {}  # CoreFoundation's, by address
        self._addresses = itertools.count(0x1000, 8)

    # Carbon: the hot key and its handler
    def GetApplicationEventTarget(self) -> int:
        return self.target

    def InstallEventHandler(
        self, target: int, handler: Any, count: int, kinds: Any, _data: None, out: Any
    ) -> int:
        assert target == self.target
        if self.install_status:
            return self.install_status
        ref = next(self._addresses)
        self.handlers[ref] = (handler, [(kinds[i].eventClass, kinds[i].eventKind) for i in range(count)])
        out.contents.value = ref
        return 0

    def RemoveEventHandler(self, ref: ctypes.c_void_p) -> int:
        return 0 if self.handlers.pop(ref.value or 0, None) else UNKNOWN_REF

    def RegisterEventHotKey(
        self, code: int, modifiers: int, hot_key_id: HotKeyID, target: int, _options: int, out: Any
    ) -> int:
        assert target == self.target
        if (code, modifiers) in self.taken:
            return HOT_KEY_EXISTS
        if self.register_status:
            return self.register_status
        ref = next(self._addresses)
        self.hot_keys[ref] = HotKey(code, modifiers, hot_key_id.signature, hot_key_id.id)
        out.contents.value = ref
        return 0

    def UnregisterEventHotKey(self, ref: ctypes.c_void_p) -> int:
        return 0 if self.hot_keys.pop(ref.value or 0, None) else UNKNOWN_REF

    def GetEventKind(self, event: int) -> int:
        return self.events[event][0]

    def GetEventParameter(
        self, event: int, name: int, kind: int, _actual_type: None, size: int, _actual_size: None, out: Any
    ) -> int:
        if name != DIRECT_OBJECT or kind != HOT_KEY_ID_TYPE or size != ctypes.sizeof(HotKeyID):
            return PARAMETER_NOT_FOUND
        hot_key_id = self.events[event][1]
        out.contents.signature, out.contents.id = hot_key_id.signature, hot_key_id.id
        return 0

    # Carbon and CoreFoundation: macOS's own shortcuts
    def CopySymbolicHotKeys(self, out: Any) -> int:
        keep = self._keep
        entries = [keep({CODE: keep(code), MODIFIERS: keep(modifiers), ENABLED: keep(on)})
                   for code, modifiers, on in self.system]  # fmt: skip
        out.contents.value = self._keep(entries)
        return 0

    def CFStringCreateWithCString(self, _allocator: None, text: bytes, encoding: int) -> int:
        assert encoding == UTF8
        return self._keep(text.decode())

    def CFArrayGetCount(self, array: int) -> int:
        return len(self.objects[array])

    def CFArrayGetValueAtIndex(self, array: int, index: int) -> int:
        return int(self.objects[array][index])

    def CFDictionaryGetValue(self, dictionary: int, key: int) -> int | None:
        found: int | None = self.objects[dictionary].get(self.objects[key])
        return found

    def CFNumberGetValue(self, number: int, kind: int, out: Any) -> bool:
        value = self.objects[number]
        if kind != SINT64 or isinstance(value, bool):
            return False
        out.contents.value = value
        return True

    def CFBooleanGetValue(self, boolean: int) -> bool:
        value = self.objects[boolean]
        assert isinstance(value, bool), "CFBooleanGetValue on something else crashes"
        return value

    def CFRelease(self, address: int) -> None:
        value = self.objects.pop(address)
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
        for child in children:  # a container releases what it holds
            self.CFRelease(child)

    def _keep(self, value: Any) -> int:
        address = next(self._addresses)
        self.objects[address] = value
        return address

    # the keyboard
    def press(self, code: int, modifiers: int) -> list[int]:
        return self._send(HOT_KEY_PRESSED, code, modifiers)

    def release(self, code: int, modifiers: int) -> list[int]:
        return self._send(HOT_KEY_RELEASED, code, modifiers)

    def send(self, kind: int, hot_key_id: HotKeyID) -> list[int]:
        """One event through the handler chain, as Carbon dispatches it: what each handler answered."""
        event = 0x50000 + len(self.events)
        self.events[event] = (kind, hot_key_id)
        answers = []
        try:
            for handler, kinds in list(self.handlers.values()):
                if (KEYBOARD_EVENTS, kind) in kinds:
                    answers.append(handler(None, event, None))
                    if answers[-1] != NOT_HANDLED:
                        break
        finally:
            del self.events[event]
        return answers

    def _send(self, kind: int, code: int, modifiers: int) -> list[int]:
        for hot_key in self.hot_keys.values():
            if (hot_key.code, hot_key.modifiers) == (code, modifiers):
                return self.send(kind, HotKeyID(hot_key.signature, hot_key.id))
        return []  # no hot key: the key went to the application in front
