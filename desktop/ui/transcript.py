"""The conversation pane: one bubble per turn, a text box for typed messages, copy/clear/save.

The order and content of turns come from `desktop.ui.transcript_model.TranscriptModel`; this widget
only mirrors each change into the bubble at the same index.
"""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.session import Usage
from desktop.ui import theme
from desktop.ui.bubble import Bubble, bubbles_style, look_of, swatch
from desktop.ui.colour_scheme import on_change
from desktop.ui.transcript_model import ConversationEvent, Role, TranscriptModel, TranscriptTurn
from desktop.ui.usage_label import usage_breakdown, usage_line
from desktop.ui.usage_tally import TokenPrices

_SHOWN_CHARS = 300
_FOLLOW_SLACK_PX = 24


def _readable(arguments: str) -> str:
    """A flat JSON object as "key: value · key: value"; anything else as it came."""
    try:
        value = json.loads(arguments)
    except ValueError:
        return arguments[:_SHOWN_CHARS]
    if not isinstance(value, dict):
        return arguments[:_SHOWN_CHARS]
    return " · ".join(f"{key}: {item}" for key, item in value.items())[:_SHOWN_CHARS]


def _outcome(output: str) -> str:
    """What a tool's JSON result says in a few words: its status and message, when it has them."""
    try:
        value = json.loads(output)
    except ValueError:
        return output[:_SHOWN_CHARS]
    if isinstance(value, dict) and any(k in value for k in ("status", "message", "error")):
        said = [str(value[k]) for k in ("status", "message", "error") if value.get(k)]
        return " — ".join(said)[:_SHOWN_CHARS]
    return output[:_SHOWN_CHARS]


