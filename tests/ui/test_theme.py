"""The app follows the system's colours: every colour comes from the palette or from desktop/ui/theme.py,
both schemes are readable (WCAG AA, 4.5:1, for text), and a scheme change restyles an open window."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from itertools import combinations
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.session.events import AssistantTranscript, SessionState, ToolActivity, UserTranscript
from desktop.storage.meeting_model import MeetingDraft
from desktop.storage.meetings import MeetingStore
from desktop.storage.worker import StoreWorker
from desktop.ui import theme
from desktop.ui.banner import Banner
from desktop.ui.calendar_pane import CalendarPane
from desktop.ui.colour_scheme import SystemScheme, follow_system
from desktop.ui.level_meter import LevelMeter
from desktop.ui.main_window import MainWindow
from desktop.ui.talk_button import TalkButton
from desktop.ui.theme import Colours, Scheme, contrast

UI = Path(__file__).resolve().parents[2] / "desktop" / "ui"
AA = 4.5  # WCAG AA for text
COLOUR_IN_TEXT = re.compile(
    r"#[0-9a-f]{3}(?:[0-9a-f]{3}(?:[0-9a-f]{2})?)?\b"  # #rgb, #rrggbb, #rrggbbaa
    r"|\brgba?\s*\(|\bhsla?\s*\("
    r"|(?:color|background|border[-a-z]*)\s*:[^;}]*\b(?:white|black|red|green|blue|gr[ae]y|yellow|orange)\b",
    re.IGNORECASE,
)
COLOUR_IN_CODE = re.compile(
    r"QColor\(\s*['\"]|Qt\.(?:GlobalColor\.)?(?:white|black|red|green|blue|gray|yellow)\b"
)
CST = timezone(timedelta(hours=8))


def colour_literals(path: Path) -> list[str]:
    """The colours written into a module's strings, and Qt's named colours in its code."""
    source = path.read_text(encoding="utf-8")
    found = [m[0] for m in COLOUR_IN_CODE.finditer(source)]
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING:
            found += [f"{path.name}:{token.start[0]}: {m[0]}" for m in COLOUR_IN_TEXT.finditer(token.string)]
    return found


def test_no_colour_is_written_down_outside_the_theme() -> None:
    modules = [path for path in sorted(UI.glob("*.py")) if path.name != "theme.py"]
    assert [found for path in modules for found in colour_literals(path)] == []
    assert colour_literals(UI / "theme.py"), "the check finds the theme's own colours"


def palette_of(scheme: Scheme) -> QPalette:
    return theme.dark_palette() if scheme == Scheme.Dark else QApplication.style().standardPalette()


SCHEMES = [Scheme.Light, Scheme.Dark]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_talk_button_reads_well_in_every_state(qapp: QApplication, scheme: Scheme) -> None:
    looks = theme.colours(scheme).talk
    for state in [*(s.value for s in SessionState), "pressed"]:
        look = looks[state]
        assert contrast(look.text, look.background) >= AA, (state, look)
    # Each state its own colour (not connected and closed, connecting and reconnecting are alike).
    alike = [{"idle", "closed"}, {"connecting", "reconnecting"}]
    for one, other in combinations(looks, 2):
        if {one, other} not in alike:
            assert looks[one] != looks[other], (one, other)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_bubbles_cards_banners_and_the_calendar_read_well(qapp: QApplication, scheme: Scheme) -> None:
    colours, palette = theme.colours(scheme), palette_of(scheme)
    base, window = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Window)
    surfaces = {**colours.bubbles, **colours.tool_cards, **colours.banners, "busy": colours.busy_day}
    for name, swatch in surfaces.items():
        background = base if swatch.background == "transparent" else QColor(swatch.background)
        assert contrast(swatch.text, background) >= AA, name
        if swatch.accent:
            assert contrast(swatch.accent, background) >= AA, name
    assert contrast(colours.weekend, base) >= AA
    assert contrast(colours.warning, window) >= AA and contrast(colours.error, window) >= AA
    assert theme.scheme_of(palette) == scheme  # the palette says which colours go with it


def test_contrast_is_wcags() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast("#ffffff", "#2563eb") == pytest.approx(5.17, abs=0.01)


@pytest.fixture
def system(qapp: QApplication) -> Iterator[SystemScheme]:
    scheme = follow_system(qapp)
    yield scheme
    scheme.follow(Scheme.Light)
    assert not scheme.imposed


def switch_to(system: SystemScheme, scheme: Scheme) -> None:
    """As the system does: Qt's own request where the platform takes it (Qt 6.8+), else the handler."""
    hints = QGuiApplication.styleHints()
    hints.setColorScheme(scheme)
    if hints.colorScheme() != scheme:  # offscreen, or X11 without a platform theme: no such service
        system.follow(scheme)
    QApplication.processEvents()  # Qt hands the application's palette to the widgets from its event loop


