"""Space as the talk button: held anywhere in the window it talks, except while the person types.

One press is one turn. Qt flags X11's auto-repeat (a release and a press of the held key, sent as a
pair) by looking for the press right behind the release; under load the press has not arrived yet,
and the pair reads as the person letting go and pressing again, a toggle in the middle of a sentence.
So a release is held back for `SAME_HOLD_MS`: a press of Space within it continues the same hold.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

_TYPING_WIDGETS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox)
SAME_HOLD_MS = 50  # a release followed this soon by a press is auto-repeat, not the person


class SpaceKey(QObject):
    """An application-wide filter: a focused button would otherwise take Space as its own click."""

    pressed = Signal()
    released = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._held = False
        self._letting_go = QTimer(self)  # a release waits here for a press that would continue the hold
        self._letting_go.setSingleShot(True)
        self._letting_go.setInterval(SAME_HOLD_MS)
        self._letting_go.timeout.connect(self._let_go)
        _application().installEventFilter(self)

    def stop(self) -> None:
        _application().removeEventFilter(self)
        self._letting_go.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or not isinstance(event, QKeyEvent):
            return False
        if event.key() != Qt.Key.Key_Space:
            return False
        # A held Space ends as talking wherever its release goes (another window, a text box).
        if not self._held and not self._window.isActiveWindow():
            return False
        # A space typed into a text box is text.
        if isinstance(QApplication.focusWidget(), _TYPING_WIDGETS) and not self._held:
            return False
        if event.isAutoRepeat():
            return True
        if kind == QEvent.Type.KeyPress:
            self._press()
        elif self._held:
            self._letting_go.start()
        return True

    def _press(self) -> None:
        if self._letting_go.isActive():  # auto-repeat Qt did not recognise: the same hold goes on
            self._letting_go.stop()
        elif not self._held:
            self._held = True
            self.pressed.emit()

    def _let_go(self) -> None:
        self._held = False
        self.released.emit()


def _application() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app
