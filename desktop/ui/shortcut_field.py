"""Settings' field for the talk shortcut that works in every application, and the line under it that
says whether it works here and, if not, why (`desktop.ui.global_shortcut.ShortcutStatus`)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QKeySequenceEdit, QLabel, QVBoxLayout, QWidget

from desktop.ui.global_shortcut import ShortcutStatus


class ShortcutField(QWidget):
    def __init__(self, shortcut: str, status: str, parent: QWidget | None = None) -> None:
        """`shortcut`: the stored one (portable text); `status`: what the running app says of it."""
        super().__init__(parent)
        self._stored = shortcut
        self._status = status
        self.edit = QKeySequenceEdit(QKeySequence(shortcut))
        self.edit.setMaximumSequenceLength(1)  # one combination, held: not a sequence of presses
        self.edit.setClearButtonEnabled(True)  # cleared: off
        self.note = QLabel(status)
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.note)
        self.edit.keySequenceChanged.connect(self._changed)

    @Slot(object)
    def show_status(self, status: ShortcutStatus) -> None:
        """The desktop's later answer about the stored shortcut (Wayland's portal)."""
        self._status = status.sentence
        self._changed()

    def value(self) -> str:
        return self.edit.keySequence().toString(QKeySequence.SequenceFormat.PortableText)

    def _changed(self) -> None:
        if self.value() == self._stored:
            self.note.setText(self._status)
        elif not self.value():
            self.note.setText(self.tr("Off once saved: Space still talks while this window is in front."))
        else:
            tried = self.tr("Tried when you press OK; if it cannot work here, the status bar says why.")
            self.note.setText(tried)
