"""Space as the talk button: held anywhere in the window it talks, except while the person types.

One press is one turn: a release followed within `SAME_HOLD_MS` by a press of Space is X11's
auto-repeat that Qt, under load, did not flag, and continues the same hold (`desktop.ui.same_hold`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
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

from desktop.ui.same_hold import SameHold

_TYPING_WIDGETS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox)


_SHORTCUT_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
)

class SpaceKey(QObject):
    """An application-wide filter: a focused button would otherwise take Space as its own click."""

    pressed = Signal()
    released = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._hold = SameHold(self)
        self._hold.pressed.connect(self.pressed)
        self._hold.released.connect(self.released)
        _application().installEventFilter(self)

    def stop(self) -> None:
        _application().removeEventFilter(self)
        self._hold.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ApplicationDeactivate:
            self._hold.end()  # another application has the keyboard: Space's release will not come here
            return False
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or not isinstance(event, QKeyEvent):
            return False
        if event.key() != Qt.Key.Key_Space:
            return False
        # A held Space ends as talking wherever its release goes (another window, a text box).
        if not self._hold.held and not self._window.isActiveWindow():
            return False
        # A space typed into a text box is text.
        if isinstance(QApplication.focusWidget(), _TYPING_WIDGETS) and not self._hold.held:
            return False
        if event.isAutoRepeat():
            return True
        if kind == QEvent.Type.KeyPress and event.modifiers() & _SHORTCUT_MODIFIERS and not self._hold.held:
            return False  # Ctrl+Alt+Space and the like are shortcuts (the global one may come here too)
        if kind == QEvent.Type.KeyPress:
            self._hold.press()
        else:
            self._hold.release()
        return True


def _application() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app
