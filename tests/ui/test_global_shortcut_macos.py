"""Push-to-talk from anywhere on macOS (desktop.ui.shortcut_macos): the Carbon hot key, registered,
heard (press and release through the installed handler, one hold one turn), changed, refused, and let
go at the end. macOS is not here: `FakeCarbon` stands where Carbon's functions stand, takes the same
ctypes arguments, writes the same out-parameters and dispatches hot key events to the installed
handlers as the Carbon event manager does (a handler's eventNotHandledErr passes the event on)."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.ui.global_shortcut import GlobalShortcut
from desktop.ui.shortcut_macos import (
    COMMAND,
    CONTROL,
    DIRECT_OBJECT,
    HOT_KEY_ID_TYPE,
    HOT_KEY_PRESSED,
    HOT_KEY_RELEASED,
    KEYBOARD_EVENTS,
    NOT_HANDLED,
    OPTION,
    SIGNATURE,
    HotKeyID,
    MacHotKey,
    carbon_library,
    four_char_code,
    mac_key_code,
)  # fmt: skip

SPACE, F9 = 0x31, 0x65
TAKEN = (SPACE, COMMAND | OPTION)
UNKNOWN_REF = -9875  # eventHotKeyInvalidErr's neighbour, any error Carbon gives an unknown reference


@dataclass
class HotKey:
    code: int
    modifiers: int
    signature: int
    id: int


class FakeCarbon:
    """Carbon's hot key functions, as `MacHotKey` calls them, over a keyboard the test presses."""

    def __init__(self, taken: tuple[tuple[int, int], ...] = (), install_status: int = 0) -> None:
        self.taken = taken  # (code, modifiers) another application registered
        self.install_status = install_status
        self.register_status = 0
        self.target = 0x7A12
        self.handlers: dict[int, tuple[Any, list[tuple[int, int]]]] = {}  # ref: handler, its event kinds
        self.hot_keys: dict[int, HotKey] = {}  # ref: hot key
        self.events: dict[int, tuple[int, HotKeyID]] = {}  # an event being dispatched: kind, hot key id
        self._refs = iter(range(0x1000, 0x2000, 8))

    def GetApplicationEventTarget(self) -> int:
        return self.target

    def InstallEventHandler(
        self, target: int, handler: Any, count: int, kinds: Any, _data: None, out: Any
    ) -> int:
        assert target == self.target
        if self.install_status:
            return self.install_status
        ref = next(self._refs)
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
            return -9878  # eventHotKeyExistsErr
        if self.register_status:
            return self.register_status
        ref = next(self._refs)
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
            return -9870  # eventParameterNotFoundErr
        hot_key_id = self.events[event][1]
        out.contents.signature, out.contents.id = hot_key_id.signature, hot_key_id.id
        return 0

    def press(self, code: int, modifiers: int) -> list[int]:
        return self._send(HOT_KEY_PRESSED, code, modifiers)

    def release(self, code: int, modifiers: int) -> list[int]:
        return self._send(HOT_KEY_RELEASED, code, modifiers)

    def send(self, kind: int, hot_key_id: HotKeyID) -> list[int]:
        """One event through the handler chain, as Carbon dispatches it: what each handler answered."""
        event = 0x5000 + len(self.events)
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


def on_mac(carbon: FakeCarbon) -> tuple[GlobalShortcut, list[str]]:
    shortcut = GlobalShortcut(platform="cocoa", backend_for=lambda _platform: MacHotKey(lambda: carbon))
    heard: list[str] = []
    shortcut.pressed.connect(lambda: heard.append("pressed"))
    shortcut.released.connect(lambda: heard.append("released"))
    return shortcut, heard


def test_the_hot_key_is_registered_and_one_hold_is_one_turn(qtbot: QtBot) -> None:
    carbon = FakeCarbon()
    shortcut, heard = on_mac(carbon)
    status = shortcut.set_shortcut("Ctrl+Alt+Space")  # ⌥⌘Space: Qt's Ctrl is ⌘ on macOS
    assert status.works and status.sentence.startswith("Works in every application")
    assert [(k.code, k.modifiers) for k in carbon.hot_keys.values()] == [(SPACE, COMMAND | OPTION)]
    [(_handler, kinds)] = carbon.handlers.values()
    assert sorted(kinds) == [(KEYBOARD_EVENTS, HOT_KEY_PRESSED), (KEYBOARD_EVENTS, HOT_KEY_RELEASED)]
    assert carbon.press(SPACE, COMMAND | OPTION) == [0]  # handled: noErr
    assert heard == ["pressed"]
    carbon.release(SPACE, COMMAND | OPTION)
    carbon.press(SPACE, COMMAND | OPTION)  # pressed again at once: the same hold
    qtbot.wait(80)
    assert heard == ["pressed"]
    carbon.release(SPACE, COMMAND | OPTION)
    qtbot.waitUntil(lambda: heard == ["pressed", "released"])
    shortcut.stop()


def test_a_changed_shortcut_replaces_the_hot_key_and_the_old_one_is_not_heard(qtbot: QtBot) -> None:
    carbon = FakeCarbon()
    shortcut, heard = on_mac(carbon)
    shortcut.set_shortcut("Ctrl+Alt+Space")
    [old] = carbon.hot_keys.values()
    carbon.press(SPACE, COMMAND | OPTION)
    assert shortcut.set_shortcut("Meta+Alt+F9").works  # changed while held: that turn ends
    assert heard == ["pressed", "released"]
    assert [(k.code, k.modifiers) for k in carbon.hot_keys.values()] == [(F9, CONTROL | OPTION)]
    assert carbon.send(HOT_KEY_RELEASED, HotKeyID(old.signature, old.id)) == [NOT_HANDLED]
    assert carbon.send(HOT_KEY_PRESSED, HotKeyID(four_char_code("else"), 1)) == [NOT_HANDLED]
    assert heard == ["pressed", "released"]  # neither was this shortcut's
    carbon.press(F9, CONTROL | OPTION)
    assert heard == ["pressed", "released", "pressed"]
    shortcut.stop()


