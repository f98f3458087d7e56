"""Launching the app: the QApplication, translations and the window first, then one qasync loop
(Qt's and asyncio's at once) running `desktop.app.composition.Root`, which wires everything else.

The window must be on screen within half a second, so only Qt and the widgets are imported before it
is shown; asyncio, the controller and the session factory come next, and the media stack is imported on a
worker thread afterwards (`AppSessionFactory.preload`).
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from types import FrameType

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QSettings, QTimer, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from desktop.app.memory import restore_plain_import

restore_plain_import()  # before the app's own modules: PySide6 would keep each one's source

from desktop.storage import APP_AUTHOR, APP_ID, APP_NAME, resource  # noqa: E402
from desktop.ui import (  # noqa: E402
    Instance,
    MainWindow,
    claim,
    follow_system,
)

TRANSLATION_NAME = "voice_assistant"
_SIGNAL_POLL_MS = 200  # Python runs signal handlers only between bytecodes: wake it up regularly
_GC_INTERVAL_MS = 500
_EXPOSE_WAIT_S = 0.3
# The startup benchmark (benchmarks/launch.py): print this marker once the window is shown, then quit.
EXIT_WHEN_SHOWN_ENV = "VOICE_ASSISTANT_EXIT_WHEN_SHOWN"
SHOWN_MARKER = "window-shown"


def install_translators(app: QApplication, locale: QLocale) -> list[QTranslator]:
    """The app's own strings and Qt's standard ones (dialog buttons) in the person's language.

    The source strings are English; a language without a file simply shows them."""
    installed: list[QTranslator] = []
    for name, folder in (
        (TRANSLATION_NAME, str(resource("translations"))),
        ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
    ):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder):
            app.installTranslator(translator)
            installed.append(translator)
    return installed


def _configure_logging() -> None:
    """The rotating, masked log file in the platform's log folder (desktop/app/log_file.py)."""
    from PySide6.QtCore import qVersion

    from desktop.app.log_file import start_log_file  # after the window is shown

    start_log_file()
    logging.getLogger(__name__).info("Qt %s, window system %s", qVersion(), QApplication.platformName())


class GuiThreadCollector(QObject):
    """Runs Python's cyclic garbage collector on the GUI thread only.

    PySide deletes a Qt object when its wrapper is collected, and the collector otherwise runs on
    whichever thread happens to allocate: a widget freed on the demo server's or an executor's thread
    dies there with its timers ("Timers cannot be stopped from another thread"), and the next timer
    event crashes the process. Seen in the UI tests; this removes the cause."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._collect)
        self._timer.start(_GC_INTERVAL_MS)

    def _collect(self) -> None:
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if counts[0] <= thresholds[0]:
            return
        generation = 2 if counts[2] > thresholds[2] else 1 if counts[1] > thresholds[1] else 0
        gc.collect(generation)


def _install_stop_signals(stop: Callable[[str], object], app: QApplication) -> None:
    """Ctrl+C (SIGINT), `kill` and logging out (SIGTERM) and a closed terminal (SIGHUP) ask for the
    same orderly shutdown as closing the window: the call ends, the stores close, the exit status is 0.
    A signal the launch ignores stays ignored: `nohup` ignores SIGHUP, a shell's `&` SIGINT."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):  # Windows has no SIGHUP
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _stop_on(name, stop))
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(_SIGNAL_POLL_MS)


def _stop_on(name: str, stop: Callable[[str], object]) -> Callable[[int, FrameType | None], object]:
    return lambda _signum, _frame: stop(name)


def run_window(argv: list[str] | None = None) -> int:
    """Launch the window; returns the process exit code."""
    app = QApplication.instance() or QApplication(sys.argv if argv is None else argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName(APP_AUTHOR)
    app.setApplicationName(APP_NAME)
    app.setDesktopFileName(APP_ID)  # Wayland's app id: the window gets the launcher's entry and icon
    app.setWindowIcon(QIcon(str(resource("icons", "app.png"))))
    app.setQuitOnLastWindowClosed(False)  # the root quits after an orderly shutdown
    follow_system(app)  # the system's colour scheme, dark or light, from the first paint on
    install_translators(app, QLocale.system())  # before the claim: "does not answer" is in a box
    instance = claim()  # before the window: a second launch shows none of its own
    if isinstance(instance, int):  # the app runs already and was asked to bring its window forward
        return instance
    window = MainWindow()
    window.show()
    _paint_now(app, window)
    if not window.isVisible():  # closed while it was being painted, before anything listens for that
        return 0
    if os.environ.get(EXIT_WHEN_SHOWN_ENV) == "1":
        print(SHOWN_MARKER, flush=True)
        return 0
    _configure_logging()
    instance.listen(window)
    return _run(app, window, instance)


def _paint_now(app: QApplication, window: MainWindow) -> None:
    """Lets Qt map and paint the window before the rest of start-up (asyncio, qasync, the
    composition root; docs/measurements.md, Launch) runs; otherwise the person looks at an empty frame
    until the event loop starts. The wait for the window system to expose the window is bounded."""
    deadline = time.monotonic() + _EXPOSE_WAIT_S
    app.processEvents()
    handle = window.windowHandle()
    while handle is not None and not handle.isExposed() and time.monotonic() < deadline:
        time.sleep(0.005)
        app.processEvents()


def _run(app: QApplication, window: MainWindow, instance: Instance) -> int:
    import asyncio

    from desktop.app.composition import Root
    from desktop.app.session_factory import AppSessionFactory
    from desktop.ui import BatchingQEventLoop

    loop = BatchingQEventLoop(app)
    asyncio.set_event_loop(loop)
    root = Root(app, window, QSettings(), AppSessionFactory(), on_quit=instance.stop_listening)
    _install_stop_signals(lambda name: loop.call_soon_threadsafe(root.request_quit, f"signal {name}"), app)
    GuiThreadCollector(app)
    with loop:
        return loop.run_until_complete(root.run())
