"""The whole window against the demo server: a real session over aiortc, synthetic audio.

Each test drives the window the way a person would (clicks, Space, typing) and checks what the
person would see: the talk button's state, the bubbles, the banner.
"""

from __future__ import annotations

import asyncio

import numpy as np
from PySide6.QtCore import QPoint, QSettings, Qt
from pytestqt.qtbot import QtBot

from desktop.session.events import SessionState
from desktop.settings.preferences import Preferences
from tests.ui.harness import Running, connected, open_app, opened_app, wait_until

PTT = Preferences(turn_mode="push_to_talk")
QUESTION = "What can you do for me?"


def tone(seconds: float = 0.6) -> bytes:
    """Loud enough for the server's voice detection (mono s16 48 kHz)."""
    t = np.arange(int(48_000 * seconds)) / 48_000
    return (np.sin(2 * np.pi * 440 * t) * 0.3 * 32767).astype("<i2").tobytes()


def texts(app: Running) -> list[str]:
    return app.window.transcript.bubble_texts()


def run(qloop: asyncio.AbstractEventLoop, scenario: object) -> None:
    qloop.run_until_complete(scenario)  # type: ignore[arg-type]


def test_connect_shows_the_greeting(qloop: asyncio.AbstractEventLoop, settings_store: QSettings) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store) as app:
            assert app.window.talk.text() == app.window.talk.tr("Not connected — click to start")
            app.window.start.click()
            await wait_until(lambda: any("助理" in t for t in texts(app)))
            assert app.window.end.isEnabled() and not app.window.start.isEnabled()
            assert not app.window.notice.isVisible()  # a key is stored: no demo notice

    run(qloop, scenario())


async def speak_while_held(app: Running, press: object, release: object) -> None:
    app.server.queue_user_transcript(QUESTION)
    press()  # type: ignore[operator]
    await wait_until(lambda: app.controller.state is SessionState.LISTENING)
    app.microphone.say(tone())
    await app.microphone.wait_spoken()
    release()  # type: ignore[operator]
    await wait_until(lambda: QUESTION in texts(app))
    await wait_until(lambda: len(texts(app)) >= 2 and texts(app)[0] == QUESTION)