class TranscriptPane(QWidget):
    sendRequested = Signal(str)
    problem = Signal(str)  # one sentence for the banner

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conversation = TranscriptModel()
        self.prices: Callable[[], TokenPrices] = TokenPrices  # the window's: the prices in Settings
        self._bubbles: list[Bubble] = []
        self._save_dialog: QFileDialog | None = None
        self._list = QVBoxLayout()
        self._list.setSpacing(8)
        self._list.addStretch(1)
        holder = QWidget()
        holder.setObjectName("conversation")
        holder.setLayout(self._list)
        self._holder = holder
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setWidget(holder)
        self._following = True
        bar = self._scroll.verticalScrollBar()
        bar.rangeChanged.connect(self._range_changed)
        bar.valueChanged.connect(self._scrolled)
        self.input = QLineEdit()
        self.input.setPlaceholderText(self.tr("Type a message and press Enter"))
        self.send = QPushButton(self.tr("Send"))
        self.copy = QPushButton(self.tr("Copy"))
        self.clear = QPushButton(self.tr("Clear"))
        self.save = QPushButton(self.tr("Save as Markdown…"))
        self._lay_out()
        self.input.returnPressed.connect(self._send)
        self.send.clicked.connect(self._send)
        self.copy.clicked.connect(self.copy_to_clipboard)
        self.clear.clicked.connect(self.clear_conversation)
        self.save.clicked.connect(self._ask_where_to_save)
        self.restyle()
        on_change(self.restyle)

    def restyle(self) -> None:
        """The bubbles in the colours of the scheme shown now, their inline colours too."""
        base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
        self._holder.setStyleSheet(bubbles_style(theme.current(), base))
        for bubble, turn in zip(self._bubbles, self.conversation.turns, strict=True):
            bubble.setText(self._render(turn))

    def _lay_out(self) -> None:
        tools = QHBoxLayout()
        tools.addStretch(1)
        for button in (self.copy, self.clear, self.save):
            button.setFlat(True)
            tools.addWidget(button)
        entry = QHBoxLayout()
        entry.addWidget(self.input, 1)
        entry.addWidget(self.send)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(tools)
        layout.addWidget(self._scroll, 1)
        layout.addLayout(entry)

    # --- rendering ---------------------------------------------------------------------------

    def show_event(self, event: ConversationEvent) -> None:
        change = self.conversation.apply(event)
        if change is None:
            return
        turn = self.conversation.turns[change.index]
        if change.inserted:
            bubble = self._new_bubble(turn.role)
            self._bubbles.insert(change.index, bubble)
            self._list.insertWidget(change.index, self._row(turn.role, bubble))
        self._bubbles[change.index].show_as(look_of(turn))
        self._bubbles[change.index].setText(self._render(turn))

    def mark_confirming(self, call_id: str) -> None:
        """The meeting dialog is asking the person about this call: the bubble says so, instead of
        looking as if the assistant were still busy."""
        turn = next((t for t in self.conversation.turns if t.key == call_id), None)
        if turn is not None and turn.tool is not None and turn.tool.status == "requested":
            self.show_event(dataclasses.replace(turn.tool, status="confirming"))

    def mark_renewed(self) -> None:
        """A discreet line where the connection was renewed; the conversation itself goes on."""
        change = self.conversation.mark()
        bubble = self._new_bubble("marker")
        self._bubbles.insert(change.index, bubble)
        self._list.insertWidget(change.index, self._row("marker", bubble))
        bubble.setText(self._render(self.conversation.turns[change.index]))

    def bubble_texts(self) -> list[str]:
        return [bubble.text() for bubble in self._bubbles]

    @staticmethod
    def _row(role: Role, bubble: QLabel) -> QWidget:
        """The bubble on its side of the pane. Stretches rather than layout alignment: an aligned
        item keeps its first size hint, so a word-wrapped bubble would not grow as words stream in."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        if role != "assistant":  # a marker sits in the middle
            layout.addStretch(1)
        layout.addWidget(bubble)
        if role != "user":
            layout.addStretch(1)
        return row

    def _new_bubble(self, role: Role) -> Bubble:
        bubble = Bubble(role)
        bubble.setMaximumWidth(self._bubble_width())
        return bubble

    def _bubble_width(self) -> int:
        return max(200, int(self._scroll.viewport().width() * 0.78))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        width = self._bubble_width()
        for bubble in self._bubbles:
            bubble.setMaximumWidth(width)

    def _render(self, turn: TranscriptTurn) -> str:
        if turn.role == "marker":
            return f"— {html.escape(self.tr('connection renewed'))} —"
        if turn.tool is not None:
            return self._render_tool(turn)
        text = html.escape(turn.text).replace("\n", "<br>") or "…"
        if turn.interrupted:
            muted = swatch(theme.current(), turn.role).accent
            text += f' <i style="color:{muted}">— {self.tr("interrupted")}</i>'
        return text

    def _render_tool(self, turn: TranscriptTurn) -> str:
        assert turn.tool is not None
        tool = turn.tool
        parts = [f"<b>{html.escape(tool.name)}</b> — {self._status_words()[tool.status]}"]
        detail = swatch(theme.current(), look_of(turn)).accent
        parts.append(f'<span style="color:{detail}">{html.escape(_readable(tool.arguments))}</span>')
        if tool.output and not tool.sources:  # a knowledge answer: its documents say more than its JSON
            parts.append(html.escape(_outcome(tool.output)))
        if tool.sources:
            parts.append(self.tr("Documents used: %1").replace("%1", html.escape(", ".join(tool.sources))))
        return "<br>".join(parts)

    def _status_words(self) -> dict[str, str]:
        return {
            "requested": self.tr("asked"),
            "confirming": self.tr("waiting for your confirmation"),
            "done": self.tr("done"),
            "declined": self.tr("declined by you"),
            "failed": self.tr("failed"),
        }

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        # The conversation grew: follow the newest words, unless the person scrolled up to read.
        if self._following:
            self._scroll.verticalScrollBar().setValue(maximum)

    def _scrolled(self, value: int) -> None:
        self._following = value >= self._scroll.verticalScrollBar().maximum() - _FOLLOW_SLACK_PX

    # --- actions -----------------------------------------------------------------------------

    def _send(self) -> None:
        text = self.input.text().strip()
        if text:
            self.input.clear()
            self.sendRequested.emit(text)

    def markdown(self) -> str:
        labels: dict[Role, str] = {
            "user": self.tr("You"),
            "assistant": self.tr("Assistant"),
            "tool": self.tr("Tool"),
            "marker": self.tr("connection renewed"),
        }
        text = self.conversation.to_markdown(
            labels, self.tr("interrupted"), self.tr("Documents used: %1"), self._status_words()
        )
        tally = self.conversation.usage
        if not tally.responses:
            return text
        prices = self.prices()
        lines = [usage_line(tally.counts, prices), *usage_breakdown(tally.counts, prices).splitlines()]
        # Everything since the transcript was last cleared (the status bar counts this conversation).
        return text + f"**{self.tr('Usage of this transcript')}:** " + "  \n".join(lines) + "\n"

    def count(self, usage: Usage) -> None:
        """One response's tokens, for the Markdown export's totals."""
        self.conversation.usage.add(usage.details)

    def copy_to_clipboard(self) -> None:
        QGuiApplication.clipboard().setText(self.markdown())

    def clear_conversation(self) -> None:
        self.conversation.clear()
        for bubble in self._bubbles:
            row = bubble.parentWidget()
            (row or bubble).deleteLater()
        self._bubbles.clear()

    def _ask_where_to_save(self) -> QFileDialog:
        # open(), not the static getSaveFileName: that runs a nested event loop (a native one on
        # macOS), which would stall the conversation and the audio while the person picks a file.
        # One dialog, kept: it remembers the folder chosen last time.
        if self._save_dialog is None:
            title, kinds = self.tr("Save conversation"), self.tr("Markdown (*.md)")
            dialog = QFileDialog(self, title, "conversation.md", kinds)
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setDefaultSuffix("md")
            dialog.fileSelected.connect(lambda path: self._save_to(Path(path)))
            self._save_dialog = dialog
        self._save_dialog.open()
        return self._save_dialog

    def _save_to(self, path: Path) -> None:
        try:
            self.save_markdown(path)
        except OSError as exc:
            reason = exc.strerror or ""
            self.problem.emit(self.tr("The conversation could not be saved: %1").replace("%1", reason))

    def save_markdown(self, path: Path) -> None:
        # A few kilobytes: written at once rather than through an executor.
        path.write_text(self.markdown(), encoding="utf-8")
