"""The banner counts down to the attempt a rate-limited service asked to wait for: the engine says
when (RetryScheduled), the banner's own timer counts, in English and Chinese. A fake clock and the
tick slot stand in for the seconds passing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.app.launch import install_translators
from desktop.session.events import RetryScheduled, SessionState
from desktop.ui.banner import Banner
from desktop.ui.error_text import retry_countdown
from desktop.ui.main_window import MainWindow


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    installed = install_translators(qapp, QLocale("zh_CN"))
    yield
    for translator in installed:
        qapp.removeTranslator(translator)


def test_the_banner_counts_each_second_down_then_says_what_follows(qtbot: QtBot) -> None:
    clock = FakeClock()
    banner = Banner(clock=clock)
    qtbot.addWidget(banner)
    banner.count_down("Rate limited; trying again in %1 s", 2.0, then="Reconnecting…", cancel=True)
    assert banner.message.text() == "Rate limited; trying again in 2 s"
    assert banner.counting_down and banner.cancel.isVisibleTo(banner)
    assert not banner.dismiss.isVisibleTo(banner)
    clock.now += 0.95  # a tick a little early still shows the next second
    banner.tick()
    assert banner.message.text() == "Rate limited; trying again in 1 s"
    clock.now += 1.0
    banner.tick()
    assert banner.message.text() == "Reconnecting…" and not banner.counting_down


def test_a_new_sentence_ends_the_countdown(qtbot: QtBot) -> None:
    clock = FakeClock()
    banner = Banner(clock=clock)
    qtbot.addWidget(banner)
    banner.count_down("Rate limited; trying again in %1 s", 30.0, then="Reconnecting…")
    assert banner.message.text() == "Rate limited; trying again in 30 s"
    banner.show_message("The connection could not be restored.", retry=True)
    assert not banner.counting_down
    banner.tick()  # a tick already queued changes nothing
    assert banner.message.text() == "The connection could not be restored."


def _window_counting_down(qtbot: QtBot, code: str) -> tuple[MainWindow, FakeClock]:
    window = MainWindow()
    qtbot.addWidget(window)
    clock = FakeClock()
    window.banner._clock = clock
    window._show_state(SessionState.RECONNECTING, "attempt 2 of 8")
    window._show_retry_wait(RetryScheduled(2.0, code))
    return window, clock


def _seconds_passing(window: MainWindow, clock: FakeClock) -> list[str]:
    """The banner's sentence now and after each of the next two seconds."""
    said = [window.banner.message.text()]
    for _second in range(2):
        clock.now += 1.0
        window.banner.tick()
        said.append(window.banner.message.text())
    return said


def test_the_window_counts_down_a_rate_limit(qtbot: QtBot) -> None:
    window, clock = _window_counting_down(qtbot, "rate_limited")
    assert _seconds_passing(window, clock) == [
        "Rate limited; trying again in 2 s",
        "Rate limited; trying again in 1 s",
        "Reconnecting… (attempt 2 of 8)",
    ]
    window._show_state(SessionState.LISTENING, "")  # reconnected
    assert window.banner.isHidden() and not window.banner.counting_down


def test_an_unavailable_service_counts_down_in_its_own_words(qtbot: QtBot) -> None:
    window, _clock = _window_counting_down(qtbot, "server_error")
    assert window.banner.message.text() == "The service is busy; trying again in 2 s"


@pytest.mark.usefixtures("chinese")
def test_the_countdown_in_chinese(qtbot: QtBot) -> None:
    assert retry_countdown("rate_limited") == "服务暂时限流，%1 秒后重试"
    window, clock = _window_counting_down(qtbot, "rate_limited")
    said = _seconds_passing(window, clock)
    assert said == ["服务暂时限流，2 秒后重试", "服务暂时限流，1 秒后重试", window.talk.label()]
    assert "第 2 次" in said[-1]
