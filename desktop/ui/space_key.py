"""Space as the talk button: held anywhere in the window it talks, except while the person types."""

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

_TYPING_WIDGETS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox)


class SpaceKey(QObject):
    """An application-wide filter: a focused button would otherwise take Space as its own click."""

    pressed = Signal()
    released = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._held = False
        _application().installEventFilter(self)

    def stop(self) -> None:
        _application().removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or not isinstance(event, QKeyEvent):
            return False
        if event.key() != Qt.Key.Key_Space or not self._window.isActiveWindow():
            return False
        # A space typed into a text box is text; but a Space already held ends as talking.
        if isinstance(QApplication.focusWidget(), _TYPING_WIDGETS) and not self._held:
            return False
        if event.isAutoRepeat():
            return True
        if kind == QEvent.Type.KeyPress and not self._held:
            self._held = True
            self.pressed.emit()
        elif kind == QEvent.Type.KeyRelease and self._held:
            self._held = False
            self.released.emit()
        return True


def _application() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app
