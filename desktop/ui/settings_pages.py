"""Three settings pages beside the connection and voice ones: the sound devices and their processing,
the knowledge folder (with the search mode and the embeddings' cost estimate, once counted), and the
ICE (STUN/TURN) servers for networks that block direct UDP. Each fills its part of a `Preferences`."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.settings import Preferences, ice_urls
from desktop.tools import KnowledgeStatus
from desktop.ui.folder_picker import FolderPicker


class AudioPage(QWidget):
    """Microphone, speaker, headset and noise suppression. Without the compiled echo canceller (an
    optional extra where it has no wheel) it says what that means, and noise suppression, which the same
    module does, cannot be switched on."""

    def __init__(
        self,
        prefs: Preferences,
        devices: tuple[list[str], list[str]],
        echo_canceller: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.input_device = self._device_box(devices[0], prefs.input_device)
        self.output_device = self._device_box(devices[1], prefs.output_device)
        self.headset = QCheckBox(self.tr("I use a headset (no echo cancellation needed)"))
        self.headset.setChecked(prefs.headset)
        self.noise_suppression = QCheckBox(self.tr("Suppress background noise"))
        # Without the module nothing suppresses noise: shown unticked, while the stored choice is kept
        # for when the module is installed.
        self._stored_noise_suppression = prefs.noise_suppression
        self.noise_suppression.setChecked(prefs.noise_suppression and echo_canceller)
        self.noise_suppression.setEnabled(echo_canceller)
        self.half_duplex_note = QLabel(
            self.tr(
                "Echo cancellation is not installed, so on speakers your microphone is muted while the "
                "assistant speaks: interrupt it with the talk button, or use a headset. The optional "
                "“echo” extra adds echo cancellation and noise suppression."
            )
        )
        self.half_duplex_note.setWordWrap(True)
        self.half_duplex_note.setVisible(not echo_canceller)
        form = QFormLayout(self)
        form.addRow(self.tr("Microphone"), self.input_device)
        form.addRow(self.tr("Speaker"), self.output_device)
        form.addRow("", self.headset)
        form.addRow("", self.noise_suppression)
        form.addRow("", self.half_duplex_note)

    def values(self, prefs: Preferences) -> Preferences:
        return replace(
            prefs,
            input_device=self._device_value(self.input_device),
            output_device=self._device_value(self.output_device),
            headset=self.headset.isChecked(),
            noise_suppression=(
                self.noise_suppression.isChecked()
                if self.noise_suppression.isEnabled()
                else self._stored_noise_suppression
            ),
        )

    def _device_box(self, names: list[str], current: str) -> QComboBox:
        # Editable: a device missing from the list (unplugged right now) can still be named.
        box = QComboBox()
        box.setEditable(True)
        box.addItem(self.tr("System default"), "")
        for name in names:
            box.addItem(name, name)
        index = box.findData(current)
        if index >= 0:
            box.setCurrentIndex(index)
        else:
            box.setEditText(current)
        return box

    @staticmethod
    def _device_value(box: QComboBox) -> str:
        text = box.currentText().strip()
        index = box.findText(text)
        return str(box.itemData(index)) if index >= 0 else text


class KnowledgePage(QWidget):
    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picker = FolderPicker(prefs.knowledge_folder)
        about = QLabel(
            self.tr(
                "The assistant answers questions from the documents in this folder (Markdown, text, PDF, "
                "Word, HTML), and says which ones it used, with the page and heading. Changes in the folder "
                "are picked up by themselves; a big folder is read in the background, with its progress in "
                "the status bar."
            )
        )
        about.setWordWrap(True)
        self.search_mode = QLabel()  # filled when the status is counted (`show_status`)
        self.search_mode.setWordWrap(True)
        self.estimate = QLabel()
        self.estimate.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(about)
        form.addRow(self.tr("Folder"), self.picker)
        form.addRow(self.tr("Search"), self.search_mode)
        form.addRow("", self.estimate)
        self._form = form
        for row in (self.search_mode, self.estimate):
            form.setRowVisible(row, False)  # until the status is known

    def show_status(self, status: KnowledgeStatus) -> None:
        """The search mode (and why keyword search only, once), and the one-time cost still ahead."""
        self.search_mode.setText(self._mode_text(status))
        self._form.setRowVisible(self.search_mode, True)
        pending = status.passages - status.embedded
        self._form.setRowVisible(self.estimate, status.mode.mode == "hybrid" and pending > 0)
        if pending > 0:
            text = self.tr(
                "%1 passages still to embed, about %2 tokens: roughly $%3 once, at $0.02 per million "
                "tokens. This is an estimate."
            )
            cost = status.estimated_cost
            shown = f"{cost:.4f}" if cost < 0.01 else f"{cost:.2f}"
            tokens = str(status.tokens_to_embed)
            self.estimate.setText(text.replace("%1", str(pending)).replace("%2", tokens).replace("%3", shown))

    def _mode_text(self, status: KnowledgeStatus) -> str:
        if status.mode.mode == "hybrid":
            hybrid = self.tr("Hybrid search with %1, %2 passages embedded.")
            return hybrid.replace("%1", status.model).replace("%2", str(status.embedded))
        if status.mode.reason == "embeddings_failed":
            return self.tr(
                "Keyword search only: the embeddings service failed (the details are in the log); it is "
                "tried again at the next question."
            )
        return self.tr(
            "Keyword search only: no embeddings are configured (on Azure, name an embeddings deployment "
            "on the Connection tab)."
        )

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
