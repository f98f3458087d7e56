"""Push-to-talk from anywhere (desktop.ui.global_shortcut): a real key grab on a real X display
(Xvfb, xdotool) while another application has focus; one hold through auto-repeat; the shortcut's
field in Settings; and where it is not available, the sentence that says why."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.session import SessionState
from desktop.settings import Preferences, load_preferences
from desktop.ui.global_shortcut import GlobalShortcut
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.shortcut_backend import Settled
from tests.ui.harness import opened_app, wait_until
from tests.ui.test_conversation_flow import QUESTION, texts, tone
from tests.ui.x11_display import Child, xdotool, xvfb


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed: no real key presses to send")
    with xvfb() as name:
        if name is None:
            pytest.skip("no X display: Xvfb is not installed or did not start")
        yield name


def test_the_shortcut_talks_while_another_application_has_focus(display: str) -> None:
    listener = Child(display, "listen", "Ctrl+Alt+Space")
    other = Child(display, "other")
    try:
        works = "status True Works in every application: hold Ctrl+Alt+Space to talk."
        assert listener.wait_for("status") == works
        window = other.wait_for("window").split()[1]
        xdotool(display, "windowfocus", "--sync", window)
        assert xdotool(display, "getwindowfocus") == window
        xdotool(display, "key", "a")
        other.wait_for("key press a")  # the other application has the keyboard
        xdotool(display, "keydown", "ctrl+alt+space")
        listener.wait_for("pressed")
        xdotool(display, "sleep", "1")  # a held key: the X server repeats it
        xdotool(display, "keyup", "ctrl+alt+space")
        listener.wait_for("released")
        xdotool(display, "key", "b")
        other.wait_for("key press b")
    finally:
        listener.stop()
        other.stop()
    heard = [line for line in listener.seen if line in ("pressed", "released")]
    assert heard == ["pressed", "released"]  # one hold, one turn, however often the server repeated it
    assert listener.seen.count("raw-press") == listener.seen.count("raw-release")
    got = [line for line in other.seen if line.startswith("key")]
    assert "key press a" in got and "key press b" in got
    assert not [line for line in got if line.endswith(" 0x20")]  # the space went to the grab only


def test_a_combination_another_application_holds_is_said_to_be_taken(display: str) -> None:
    first = Child(display, "listen", "Ctrl+Alt+F9")
    try:
        assert first.wait_for("status").startswith("status True")
        second = Child(display, "listen", "Ctrl+Alt+F9")
        try:
            taken = "status False Another application already uses this shortcut."
            assert second.wait_for("status") == taken
        finally:
            second.stop()
    finally:
        first.stop()


class FakeBackend:
    """Stands where the platform's grab stands: the test presses and releases."""

    def __init__(self, refuse: str | None = None) -> None:
        self.refuse = refuse
        self.grabbed: tuple[Qt.Key, Qt.KeyboardModifier] | None = None
        self.press: Callable[[], None] = lambda: None
        self.release: Callable[[], None] = lambda: None

    def grab(
        self, key: Qt.Key, modifiers: Qt.KeyboardModifier, on_press: Callable[[], None],
        on_release: Callable[[], None], on_settled: Settled,
    ) -> str | None:
        if self.refuse:
            return self.refuse
        self.grabbed, self.press, self.release = (key, modifiers), on_press, on_release
        return None

    def ungrab(self) -> None:
        self.grabbed = None

    def stop(self) -> None:
        self.grabbed = None


def heard_by(shortcut: GlobalShortcut) -> list[str]:
    heard: list[str] = []
    shortcut.pressed.connect(lambda: heard.append("pressed"))
    shortcut.released.connect(lambda: heard.append("released"))
    return heard


