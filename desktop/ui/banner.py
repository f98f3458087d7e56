"""A non-modal strip across the top of the window: one sentence, and what the person can do about it."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

Kind = Literal["error", "info"]

_STYLE = """
Banner[kind="error"] { background: #fef2f2; border: 1px solid #fca5a5; border-radius: 6px; }
Banner[kind="info"] { background: #eff6ff; border: 1px solid #93c5fd; border-radius: 6px; }
Banner QLabel { color: #111827; }
"""


class Banner(QFrame):
    retryRequested = Signal()
    settingsRequested = Signal()
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(_STYLE)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.retry = QPushButton(self.tr("Retry"))
        self.settings = QPushButton(self.tr("Open settings"))
        self.cancel = QPushButton(self.tr("Cancel"))
        self.dismiss = QPushButton(self.tr("Dismiss"))
        self.dismiss.setFlat(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.message, 1)
        for button in (self.retry, self.settings, self.cancel, self.dismiss):
            layout.addWidget(button)
        self.retry.clicked.connect(self._retry)
        self.settings.clicked.connect(self.settingsRequested)
        self.cancel.clicked.connect(self._cancel)
        self.dismiss.clicked.connect(self.hide)
        self.hide()

    def show_message(
        self,
        text: str,
        *,
        kind: Kind = "error",
        retry: bool = False,
        settings: bool = False,
        cancel: bool = False,
    ) -> None:
        """`cancel` offers to stop what is under way (reconnecting) instead of dismissing the banner."""
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.message.setText(text)
        self.message.setToolTip("")
        self.retry.setVisible(retry)
        self.settings.setVisible(settings)
        self.cancel.setVisible(cancel)
        self.dismiss.setVisible(not cancel)
        self.show()

    def _cancel(self) -> None:
        self.hide()
        self.cancelRequested.emit()

    def _retry(self) -> None:
        self.hide()
        self.retryRequested.emit()