def test_push_to_talk_with_the_mouse(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store, prefs=PTT) as app:
            app.server.faults.late_transcription = True  # the words come back after the answer began
            app.server.queue_user_transcript(QUESTION)
            app.window.start.click()
            await wait_until(lambda: any("助理" in t for t in texts(app)))
            button = app.window.talk
            centre = QPoint(button.width() // 2, button.height() // 2)
            qtbot.mousePress(button, Qt.MouseButton.LeftButton, pos=centre)  # also cuts the greeting short
            app.microphone.say(tone())
            await wait_until(lambda: app.window.meter.shown_level > 0.5)  # the meter follows the voice
            await app.microphone.wait_spoken()
            qtbot.mouseRelease(button, Qt.MouseButton.LeftButton, pos=centre)
            await wait_until(lambda: QUESTION in texts(app) and len(texts(app)) >= 3)
            # The person's words sit between the greeting and the answer to them.
            assert "助理" in texts(app)[0] and texts(app)[1] == QUESTION

    run(qloop, scenario())


def test_push_to_talk_with_space(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store, prefs=PTT, greet=False) as app:
            await connected(app)
            app.window.activateWindow()
            app.window.talk.setFocus()
            await speak_while_held(
                app,
                lambda: qtbot.keyPress(app.window.talk, Qt.Key.Key_Space),
                lambda: qtbot.keyRelease(app.window.talk, Qt.Key.Key_Space),
            )
            # Space typed into the text box is text, not a turn.
            state = app.controller.state
            app.window.transcript.input.setFocus()
            qtbot.keyClicks(app.window.transcript.input, "a b")
            assert app.window.transcript.input.text() == "a b"
            assert app.controller.state is state or app.controller.state is not SessionState.LISTENING

    run(qloop, scenario())


def test_holding_space_through_a_sentence_is_one_turn_whatever_the_loop_does(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, qtbot: QtBot
) -> None:
    """Under load Qt does not flag X11's auto-repeat: the hold arrives as release/press pairs."""

    def sent(kind: str) -> int:
        return sum(1 for e in app.server.client_events if e.event.get("type") == kind)

    async def scenario() -> None:
        nonlocal app
        async with opened_app(settings_store, prefs=PTT, greet=False) as app:
            await connected(app)
            app.window.activateWindow()
            app.window.talk.setFocus()
            updates = sent("session.update")

            async def unflagged_repeats() -> None:
                for _pair in range(12):
                    qtbot.keyRelease(app.window.talk, Qt.Key.Key_Space)
                    qtbot.keyPress(app.window.talk, Qt.Key.Key_Space)
                    await asyncio.sleep(0.03)

            repeats: asyncio.Task[None] | None = None

            def hold() -> None:
                nonlocal repeats
                qtbot.keyPress(app.window.talk, Qt.Key.Key_Space)
                repeats = asyncio.ensure_future(unflagged_repeats())

            async def let_go() -> None:
                assert repeats is not None
                await repeats

            def release() -> None:
                qtbot.keyRelease(app.window.talk, Qt.Key.Key_Space)

            app.server.queue_user_transcript(QUESTION)
            hold()
            await wait_until(lambda: app.controller.state is SessionState.LISTENING)
            app.microphone.say(tone())
            await app.microphone.wait_spoken()
            await let_go()
            release()
            await wait_until(lambda: QUESTION in texts(app) and len(texts(app)) >= 2)
            await wait_until(lambda: app.controller.state is SessionState.READY)
            assert sent("input_audio_buffer.commit") == 1  # one turn
            assert sent("input_audio_buffer.clear") == 1  # at the press only: no part of it was lost
            assert sent("response.cancel") == 0  # nothing cut the answer short
            assert sent("session.update") == updates  # turn detection was never switched
            assert texts(app).count(QUESTION) == 1

    app: Running
    run(qloop, scenario())


def test_holding_space_hands_free_through_a_sentence_gets_it_answered(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, qtbot: QtBot
) -> None:
    """Hands-free, the service hears the turn; a hold of Space is the person talking, even when it
    arrives as release/press pairs (auto-repeat Qt did not flag): listening is never switched, and
    the release does not cancel the answer the words asked for. A tap still switches listening."""

    def sent(kind: str) -> int:
        return sum(1 for e in app.server.client_events if e.event.get("type") == kind)

    async def scenario() -> None:
        nonlocal app
        async with opened_app(settings_store, greet=False) as app:
            await connected(app)
            session = app.controller.call_session()
            assert session is not None and session.hands_free
            app.window.activateWindow()
            app.window.talk.setFocus()
            updates = sent("session.update")
            app.server.queue_user_transcript(QUESTION)
            qtbot.keyPress(app.window.talk, Qt.Key.Key_Space)
            app.microphone.say(tone(0.8))
            for _pair in range(25):
                qtbot.keyRelease(app.window.talk, Qt.Key.Key_Space)
                qtbot.keyPress(app.window.talk, Qt.Key.Key_Space)
                await asyncio.sleep(0.04)
            await wait_until(lambda: QUESTION in texts(app))
            qtbot.keyRelease(app.window.talk, Qt.Key.Key_Space)
            await wait_until(lambda: len(texts(app)) >= 2 and app.controller.state is SessionState.LISTENING)
            assert (sent("session.update"), sent("response.cancel")) == (updates, 0)
            assert session.hands_free
            qtbot.keyClick(app.window.talk, Qt.Key.Key_Space)  # a tap: listening off
            await wait_until(lambda: not session.hands_free)
            assert sent("session.update") == updates + 1

    app: Running
    run(qloop, scenario())


def test_switching_modes_mid_session(qloop: asyncio.AbstractEventLoop, settings_store: QSettings) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store, prefs=PTT, greet=False) as app:
            await connected(app)
            session = app.controller.call_session()
            assert session is not None and not session.hands_free
            app.window.hands_free.click()  # hands-free: the server hears turns by itself
            await wait_until(lambda: session.hands_free and app.controller.state is SessionState.LISTENING)
            assert app.window.talk.text() == app.window.talk.tr("Listening — click to stop")
            app.server.queue_user_transcript(QUESTION)
            app.microphone.say(tone(0.8))
            await wait_until(lambda: QUESTION in texts(app))
            await wait_until(lambda: app.controller.state is SessionState.LISTENING and len(texts(app)) >= 2)
            app.window.hands_free.click()  # back to push-to-talk
            await wait_until(lambda: not session.hands_free and app.controller.state is SessionState.READY)
            assert settings_store.value("turn_mode") == "push_to_talk"

    run(qloop, scenario())


