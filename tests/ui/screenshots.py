"""Screenshots of the whole window, for the README and for looking at: a conversation with the demo
server (a meeting booked by voice: the meeting dialog, the tool card, the busy days in the calendar) and
a banner, in one colour scheme and language per run.

    xvfb-run -a -s "-screen 0 2000x1400x24" python -m tests.ui.screenshots OUT --scheme dark --language zh_CN

`--live` starts in the other scheme and switches while the window is open.

QT_SCALE_FACTOR sets the scale. Where the platform takes Qt's request for a scheme (Qt 6.8+,
`QStyleHints.setColorScheme`) that is used; elsewhere the app's own handler, as the system's change
would call it. Not a test: pytest collects only test_*.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import QLocale, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from desktop.app.launch import install_translators
from desktop.session.events import SessionState
from desktop.settings.preferences import Preferences
from desktop.storage.meeting_model import MeetingDraft
from desktop.storage.paths import DATA_DIR_ENV
from desktop.ui.colour_scheme import SystemScheme, follow_system
from desktop.ui.event_loop import BatchingQEventLoop
from desktop.ui.meeting_dialog import MeetingDialog
from tests.ui.harness import demo_root, wait_until

LIVE = (SessionState.READY, SessionState.LISTENING)
BOOKING = {
    "en": "Please book a meeting tomorrow at 10 called Design review",
    "zh": "明天上午十点预约设计评审会议",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--scheme", choices=("light", "dark"), default="light")
    parser.add_argument("--language", default="en")
    live = "start in the other scheme and switch to this one before the last shot"
    parser.add_argument("--live", action="store_true", help=live)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    data = tempfile.mkdtemp(prefix="shots-")
    os.environ[DATA_DIR_ENV] = data
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("screenshots")
    app.setApplicationName("screenshots")
    QLocale.setDefault(QLocale(args.language))  # the calendar's month and day names, as on such a system
    install_translators(app, QLocale(args.language))
    scheme = Qt.ColorScheme.Dark if args.scheme == "dark" else Qt.ColorScheme.Light
    other = Qt.ColorScheme.Light if args.scheme == "dark" else Qt.ColorScheme.Dark
    system = follow_system(app)
    _switch(system, other if args.live else scheme)
    scale = os.environ.get("QT_SCALE_FACTOR", "1")
    name = f"{args.scheme}-{args.language}-{round(float(scale) * 100)}{'-live' if args.live else ''}"
    loop = BatchingQEventLoop(app)
    asyncio.set_event_loop(loop)
    store = QSettings(str(Path(data) / "settings.ini"), QSettings.Format.IniFormat)
    chinese = args.language.startswith("zh")
    with loop:
        booking = BOOKING["zh" if chinese else "en"]
        switch = (lambda: _switch(system, scheme)) if args.live else (lambda: None)
        loop.run_until_complete(_shoot(app, store, args.out, name, booking, switch))
    return 0


def _switch(system: SystemScheme, scheme: Qt.ColorScheme) -> None:
    """Qt's request where the platform takes it (Qt 6.8+), else the handler the system's change calls."""
    QGuiApplication.styleHints().setColorScheme(scheme)
    if QGuiApplication.styleHints().colorScheme() != scheme:
        system.follow(scheme)


async def _shoot(
    app: QApplication, store: QSettings, out: Path, name: str, booking: str, switch: Callable[[], None]
) -> None:
    async with demo_root(app, store, Preferences()) as root:
        window = root.window
        window.resize(1180, 760)
        await wait_until(lambda: root.pane is not None and root.toolbox is not None, limit=30)
        assert root.toolbox is not None
        await _book_two_meetings(root.toolbox)
        window.start.click()
        await wait_until(lambda: root.controller.state in LIVE, limit=30)
        root.controller.send_text(booking)
        await wait_until(lambda: _dialog() is not None, limit=30)
        await _settle()
        _grab_screen(out / f"{name}-dialog.png", window)
        dialog = _dialog()
        assert dialog is not None
        dialog.accept_button.click()
        await wait_until(lambda: _booked(root), limit=30)
        await asyncio.sleep(1.5)  # the spoken confirmation's words arrive
        window.show_unexpected_error()  # a red banner
        switch()
        await _settle()
        window.grab().save(str(out / f"{name}.png"))


async def _book_two_meetings(toolbox: object) -> None:
    store, worker = toolbox.store, toolbox.meeting_worker  # type: ignore[attr-defined]
    today = datetime.now().astimezone()
    # The first overlaps the one asked for by voice: the dialog shows its warning.
    for days, hour, title in ((1, time(10, 30), "1:1"), (4, time(14), "Sprint planning")):
        start = datetime.combine(today.date() + timedelta(days=days), hour, tzinfo=today.tzinfo)
        await worker.run(store.create, MeetingDraft(title, start, 45, source="manual"))


def _dialog() -> MeetingDialog | None:
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, MeetingDialog) and w.isVisible()]
    return shown[0] if shown else None


def _booked(root: object) -> bool:
    turns = root.window.transcript.conversation.turns  # type: ignore[attr-defined]
    return any(turn.tool is not None and turn.tool.status == "done" for turn in turns)


async def _settle() -> None:
    """Lets the loop lay out and paint what just changed."""
    await asyncio.sleep(0.5)


def _grab_screen(path: Path, window: QWidget) -> None:
    """The screen around the window (the dialog is a window of its own)."""
    screen = window.screen()
    frame = window.frameGeometry().adjusted(-20, -20, 20, 20)
    screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height()).save(str(path))


if __name__ == "__main__":
    sys.exit(main())
