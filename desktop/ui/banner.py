"""A non-modal strip across the top of the window: one sentence, and what the person can do about it.

It can count down to something the engine announced (the next attempt to reconnect, when the service
asked to wait): the engine says when, the banner's own timer updates the seconds left.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Literal

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.ui import theme
from desktop.ui.colour_scheme import on_change
from desktop.ui.theme import Colours

Kind = Literal["error", "info"]


def _style(colours: Colours) -> str:
    rules = [
        f'Banner[kind="{kind}"] {{ background: {look.background}; border: 1px solid {look.border};'
        f" border-radius: 6px; }}\n"
        f'Banner[kind="{kind}"] QLabel {{ color: {look.text}; }}'
        for kind, look in colours.banners.items()
    ]
    return "\n".join(rules)


TICK_MS = 1000
EARLY_TICK = 0.1  # seconds: a timer that fires a little early must not show the same second twice


class Banner(QFrame):
    retryRequested = Signal()
    settingsRequested = Signal()
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        """`clock` (monotonic seconds) is what a countdown is measured against; tests inject one."""
        super().__init__(parent)
        self.restyle()
        on_change(self.restyle)
        self._clock = clock
        self._countdown = QTimer(self)
        self._countdown.setInterval(TICK_MS)
        self._countdown.setTimerType(Qt.TimerType.PreciseTimer)
        self._countdown.timeout.connect(self.tick)
        self._template, self._then, self._deadline = "", "", 0.0
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
        self._countdown.stop()  # a new sentence replaces any countdown
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

    def restyle(self) -> None:
        """In the colours of the scheme shown now."""
        self.setStyleSheet(_style(theme.current()))

    def count_down(self, template: str, seconds: float, *, then: str, cancel: bool = False) -> None:
        """Show `template` with %1 as the whole seconds left, updated each second; after `seconds`,
        show `then` (what happens next, e.g. the attempt under way)."""
        self._template, self._then = template, then
        self._deadline = self._clock() + seconds
        self.show_message("", kind="info", cancel=cancel)
        self._countdown.start()
        self.tick()

    def tick(self) -> None:
        """One second of the countdown (the timer's slot)."""
        if not self._countdown.isActive():
            return  # a tick queued before the countdown ended
        left = math.ceil(self._deadline - self._clock() - EARLY_TICK)
        if left > 0:
            self.message.setText(self._template.replace("%1", str(left)))
        else:
            self._countdown.stop()
            self.message.setText(self._then)

    @property
    def counting_down(self) -> bool:
        return self._countdown.isActive()

    def setVisible(self, visible: bool) -> None:
        if not visible:  # hidden on purpose (a minimized window is not: its banner counts on)
            self._countdown.stop()
        super().setVisible(visible)

    def _cancel(self) -> None:
        self.hide()
        self.cancelRequested.emit()

    def _retry(self) -> None:
        self.hide()
        self.retryRequested.emit()
