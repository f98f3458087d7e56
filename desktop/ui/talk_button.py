"""The big talk button: its look and label always say what the conversation is doing.

It only renders and reports presses; the main window decides what a press means in the current mode
(push-to-talk: hold; hands-free: click to start or stop listening).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

from desktop.session import SessionState
from desktop.ui import theme
from desktop.ui.colour_scheme import on_change
from desktop.ui.label_fit import fitted
from desktop.ui.theme import Colours


def _style(colours: Colours) -> str:
    """The button's look per state (a dynamic property): the scheme's colours, one shape."""
    idle = colours.talk["idle"]
    rules = [
        "TalkButton { border-radius: 14px; padding: 10px 18px; font-size: 15px; font-weight: 600;"
        f" color: {idle.text}; background: {idle.background}; border: 2px solid transparent; }}",
        f"TalkButton:focus {{ border-color: {colours.talk_focus}; }}",
    ]
    states = sorted(colours.talk, key=lambda state: state == "pressed")  # a held button looks held
    for state in states:
        look = colours.talk[state]
        selector = "TalkButton:pressed" if state == "pressed" else f'TalkButton[state="{state}"]'
        border = "" if look.border == "transparent" else f" border-color: {look.border};"
        rules.append(f"{selector} {{ background: {look.background}; color: {look.text};{border} }}")
    return "\n".join(rules)


_PADDING_AND_BORDER = 2 * (18 + 2)  # the style sheet's horizontal padding and border
_PADDING_VERTICAL = 2 * (10 + 2)
_ATTEMPT = re.compile(r"attempt (\d+) of (\d+)")  # the session's detail while reconnecting


class TalkButton(QPushButton):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("talkButton")
        self.restyle()
        on_change(self.restyle)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(64)
        self._state = SessionState.IDLE
        self._push_to_talk = True
        self._detail = ""  # e.g. "attempt 2 of 8" while reconnecting
        self._confirmations = 0  # meeting dialogs open: the assistant waits for the person, not the model
        self._render()

    @property
    def state(self) -> SessionState:
        return self._state

    def set_state(self, state: SessionState, detail: str = "") -> None:
        self._state = state
        self._detail = detail
        self._render()

    def set_confirmations_open(self, count: int) -> None:
        self._confirmations = count
        self._render()

    def set_push_to_talk(self, enabled: bool) -> None:
        self._push_to_talk = enabled
        self._render()

    def sizeHint(self) -> QSize:
        return QSize(320, 64)

    def label(self) -> str:
        """The state's sentence on one line, as the status bar and screen readers show it."""
        return self._label()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show(self._label())

    def restyle(self) -> None:
        """In the colours of the scheme shown now."""
        self.setStyleSheet(_style(theme.current()))

    def _render(self) -> None:
        label = self._label()
        self.setProperty("state", self._state.value)
        self.setAccessibleName(label)
        # A dynamic property does not restyle by itself.
        self.style().unpolish(self)
        self.style().polish(self)
        self._show(label)  # after polishing: the style sheet sets the font

    def _show(self, label: str) -> None:
        shown = self._fitted(label)
        self.setText(shown)
        self.setToolTip(label if "…" in shown and "…" not in label else "")  # elided: the whole sentence

    def _fitted(self, label: str) -> str:
        """A button too narrow for the whole sentence (a small window beside the calendar, a large
        scale) wraps it over the lines its height holds, eliding only what still does not fit
        (`desktop.ui.label_fit`)."""
        metrics = self.fontMetrics()
        lines = max(1, (self.height() - _PADDING_VERTICAL) // max(1, metrics.lineSpacing()))
        return fitted(
            label, self.width() - _PADDING_AND_BORDER, metrics.horizontalAdvance,
            lambda line, room: metrics.elidedText(line, Qt.TextElideMode.ElideRight, room), min(lines, 3),
        )

    def _label(self) -> str:
        state = self._state
        if state in (SessionState.IDLE, SessionState.CLOSED):
            return self.tr("Not connected — click to start")
        if state is SessionState.CONNECTING:
            return self.tr("Connecting…")
        if state is SessionState.RECONNECTING:
            attempt = _ATTEMPT.search(self._detail)
            if attempt is None:
                return self.tr("Reconnecting…")
            label = self.tr("Reconnecting… (attempt %1 of %2)")
            return label.replace("%1", attempt[1]).replace("%2", attempt[2])
        if state is SessionState.FAILED:
            return self.tr("Error — click to try again")
        if state is SessionState.READY:
            return self.tr("Hold to talk (Space)") if self._push_to_talk else self.tr("Click to listen")
        if state is SessionState.LISTENING:
            return self.tr("Listening — release to send") if self._push_to_talk else self.tr(
                "Listening — click to stop"
            )
        if state is SessionState.USER_SPEAKING:
            return self.tr("You are speaking")
        if state is SessionState.THINKING and self._confirmations:
            return self.tr("Waiting for your answer in the meeting dialog")
        if state is SessionState.THINKING:
            return self.tr("Assistant is thinking — press to interrupt")
        return self.tr("Assistant is speaking — press to interrupt")
