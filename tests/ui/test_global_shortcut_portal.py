"""Push-to-talk from anywhere on Wayland: the desktop's GlobalShortcuts portal over a real DBus (a
private session bus, with a portal of the test's own standing where xdg-desktop-portal would): the
shortcut is asked for, the desktop's answer is said, its Activated and Deactivated are one turn; a
desktop without the portal, or one that refuses, is said plainly."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from PySide6.QtCore import Qt

from desktop.ui.global_shortcut import GlobalShortcut, ShortcutStatus
from desktop.ui.shortcut_portal import xdg_trigger
from tests.ui.fake_portal import FakePortal
from tests.ui.harness import wait_until


def on_wayland() -> tuple[GlobalShortcut, list[str], list[ShortcutStatus]]:
    shortcut = GlobalShortcut(platform="wayland", environ={})
    heard: list[str] = []
    answers: list[ShortcutStatus] = []
    shortcut.pressed.connect(lambda: heard.append("pressed"))
    shortcut.released.connect(lambda: heard.append("released"))
    shortcut.statusChanged.connect(answers.append)
    return shortcut, heard, answers


@contextlib.asynccontextmanager
async def serving(address: str, portal: FakePortal) -> AsyncIterator[FakePortal]:
    await portal.serve(address)
    try:
        yield portal
    finally:
        portal.stop()


def test_the_portal_binds_the_shortcut_and_a_hold_is_one_turn(
    qloop: asyncio.AbstractEventLoop, session_bus: str
) -> None:
    shortcut, heard, answers = on_wayland()

    async def scenario() -> None:
        async with serving(session_bus, FakePortal(trigger_description="Ctrl + Alt + Space")) as portal:
            asking = shortcut.set_shortcut("Ctrl+Alt+Space")
            assert not asking.works and asking.sentence == "Asking the desktop for this shortcut…"
            await wait_until(lambda: bool(answers))
            said = "Works in every application: hold Ctrl + Alt + Space to talk."  # as the desktop put it
            assert answers == [ShortcutStatus(True, said)]
            assert shortcut.status == answers[0]
            [(name, properties)] = portal.bound
            assert name == "talk" and properties["preferred_trigger"] == "CTRL+ALT+space"
            assert properties["description"] == "Hold to talk to the voice assistant"
            portal.press()
            await wait_until(lambda: heard == ["pressed"])
            portal.release()
            await wait_until(lambda: heard == ["pressed", "released"])
            session = portal.session
            shortcut.stop()  # the session closes, and with it the desktop's binding
            await wait_until(lambda: portal.closed == [session])

    qloop.run_until_complete(scenario())


def test_a_desktop_without_the_portal_is_said_plainly(
    qloop: asyncio.AbstractEventLoop, session_bus: str
) -> None:
    shortcut, _heard, answers = on_wayland()

    async def scenario() -> None:
        shortcut.set_shortcut("Ctrl+Alt+Space")  # nothing answers for org.freedesktop.portal.Desktop
        await wait_until(lambda: bool(answers))

    qloop.run_until_complete(scenario())
    assert not answers[0].works
    assert answers[0].sentence.startswith("Not available here: this Wayland desktop offers no Global")
    shortcut.stop()


def test_a_shortcut_the_desktop_refuses_is_said_to_be_refused(
    qloop: asyncio.AbstractEventLoop, session_bus: str
) -> None:
    shortcut, _heard, answers = on_wayland()

    async def scenario() -> None:
        async with serving(session_bus, FakePortal(declines=True)):
            shortcut.set_shortcut("Ctrl+Alt+Space")
            await wait_until(lambda: bool(answers))
        shortcut.stop()

    qloop.run_until_complete(scenario())
    assert answers == [ShortcutStatus(False, "The desktop did not give the app this shortcut.")]


def test_an_answer_about_a_replaced_shortcut_is_not_taken(
    qloop: asyncio.AbstractEventLoop, session_bus: str
) -> None:
    shortcut, _heard, answers = on_wayland()

    async def scenario() -> None:
        async with serving(session_bus, FakePortal(trigger_description="")) as portal:
            shortcut.set_shortcut("Ctrl+Alt+Space")
            shortcut.set_shortcut("Ctrl+Shift+F9")
            await wait_until(lambda: bool(answers))
            await asyncio.sleep(0.2)  # room for a stale answer to arrive, were it taken
            assert portal.bound[-1][1]["preferred_trigger"] == "CTRL+SHIFT+F9"
        shortcut.stop()

    qloop.run_until_complete(scenario())
    assert answers == [ShortcutStatus(True, "Works in every application: hold Ctrl+Shift+F9 to talk.")]


def test_the_trigger_in_the_xdg_shortcuts_format() -> None:
    modifier = Qt.KeyboardModifier
    ctrl, alt, meta = modifier.ControlModifier, modifier.AltModifier, modifier.MetaModifier
    assert xdg_trigger(Qt.Key.Key_Space, ctrl | alt) == "CTRL+ALT+space"
    assert xdg_trigger(Qt.Key.Key_A, meta) == "LOGO+a"
    assert xdg_trigger(Qt.Key.Key_F9, Qt.KeyboardModifier.NoModifier) == "F9"