def test_release_and_press_pairs_inside_one_hold_are_one_turn(qtbot: QtBot) -> None:
    """X11's auto-repeat reaches a key grab as release and press pairs: one hold, one turn."""
    backend = FakeBackend()
    shortcut = GlobalShortcut(platform="xcb", backend_for=lambda _platform: backend, environ={})
    heard = heard_by(shortcut)
    assert shortcut.set_shortcut("Ctrl+Alt+Space").works
    ctrl_alt = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    assert backend.grabbed == (Qt.Key.Key_Space, ctrl_alt)
    backend.press()
    for _pair in range(20):
        backend.release()
        backend.press()
        qtbot.wait(5)
    assert heard == ["pressed"]
    backend.release()
    qtbot.waitUntil(lambda: heard == ["pressed", "released"])
    backend.press()  # after the release: a new turn
    assert heard == ["pressed", "released", "pressed"]
    shortcut.set_shortcut("Ctrl+Alt+F9")  # changed while held: that turn ends
    assert heard[-1] == "released" and backend.grabbed == (Qt.Key.Key_F9, ctrl_alt)
    shortcut.stop()


def test_what_settings_says_when_the_shortcut_cannot_be_had(qtbot: QtBot) -> None:
    taken = FakeBackend(refuse="Another application already uses this shortcut.")
    shortcut = GlobalShortcut(platform="xcb", backend_for=lambda _platform: taken, environ={})
    said = shortcut.set_shortcut("Ctrl+Alt+Space").sentence
    assert said == "Another application already uses this shortcut."
    assert not shortcut.set_shortcut("A").works  # a plain letter would take typing everywhere
    assert "Ctrl, Alt or Meta" in shortcut.status.sentence
    assert shortcut.set_shortcut("").sentence == "Off: Space talks while this window is in front."
    free = FakeBackend()
    alone = GlobalShortcut(platform="xcb", backend_for=lambda _platform: free, environ={})
    assert alone.set_shortcut("F9").works  # a function key alone types nothing


def test_a_backend_that_fails_to_start_is_said_not_raised() -> None:
    def broken(_platform: str) -> FakeBackend:
        raise OSError("libxcb.so.1: cannot open shared object file")

    status = GlobalShortcut(platform="xcb", backend_for=broken, environ={}).set_shortcut("Ctrl+Alt+Space")
    assert not status.works and "the details are in the log" in status.sentence


def test_where_it_is_not_available_it_says_why_and_grabs_nothing() -> None:
    def no_backend(_platform: str) -> FakeBackend:
        raise AssertionError("no backend where none is available")

    shortcut = GlobalShortcut(platform="offscreen", backend_for=no_backend, environ={})
    status = shortcut.set_shortcut("Ctrl+Alt+Space")
    assert not status.works and status.sentence.startswith("Not available on this display (offscreen)")
    shortcut.stop()


@pytest.mark.parametrize("session", [{"WAYLAND_DISPLAY": "wayland-0"}, {"XDG_SESSION_TYPE": "wayland"}])
def test_qt_on_xwayland_asks_wayland_s_portal(session: dict[str, str]) -> None:
    """An X11 grab there hears the key only while an X11 window has focus: not from anywhere."""
    asked: list[str] = []

    def backend(platform: str) -> FakeBackend:
        asked.append(platform)
        return FakeBackend()

    GlobalShortcut(platform="xcb", backend_for=backend, environ=session).set_shortcut("Ctrl+Alt+Space")
    assert asked == ["wayland"]


def test_settings_edits_the_shortcut_and_says_whether_it_works(qtbot: QtBot) -> None:
    said = "Works in every application: hold Ctrl+Alt+Space to talk."
    dialog = SettingsDialog(Preferences(), "", keychain_works=True, shortcut_status=said)
    qtbot.addWidget(dialog)
    field = dialog.shortcut
    assert field.edit.keySequence() == QKeySequence("Ctrl+Alt+Space")
    assert field.note.text() == said
    field.edit.setKeySequence(QKeySequence("Ctrl+Shift+F9"))
    assert dialog.values().talk_shortcut == "Ctrl+Shift+F9"
    assert "Tried when you press OK" in field.note.text()
    field.edit.clear()
    assert dialog.values().talk_shortcut == ""
    assert field.note.text().startswith("Off once saved")
    field.edit.setKeySequence(QKeySequence("Ctrl+Alt+Space"))
    assert field.note.text() == said  # the stored one again: what the app said of it


