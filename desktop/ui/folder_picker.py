"""Choosing the knowledge folder: the folder dialog (opened, never exec'd, so the conversation goes on
behind it) and the settings row that shows which folder is in use."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget


def knowledge_dialog(parent: QWidget, current: str) -> QFileDialog:
    """A folder dialog starting at `current` (or the home folder); the caller connects
    `fileSelected` and calls `open()`."""
    title = QCoreApplication.translate("FolderPicker", "Choose the knowledge folder")
    dialog = QFileDialog(parent, title, current or str(Path.home()))
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly)
    return dialog


def folder_label(folder: str) -> str:
    """How the folder in use is named in the window: its name, or the bundled sample's."""
    if not folder:
        return QCoreApplication.translate("FolderPicker", "Knowledge: sample documents")
    name = Path(folder).name or folder
    return QCoreApplication.translate("FolderPicker", "Knowledge: %1").replace("%1", name)


class FolderPicker(QWidget):
    """The folder's path (read-only), "Choose…" and "Use the sample documents"."""

    changed = Signal(str)

    def __init__(self, folder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = QLineEdit()
        self.path.setReadOnly(True)
        self.path.setPlaceholderText(self.tr("The bundled sample documents"))
        self.choose = QPushButton(self.tr("Choose…"))
        self.reset = QPushButton(self.tr("Use the sample documents"))
        self.dialog: QFileDialog | None = None
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose)
        buttons.addWidget(self.reset)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)  # the path on a line of its own: paths are long
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.path)
        layout.addLayout(buttons)
        self.choose.clicked.connect(self._choose)
        self.reset.clicked.connect(lambda: self.set_folder(""))
        self.set_folder(folder)

    def folder(self) -> str:
        return self.path.text()

    def set_folder(self, folder: str) -> None:
        self.path.setText(folder)
        self.path.setToolTip(folder)
        self.reset.setEnabled(bool(folder))
        self.changed.emit(folder)

    def _choose(self) -> None:
        self.dialog = knowledge_dialog(self, self.folder())
        self.dialog.fileSelected.connect(self.set_folder)
        self.dialog.open()
