"""Help → About: the version, the service and model in use, the folders, and the licences."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # the window imports this before it is shown: no asyncio yet
    from desktop.ui.ports import AboutContext


def _folder_link(path: Path | None) -> QLabel:
    """The path, a link that opens the folder (a file's folder) in the file manager."""
    if path is None:
        return QLabel("—")
    folder = path if path.suffix == "" else path.parent
    label = QLabel(f'<a href="{QUrl.fromLocalFile(str(folder)).toString()}">{html.escape(str(path))}</a>')
    label.setOpenExternalLinks(True)
    label.setWordWrap(True)
    return label


class AboutDialog(QDialog):
    def __init__(self, about: AboutContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("About Voice Assistant"))
        self.setMinimumSize(620, 520)
        title = QLabel(f"<h3>{self.tr('Voice Assistant')} {html.escape(about.version)}</h3>")
        form = QFormLayout()
        form.addRow(self.tr("Service"), QLabel(about.service))
        form.addRow(self.tr("Model"), QLabel(about.model or self.tr("chosen by the service")))
        form.addRow(self.tr("Data"), _folder_link(about.data_dir))
        form.addRow(self.tr("Settings"), _folder_link(about.settings_file))
        form.addRow(self.tr("Log"), _folder_link(about.log_dir))
        self.notices = QPlainTextEdit()
        self.notices.setReadOnly(True)
        self.notices.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.notices.setPlainText(about.notices or self.tr("The licence notices could not be read."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr(
            "Voice Assistant is built with the open-source software below, under these licences:"
        )))
        layout.addWidget(self.notices, 1)
        layout.addWidget(buttons)
