"""What the tray icon shows: five states (idle, listening, the assistant speaking, waiting for the
person's confirmation, an error), each the app icon with its own badge, and each said in words for
the tooltip.

The badges are painted with QPainter: a disc in the state's colour (the talk button's colours, mid
tones that read on light and dark panels alike), ringed in the palette's window colour so it stands
apart from the icon, with a sign of its own (a dot, sound waves, a question mark, an exclamation mark)
so that the states differ by shape, not only by colour. Idle is the plain icon.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPen, QPixmap

from desktop.session import SessionState
from desktop.storage import resource
from desktop.ui.theme import current

_CONTEXT = "TrayIcon"
_SIZES = (16, 22, 24, 32, 48, 64)


class TrayState(enum.Enum):
    IDLE = "idle"
    LISTENING = "listening"
    SPEAKING = "speaking"
    CONFIRMING = "confirming"
    ERROR = "error"


_LISTENING = frozenset({SessionState.LISTENING, SessionState.USER_SPEAKING})
_SPEAKING = frozenset({SessionState.THINKING, SessionState.ASSISTANT_SPEAKING})


def tray_state(state: SessionState, confirmations: int) -> TrayState:
    """The icon for the session's `state` while `confirmations` meeting dialogs wait for the person."""
    if state is SessionState.FAILED:
        return TrayState.ERROR
    if confirmations > 0:
        return TrayState.CONFIRMING
    if state in _LISTENING:
        return TrayState.LISTENING
    if state in _SPEAKING:
        return TrayState.SPEAKING
    return TrayState.IDLE


def state_words(shown: TrayState, state: SessionState) -> str:
    """The tooltip's sentence: what the icon shows, and for idle whether a conversation is on."""
    if shown is TrayState.IDLE:
        if state in (SessionState.CONNECTING, SessionState.RECONNECTING):
            return QCoreApplication.translate(_CONTEXT, "Connecting…")
        if state is SessionState.READY:
            return QCoreApplication.translate(_CONTEXT, "In a conversation")
        return QCoreApplication.translate(_CONTEXT, "Not in a conversation")
    words = {
        TrayState.LISTENING: QCoreApplication.translate(_CONTEXT, "Listening"),
        TrayState.SPEAKING: QCoreApplication.translate(_CONTEXT, "The assistant is speaking"),
        TrayState.CONFIRMING: QCoreApplication.translate(_CONTEXT, "Waiting for your confirmation"),
        TrayState.ERROR: QCoreApplication.translate(_CONTEXT, "The conversation stopped with an error"),
    }
    return words[shown]


def state_icon(shown: TrayState, palette: QPalette) -> QIcon:
    """The app icon with the state's badge in the lower right, at the sizes panels ask for."""
    base = QIcon(str(resource("icons", "app.png")))
    if shown is TrayState.IDLE:
        return base
    icon = QIcon()
    for size in _SIZES:
        pixmap = base.pixmap(size, size)
        if pixmap.isNull():
            pixmap = QPixmap(size, size)
            pixmap.fill(palette.color(QPalette.ColorRole.Window))
        _paint_badge(pixmap, shown, palette)
        icon.addPixmap(pixmap)
    return icon


def _paint_badge(pixmap: QPixmap, shown: TrayState, palette: QPalette) -> None:
    side = pixmap.width()
    badge = side * 0.6
    area = QRectF(side - badge, side - badge, badge, badge).adjusted(0.5, 0.5, -0.5, -0.5)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(palette.color(QPalette.ColorRole.Window), max(1.0, side / 16)))
    badge_colours = current().tray_badges[shown.value]
    painter.setBrush(QColor(badge_colours.background))
    painter.drawEllipse(area)
    _paint_sign(painter, area, shown, QColor(badge_colours.text))
    painter.end()


def _paint_sign(painter: QPainter, area: QRectF, shown: TrayState, ink: QColor) -> None:
    """On the badge: a dot (listening), waves (speaking), "?" (confirming), "!" (error)."""
    centre, radius = area.center(), area.width() / 2
    pen = QPen(ink, max(1.0, radius / 4))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.setBrush(ink)
    if shown is TrayState.LISTENING:
        painter.setPen(Qt.PenStyle.NoPen)
        dot = radius * 0.4
        painter.drawEllipse(QRectF(centre.x() - dot, centre.y() - dot, 2 * dot, 2 * dot))
    elif shown is TrayState.SPEAKING:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for reach in (0.3, 0.6):
            arc = QRectF(centre - QPointF(radius * reach, radius * reach),
                         centre + QPointF(radius * reach, radius * reach))
            painter.drawArc(arc.translated(-radius * 0.3, 0), -50 * 16, 100 * 16)
    else:
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(6, round(radius * 1.5)))
        painter.setFont(font)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "?" if shown is TrayState.CONFIRMING else "!")
