"""A small vertical bar showing the microphone level: fast attack, slow release, so speech is visible
without flicker."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.ui import theme
from desktop.ui.colour_scheme import on_change

_RELEASE = 0.80  # fraction of the previous reading kept per update when the level drops


class LevelMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(48)
        self.setToolTip(self.tr("Microphone level"))
        self.setAccessibleName(self.tr("Microphone level"))
        on_change(self.update)

    @property
    def shown_level(self) -> float:
        return self._shown

    def set_level(self, rms: float) -> None:
        # Speech RMS lives around 0.01..0.3: a log scale makes quiet speech visible.
        db = 20 * math.log10(max(rms, 1e-4))
        target = min(1.0, max(0.0, (db + 60) / 60))
        self._shown = target if target > self._shown else self._shown * _RELEASE
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(14, 64)

    def paintEvent(self, event: QPaintEvent) -> None:
        colours = theme.current()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colours.meter_track))
        painter.drawRoundedRect(frame, 4, 4)
        height = frame.height() * self._shown
        bar = QRectF(frame.left(), frame.bottom() - height, frame.width(), height)
        painter.setBrush(QColor(colours.meter_level if self._shown < 0.85 else colours.meter_loud))
        painter.drawRoundedRect(bar, 4, 4)