def test_the_shortcut_held_while_the_window_is_hidden_behind_another_is_one_push_to_talk_turn(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, qtbot: QtBot
) -> None:
    """The window's wiring: the shortcut's press and release reach the talk gesture, the window
    not active (offscreen there is no grab: the signals stand for the one the X11 test saw)."""

    async def scenario() -> None:
        push_to_talk = Preferences(turn_mode="push_to_talk")
        async with opened_app(settings_store, prefs=push_to_talk, greet=False) as app:
            elsewhere = QWidget()
            qtbot.addWidget(elsewhere)
            elsewhere.show()
            elsewhere.activateWindow()
            await wait_until(elsewhere.isActiveWindow)
            assert not app.window.isActiveWindow()
            app.window.hide()  # as the tray keeps it: the shortcut still talks
            app.server.queue_user_transcript(QUESTION)
            shortcut = app.window.global_shortcut
            shortcut.pressed.emit()  # not connected: the press starts the call, and the hold talks
            await wait_until(lambda: app.controller.state is SessionState.LISTENING)
            app.microphone.say(tone())
            await app.microphone.wait_spoken()
            shortcut.released.emit()
            await wait_until(lambda: QUESTION in texts(app))
            sent = [e.event.get("type") for e in app.server.client_events]
            assert sent.count("input_audio_buffer.commit") == 1

    qloop.run_until_complete(scenario())


def test_a_shortcut_changed_in_settings_is_tried_and_what_happened_is_said(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store) as app:
            app.controller.open_settings()
            await wait_until(lambda: app.window.settings_dialog is not None)
            dialog = app.window.settings_dialog
            assert dialog is not None
            assert dialog.shortcut.note.text().startswith("Not available on this display (offscreen)")
            dialog.shortcut.edit.setKeySequence(QKeySequence("Ctrl+Shift+F9"))
            dialog.accept()
            assert app.controller.prefs.talk_shortcut == "Ctrl+Shift+F9"
            said = app.window.statusBar().currentMessage()
            assert said.startswith("Not available on this display (offscreen)")
            assert load_preferences(settings_store).talk_shortcut == "Ctrl+Shift+F9"

    qloop.run_until_complete(scenario())


class FakeUser32:
    """Windows' user32 as the hot key uses it: RegisterHotKey, UnregisterHotKey, GetAsyncKeyState."""

    def __init__(self, free: bool = True) -> None:
        self.free = free
        self.registered: list[tuple[int, int]] = []
        self.down = False

    def RegisterHotKey(self, _window: None, _id: int, modifiers: int, vk: int) -> int:
        if self.free:
            self.registered.append((modifiers, vk))
        return int(self.free)

    def UnregisterHotKey(self, _window: None, _id: int) -> int:
        self.registered.clear()
        return 1

    def GetAsyncKeyState(self, _vk: int) -> int:
        return 0x8000 if self.down else 0


def test_the_windows_hot_key_hears_the_press_and_finds_the_release_while_held(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows itself is not here: its user32 is a fake, the messages are built as Windows lays them
    out, and they go through the same native-event path as on Windows."""
    import ctypes

    from desktop.ui import shortcut_windows

    user32 = FakeUser32()
    monkeypatch.setattr(ctypes, "WinDLL", lambda *_a, **_k: user32, raising=False)
    monkeypatch.setattr(ctypes, "get_last_error", lambda: 1409, raising=False)
    shortcut = GlobalShortcut(platform="windows", environ={})
    heard = heard_by(shortcut)
    assert shortcut.set_shortcut("Ctrl+Alt+Space").works
    assert user32.registered == [(0x4000 | 0x2 | 0x1, 0x20)]  # MOD_NOREPEAT | CONTROL | ALT, VK_SPACE
    backend = shortcut._backend
    assert isinstance(backend, shortcut_windows.WindowsHotKey)
    hot_key = shortcut_windows._Message(None, 0x0312, 0x5641)
    other = shortcut_windows._Message(None, 0x0312, 0x1)
    address = ctypes.addressof
    user32.down = True
    assert backend.nativeEventFilter(b"windows_generic_MSG", address(hot_key)) == (True, 0)
    assert backend.nativeEventFilter(b"windows_generic_MSG", address(other)) == (False, 0)
    assert heard == ["pressed"]
    qtbot.wait(100)
    assert heard == ["pressed"]  # still held
    user32.down = False
    qtbot.waitUntil(lambda: heard == ["pressed", "released"])
    user32.free = False
    assert shortcut.set_shortcut("Ctrl+Alt+F9").sentence == "Another application already uses this shortcut."
    shortcut.stop()
