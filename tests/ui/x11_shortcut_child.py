"""A process of its own on a real X display, for tests/ui/test_global_shortcut.py.

`listen SHORTCUT`: the app's GlobalShortcut grabs SHORTCUT and prints what it hears, a line each:
`status WORKS SENTENCE`, then `raw-press`/`raw-release` (what the grab delivers, auto-repeat included)
and `pressed`/`released` (what the talk gesture is told).
`other`: another application, a window with a text box, that prints `window ID` once shown and
`key press|release TEXT-OR-CODE` for each key it gets.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit


def say(*words: object) -> None:
    print(*words, flush=True)


def listen(shortcut: str) -> None:
    from desktop.ui.global_shortcut import GlobalShortcut

    app = QApplication([])
    heard = GlobalShortcut()
    hold = heard._hold
    press, release = hold.press, hold.release

    def raw_press() -> None:
        say("raw-press")
        press()

    def raw_release() -> None:
        say("raw-release")
        release()

    hold.press = raw_press  # type: ignore[method-assign]
    hold.release = raw_release  # type: ignore[method-assign]
    heard.pressed.connect(lambda: say("pressed"))
    heard.released.connect(lambda: say("released"))
    status = heard.set_shortcut(shortcut)
    say("status", status.works, status.sentence)
    app.exec()


class KeyLog(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kinds = {QEvent.Type.KeyPress: "press", QEvent.Type.KeyRelease: "release"}
        if isinstance(event, QKeyEvent) and event.type() in kinds:
            say("key", kinds[event.type()], event.text().strip() or hex(event.key()))
        return False


def other() -> None:
    app = QApplication([])
    box = QLineEdit()
    box.setWindowTitle("Another application")
    log = KeyLog()
    box.installEventFilter(log)
    box.show()
    say("window", int(box.winId()))
    app.exec()


if __name__ == "__main__":
    if sys.argv[1] == "listen":
        listen(sys.argv[2])
    else:
        other()