def pixel(widget: QWidget, x: int, y: int | None = None) -> str:
    """The colour painted at (x, y), by default halfway down."""
    image = widget.grab().toImage()
    return image.pixelColor(x, image.height() // 2 if y is None else y).name()


def test_a_scheme_change_restyles_the_open_window(qtbot: QtBot, system: SystemScheme) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    pane = window.transcript
    pane.show_event(UserTranscript("u1", "Book a meeting tomorrow at ten", True))
    pane.show_event(ToolActivity("c1", "createMeeting", '{"title": "Standup"}', "done", '{"status": "ok"}'))
    pane.show_event(AssistantTranscript("a1", "r1", "Booked.", True, interrupted=True))
    window.banner.show_message("The connection was lost.", kind="error")
    window.talk.set_state(SessionState.READY)
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: pane._bubbles[2].height() < 100)  # laid out
    light = theme.colours(Scheme.Light)
    assert looks(window) == expected(light)
    light_window = window.palette().color(QPalette.ColorRole.Window).name()

    switch_to(system, Scheme.Dark)
    dark = theme.colours(Scheme.Dark)
    assert theme.current() is dark
    assert window.palette().color(QPalette.ColorRole.Window).name() == "#202124"
    assert looks(window) == expected(dark)
    assert f"color:{dark.bubbles['assistant'].accent}" in pane.bubble_texts()[2]  # "interrupted"

    switch_to(system, Scheme.Light)
    assert window.palette().color(QPalette.ColorRole.Window).name() == light_window
    assert looks(window) == expected(light)


def looks(window: MainWindow) -> dict[str, str]:
    """What is painted: a pixel of each surface, inside its padding."""
    bubbles = window.transcript._bubbles
    return {
        "talk": pixel(window.talk, 10),
        "user": pixel(bubbles[0], 4),
        "tool": pixel(bubbles[1], 4),
        "assistant": pixel(bubbles[2], 4),
        "banner": pixel(window.banner, 4),
        "conversation": pixel(window.transcript._holder, 2, 2),
    }


def expected(colours: Colours) -> dict[str, str]:
    return {
        "talk": colours.talk["ready"].background,
        "user": colours.bubbles["user"].background,
        "tool": colours.tool_cards["done"].background,
        "assistant": colours.bubbles["assistant"].background,
        "banner": colours.banners["error"].background,
        "conversation": QGuiApplication.palette().color(QPalette.ColorRole.Base).name(),
    }


def test_the_meter_banner_and_button_follow_on_their_own(qtbot: QtBot, system: SystemScheme) -> None:
    meter, banner, button = LevelMeter(), Banner(), TalkButton()
    for widget in (meter, banner, button):
        qtbot.addWidget(widget)
    banner.show_message("Reconnecting", kind="info")
    button.set_state(SessionState.FAILED)
    meter.resize(14, 64)
    button.resize(320, 64)
    banner.resize(600, 40)
    for scheme in SCHEMES:
        switch_to(system, scheme)
        colours = theme.colours(scheme)
        assert pixel(meter, 7, 5) == colours.meter_track
        assert pixel(banner, 4) == colours.banners["info"].background
        assert pixel(button, 10) == colours.talk["failed"].background


def test_the_calendar_marks_busy_days_and_weekends_in_the_scheme(
    qtbot: QtBot, qloop: object, store: MeetingStore, worker: StoreWorker, system: SystemScheme
) -> None:
    now = datetime(2025, 9, 1, 12, 0, tzinfo=CST)
    pane = CalendarPane(store, worker, tz=CST, now=lambda: now)
    qtbot.addWidget(pane)
    pane.calendar.setCurrentPage(2025, 9)
    standup = MeetingDraft("周会", datetime(2025, 9, 9, 15, 30, tzinfo=CST), 60, source="manual")
    worker.submit(store.create, standup)
    busy = QDate(2025, 9, 9)
    qtbot.waitUntil(lambda: pane.calendar.dateTextFormat(busy).fontWeight() > 400)
    for scheme in [Scheme.Dark, Scheme.Light]:
        switch_to(system, scheme)
        colours = theme.colours(scheme)
        marked = pane.calendar.dateTextFormat(busy)
        assert marked.foreground().color().name() == colours.busy_day.text
        assert marked.background().color().name() == colours.busy_day.background
        for day in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
            assert pane.calendar.weekdayTextFormat(day).foreground().color().name() == colours.weekend


def test_the_systems_notice_is_followed(qtbot: QtBot, system: SystemScheme) -> None:
    """Qt's colorSchemeChanged (what the platform sends) reaches the handler, after the platform's own
    palette change."""
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: theme.current().scheme == Scheme.Dark)
    assert system.imposed
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    qtbot.waitUntil(lambda: theme.current().scheme == Scheme.Light)