def test_stopping_unregisters_the_hot_key_and_removes_the_handler() -> None:
    carbon = FakeCarbon()
    shortcut, heard = on_mac(carbon)
    shortcut.set_shortcut("Ctrl+Alt+Space")
    shortcut.stop()
    assert carbon.hot_keys == {} and carbon.handlers == {}
    assert carbon.press(SPACE, COMMAND | OPTION) == [] and heard == []
    shortcut.set_shortcut("")  # off: nothing to register
    assert carbon.hot_keys == {}


@pytest.mark.parametrize(
    ("taken", "register_status", "text", "said"),
    [
        ((TAKEN,), 0, "Ctrl+Alt+Space", "Another application already uses this shortcut."),
        ((), -50, "Ctrl+Alt+Space", "macOS refused this shortcut (error -50)."),
        ((), 0, "Alt+Space", "macOS keeps Option and Shift for typing: add ⌘ or Control."),
        ((), 0, "Shift+Alt+K", "macOS keeps Option and Shift for typing: add ⌘ or Control."),
        ((), 0, "Ctrl+Alt+É", "This keyboard has no such key here."),
    ],
)  # fmt: skip
def test_a_shortcut_macos_will_not_give_is_said_in_a_sentence(
    taken: tuple[tuple[int, int], ...], register_status: int, text: str, said: str
) -> None:
    carbon = FakeCarbon(taken=taken)
    carbon.register_status = register_status
    shortcut, _heard = on_mac(carbon)
    status = shortcut.set_shortcut(text)
    assert (status.works, status.sentence) == (False, said)
    assert carbon.hot_keys == {}
    carbon.register_status = 0
    assert shortcut.set_shortcut("F9").works  # a function key alone: no modifier to need
    shortcut.stop()


def test_a_handler_carbon_will_not_install_is_said_not_raised() -> None:
    shortcut, _heard = on_mac(FakeCarbon(install_status=-50))
    status = shortcut.set_shortcut("Ctrl+Alt+Space")
    assert not status.works and "the details are in the log" in status.sentence


def test_an_event_that_cannot_be_read_is_passed_on_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    class Garbled(FakeCarbon):
        def GetEventKind(self, event: int) -> int:
            raise ValueError("no such event")

    carbon = Garbled()
    shortcut, heard = on_mac(carbon)
    shortcut.set_shortcut("Ctrl+Alt+Space")
    assert carbon.press(SPACE, COMMAND | OPTION) == [NOT_HANDLED]  # Carbon goes on; nothing raised
    assert heard == [] and "could not be read" in caplog.text
    shortcut.stop()


def test_without_carbon_the_app_says_so_and_goes_on() -> None:
    """Here (Linux) the real Carbon cannot load: the same path as a Mac whose Carbon is missing."""
    status = GlobalShortcut(platform="cocoa", environ={}).set_shortcut("Ctrl+Alt+Space")
    assert not status.works and "the details are in the log" in status.sentence


def test_qt_keys_map_to_mac_key_codes() -> None:
    letters = (Qt.Key.Key_A, Qt.Key.Key_S, Qt.Key.Key_M, Qt.Key.Key_0)
    assert [mac_key_code(k) for k in letters] == [0, 1, 0x2E, 0x1D]
    assert [mac_key_code(k) for k in (Qt.Key.Key_Space, Qt.Key.Key_F1, Qt.Key.Key_F20)] == [SPACE, 0x7A, 0x5A]
    assert mac_key_code(Qt.Key.Key_F21) is None and mac_key_code(Qt.Key.Key_Eacute) is None


def test_the_ctypes_declarations_match_carbon_s_c_signatures(tmp_path: Path) -> None:
    """Against a C library with Carbon's signatures (tests/ui/carbon_stub.c), built here: the values,
    the hot key id passed by value, the out-pointers and the handler called from C."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build the stand-in Carbon")
    library = tmp_path / "libcarbon_stub.so"
    source = Path(__file__).with_name("carbon_stub.c")
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    stub: Any = ctypes.CDLL(str(library))
    shortcut = GlobalShortcut(
        platform="cocoa", backend_for=lambda _platform: MacHotKey(lambda: carbon_library(str(library)))
    )
    heard: list[str] = []
    shortcut.pressed.connect(lambda: heard.append("pressed"))
    shortcut.released.connect(lambda: heard.append("released"))
    assert shortcut.set_shortcut("Ctrl+Alt+Space").works
    assert (stub.stub_registered(0), stub.stub_registered(1)) == (SPACE, COMMAND | OPTION)
    assert (stub.stub_registered_id(0), stub.stub_registered_id(1)) == (SIGNATURE, 1)
    assert [stub.stub_class(0), stub.stub_class(1)] == [KEYBOARD_EVENTS, KEYBOARD_EVENTS]
    assert [stub.stub_kind(0), stub.stub_kind(1)] == [HOT_KEY_PRESSED, HOT_KEY_RELEASED]
    stub.stub_send.restype = ctypes.c_int32
    assert [stub.stub_send(HOT_KEY_PRESSED), stub.stub_send(7)] == [0, NOT_HANDLED]
    assert heard == ["pressed"]
    assert stub.stub_send(HOT_KEY_RELEASED) == 0
    shortcut.stop()
    assert heard == ["pressed", "released"]
    assert (stub.stub_registered(0), stub.stub_handler_installed()) == (0, 0)
