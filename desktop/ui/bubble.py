"""A bubble of the conversation and the looks of all of them: the user's, the assistant's, a marker
line, and a tool card per status, in the colours of the scheme shown (`desktop.ui.theme`)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QTextDocument
from PySide6.QtWidgets import QLabel

from desktop.ui.theme import Colours, Swatch
from desktop.ui.transcript_model import Role, TranscriptTurn

_SHAPES = {
    "user": "border-radius:10px; padding:8px 10px;",
    "assistant": "border-radius:10px; padding:8px 10px;",
    "marker": "font-size:11px; font-style:italic; padding:2px 8px;",
    "tool": "border-radius:8px; padding:6px 10px; font-size:12px;",
}


def look_of(turn: TranscriptTurn) -> str:
    """The bubble's look: its role, or for a tool call its status ("tool-done")."""
    return f"tool-{turn.tool.status}" if turn.tool is not None else turn.role


def swatch(colours: Colours, look: str) -> Swatch:
    """The colours of a look."""
    if look.startswith("tool-"):
        return colours.tool_cards[look.removeprefix("tool-")]
    return colours.bubbles[look]


def bubbles_style(colours: Colours, base: QColor) -> str:
    """Every bubble's look in the scheme's colours, on the conversation's background (the palette's
    Base: given, as a widget's own palette follows the application's only later)."""
    rules = [f"#conversation {{ background: {base.name()}; }}"]
    looks = [*colours.bubbles, *(f"tool-{status}" for status in colours.tool_cards)]
    for look in looks:
        paint, shape = swatch(colours, look), _SHAPES[look.split("-")[0]]
        border = f" border:1px solid {paint.border};" if paint.border != "transparent" else ""
        colour = f"background:{paint.background}; color:{paint.text};{border}"
        rules.append(f'Bubble[look="{look}"] {{ {shape} {colour} }}')
    return "\n".join(rules)


class Bubble(QLabel):
    """A word-wrapped label as wide as its longest line, up to its maximum width: QLabel alone picks
    a narrow wrapping width for long text."""

    _PADDING = 24  # the style sheet's horizontal padding and border

    def __init__(self, role: Role) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setProperty("look", role)
        self._layout_text = QTextDocument()

    def show_as(self, look: str) -> None:
        """The holder's style sheet draws each look; a dynamic property does not restyle by itself."""
        if self.property("look") != look:
            self.setProperty("look", look)
            self.style().unpolish(self)
            self.style().polish(self)

    def sizeHint(self) -> QSize:
        self._layout_text.setDefaultFont(self.font())
        self._layout_text.setHtml(self.text())
        width = min(int(self._layout_text.idealWidth()) + self._PADDING, self.maximumWidth())
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()