def test_typed_message_is_answered(qloop: asyncio.AbstractEventLoop, settings_store: QSettings) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store, prefs=PTT, greet=False) as app:
            await connected(app)
            app.window.transcript.input.setText(QUESTION)
            app.window.transcript.input.returnPressed.emit()
            await wait_until(lambda: len(texts(app)) >= 2 and texts(app)[0] == QUESTION)
            turns = app.window.transcript.conversation.turns
            await wait_until(lambda: turns[1].final)
            assert turns[1].role == "assistant" and turns[1].text.strip()
            assert "**You:** " + QUESTION in app.window.transcript.markdown()

    run(qloop, scenario())


def test_pressing_interrupts_the_assistant(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store, prefs=PTT) as app:
            app.window.start.click()
            await wait_until(lambda: app.controller.state is SessionState.ASSISTANT_SPEAKING)
            app.window.talk.pressed.emit()
            await wait_until(lambda: bool(app.window.transcript.conversation.turns))
            turn = app.window.transcript.conversation.turns[0]
            await wait_until(lambda: turn.interrupted)
            app.window.talk.released.emit()
            assert app.window.transcript.tr("interrupted") in texts(app)[0]

    run(qloop, scenario())


def test_close_while_connecting_leaves_nothing(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    async def scenario() -> None:
        app = await open_app(settings_store)
        app.server.faults.sdp_delay = 1.0
        app.window.start.click()
        await wait_until(lambda: app.controller.state is SessionState.CONNECTING)
        await app.close()
        assert not app.controller.tasks

    run(qloop, scenario())


def test_no_key_shows_the_demo_notice(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    """No key stored for a remote provider: the app says it runs the demo instead."""

    async def scenario() -> None:
        async with opened_app(settings_store, stored_key=None) as app:
            app.controller.announce_provider()
            await wait_until(lambda: app.window.notice.isVisible())
            assert app.window.notice.settings.isVisible()
            assert app.controller.prefs.provider.value == "openai"  # the stored choice is kept

    run(qloop, scenario())


def test_a_click_interrupts_in_hands_free_mode(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store) as app:  # server voice detection: hands-free
            app.window.start.click()
            await wait_until(lambda: app.controller.state is SessionState.ASSISTANT_SPEAKING)
            assert app.window.hands_free.isChecked()
            qtbot.mouseClick(app.window.talk, Qt.MouseButton.LeftButton)
            await wait_until(lambda: bool(app.window.transcript.conversation.turns))
            turn = app.window.transcript.conversation.turns[0]
            await wait_until(lambda: turn.interrupted)
            session = app.controller.call_session()
            assert session is not None and session.hands_free  # still listening
            await wait_until(lambda: app.controller.state is SessionState.LISTENING)
            qtbot.mouseClick(app.window.talk, Qt.MouseButton.LeftButton)  # one click stops listening
            await wait_until(lambda: app.controller.state is SessionState.READY)
            assert not session.hands_free and app.window.talk.text() == app.window.talk.tr("Click to listen")
            qtbot.mouseClick(app.window.talk, Qt.MouseButton.LeftButton)  # another starts again
            await wait_until(lambda: app.controller.state is SessionState.LISTENING)

    run(qloop, scenario())
