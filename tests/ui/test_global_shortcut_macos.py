"""Push-to-talk from anywhere on macOS (desktop.ui.shortcut_macos): the Carbon hot key, registered,
heard (press and release through the installed handler, one hold one turn), changed, refused (by
another application, by macOS's own shortcuts, by macOS's rules), and let go at the end. macOS is not
here: `tests.ui.fake_carbon.FakeCarbon` stands where Carbon and CoreFoundation stand, and a C library
with their signatures checks the ctypes declarations."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.ui.global_shortcut import GlobalShortcut
from desktop.ui.macos_system_shortcuts import core_foundation_library
from desktop.ui.shortcut_macos import (
    COMMAND,
    CONTROL,
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
from tests.ui.fake_carbon import F9, FINDER_SEARCH, SPACE, FakeCarbon


def on_mac(carbon: FakeCarbon) -> tuple[GlobalShortcut, list[str]]:
    backend = lambda _platform: MacHotKey(lambda: carbon, lambda: carbon)  # noqa: E731
    shortcut = GlobalShortcut(platform="cocoa", backend_for=backend)
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
        ((FINDER_SEARCH,), 0, "Ctrl+Alt+Space", "Another application already uses this shortcut."),
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


FN = 0x20000


@pytest.mark.parametrize(
    ("system", "works"),
    [
        ([(*FINDER_SEARCH, True)], False),  # macOS out of the box
        ([(*FINDER_SEARCH, False)], True),  # turned off in System Settings
        ([(SPACE, COMMAND | OPTION | FN, True), (F9, COMMAND | OPTION, True)], True),  # other keys
    ],
)  # fmt: skip
def test_a_shortcut_macos_itself_has_on_is_said_to_be_taken(
    system: list[tuple[int, int, bool]], works: bool
) -> None:
    carbon = FakeCarbon()
    carbon.system = system
    shortcut, _heard = on_mac(carbon)
    status = shortcut.set_shortcut("Ctrl+Alt+Space")
    assert status.works is works and bool(carbon.hot_keys) is works
    if not works:
        assert status.sentence == (
            "macOS itself uses this shortcut: choose another, or turn it off in System Settings → "
            "Keyboard → Keyboard Shortcuts and choose it again here."
        )
    assert carbon.objects == {}  # every CoreFoundation object created was released
    shortcut.stop()


def test_macos_s_own_shortcuts_unread_the_hot_key_is_tried_all_the_same(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Unreadable(FakeCarbon):
        def CFArrayGetCount(self, array: int) -> int:
            raise OSError("not an array")

    carbon = Unreadable()
    carbon.system = [(*FINDER_SEARCH, True)]
    shortcut, _heard = on_mac(carbon)
    assert shortcut.set_shortcut("Ctrl+Alt+Space").works
    assert "macOS's own shortcuts could not be read" in caplog.text
    assert carbon.objects == {}
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
    """Against a C library with Carbon's and CoreFoundation's signatures (tests/ui/carbon_stub.c), built
    here: the values, the hot key id passed by value, the out-pointers, macOS's own shortcuts read and
    released, and the handler called from C."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build the stand-in Carbon")
    library = tmp_path / "libcarbon_stub.so"
    source = Path(__file__).with_name("carbon_stub.c")
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    stub: Any = ctypes.CDLL(str(library))
    backend = lambda _platform: MacHotKey(  # noqa: E731
        lambda: carbon_library(str(library)), lambda: core_foundation_library(str(library))
    )
    shortcut = GlobalShortcut(platform="cocoa", backend_for=backend)
    heard: list[str] = []
    shortcut.pressed.connect(lambda: heard.append("pressed"))
    shortcut.released.connect(lambda: heard.append("released"))
    assert shortcut.set_shortcut("Ctrl+Alt+Space").sentence.startswith("macOS itself uses this shortcut")
    assert (stub.stub_registered(0), stub.stub_unreleased()) == (0, 0)
    assert shortcut.set_shortcut("Meta+Alt+F9").works  # macOS has its ⌃⌥F9 off
    assert (stub.stub_registered(0), stub.stub_registered(1)) == (F9, CONTROL | OPTION)
    assert (stub.stub_registered_id(0), stub.stub_registered_id(1)) == (SIGNATURE, 1)
    assert [stub.stub_class(0), stub.stub_class(1)] == [KEYBOARD_EVENTS, KEYBOARD_EVENTS]
    assert [stub.stub_kind(0), stub.stub_kind(1)] == [HOT_KEY_PRESSED, HOT_KEY_RELEASED]
    stub.stub_send.restype = ctypes.c_int32
    assert [stub.stub_send(HOT_KEY_PRESSED), stub.stub_send(7)] == [0, NOT_HANDLED]
    assert heard == ["pressed"]
    assert stub.stub_send(HOT_KEY_RELEASED) == 0
    shortcut.stop()
    assert heard == ["pressed", "released"]
    assert (stub.stub_registered(0), stub.stub_handler_installed(), stub.stub_unreleased()) == (0, 0, 0)


def test_the_default_on_a_mac_is_one_macos_leaves_free() -> None:
    """Qt's Ctrl is ⌘ on macOS, and ⌥⌘Space is Finder's search out of the box: the default there is
    ⌃⌥⌘Space, which macOS's own shortcuts (Finder's search on, as shipped) do not take."""
    from desktop.settings.preferences import default_talk_shortcut

    default = default_talk_shortcut("darwin")
    assert default == "Meta+Ctrl+Alt+Space"
    carbon = FakeCarbon()
    carbon.system = [(*FINDER_SEARCH, True)]
    shortcut, _heard = on_mac(carbon)
    assert shortcut.set_shortcut(default).works
    [(code, modifiers)] = [(key.code, key.modifiers) for key in carbon.hot_keys.values()]
    assert (code, modifiers) == (SPACE, CONTROL | OPTION | COMMAND)
    shortcut.stop()


def test_punctuation_keys_have_their_mac_key_codes() -> None:
    keys = (Qt.Key.Key_Minus, Qt.Key.Key_Equal, Qt.Key.Key_BracketLeft, Qt.Key.Key_Slash,
            Qt.Key.Key_Backslash, Qt.Key.Key_QuoteLeft, Qt.Key.Key_Period)
    assert [mac_key_code(key) for key in keys] == [0x1B, 0x18, 0x21, 0x2C, 0x2A, 0x32, 0x2F]
