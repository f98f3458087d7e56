"""Two settings pages beside the connection, voice and audio ones: the knowledge folder, and the ICE
(STUN/TURN) servers for networks that block direct UDP. Each fills its part of a `Preferences`."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from desktop.settings import Preferences, ice_urls
from desktop.ui.folder_picker import FolderPicker


class KnowledgePage(QWidget):
    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picker = FolderPicker(prefs.knowledge_folder)
        about = QLabel(
            self.tr(
                "The assistant answers questions from the documents in this folder (Markdown, text, PDF, "
                "Word), and says which ones it used. Changes in the folder are picked up by themselves."
            )
        )
        about.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(about)
        form.addRow(self.tr("Folder"), self.picker)

    def values(self, prefs: Preferences) -> Preferences:
        return replace(prefs, knowledge_folder=self.picker.folder())


class NetworkPage(QWidget):
    def __init__(self, prefs: Preferences, credential: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.urls = QPlainTextEdit(prefs.ice_servers)
        self.urls.setPlaceholderText("turn:turn.example.com:3478?transport=udp")
        self.urls.setTabChangesFocus(True)
        self.urls.setMaximumHeight(self.urls.fontMetrics().lineSpacing() * 6)  # a few servers at most
        self.username = QLineEdit(prefs.ice_username)
        self.credential = QLineEdit(credential)
        self.credential.setEchoMode(QLineEdit.EchoMode.Password)
        about = QLabel(
            self.tr(
                "Only needed on networks that block direct connections: one STUN or TURN server URL a "
                "line. Leave empty otherwise (connecting is quicker without). The credential is kept "
                "in the system keychain, like the API key."
            )
        )
        about.setWordWrap(True)
        form = QFormLayout()
        form.addRow(about)
        form.addRow(self.tr("ICE servers"), self.urls)
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Credential"), self.credential)
        page = QVBoxLayout(self)
        page.addLayout(form)
        page.addStretch(1)  # the fields stay together at the top

    def values(self, prefs: Preferences) -> Preferences:
        urls = "\n".join(ice_urls(self.urls.toPlainText()))
        return replace(prefs, ice_servers=urls, ice_username=self.username.text().strip())

    def entered_credential(self) -> str:
        return self.credential.text().strip()
