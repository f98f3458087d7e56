"""The settings dialog: connection, voice and turn-taking, audio. It edits a `Preferences` value and the
API key; saving them and running the connection test belong to the controller."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.audio import canceller
from desktop.realtime import ProviderKind, default_instructions
from desktop.settings import GA_ONLY_VOICES, VOICES, Preferences
from desktop.ui.colour_scheme import tint
from desktop.ui.knowledge_page import KnowledgePage
from desktop.ui.settings_pages import AudioPage, CalendarPage, NetworkPage
from desktop.ui.shortcut_field import ShortcutField
from desktop.ui.token_fields import TokenServiceFields
from desktop.ui.url_warning import UrlWarning
from desktop.ui.usage_page import UsagePage

_TURN_MODES = ("server_vad", "semantic_vad", "push_to_talk")
_EAGERNESS = ("auto", "low", "medium", "high")
_AZURE = (ProviderKind.AZURE, ProviderKind.AZURE_PREVIEW)


def _combo(items: list[tuple[str, str]], current: str) -> QComboBox:
    """A combo box whose items carry their stored value as data."""
    box = QComboBox()
    for label, value in items:
        box.addItem(label, value)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


def _note(text: str, *, warning: bool = False) -> QLabel:
    """A wrapped line under the fields; a warning in the scheme's warning colour."""
    label = QLabel(text)
    label.setWordWrap(True)
    if warning:
        tint(label, lambda colours: colours.warning)
    return label


class SettingsDialog(QDialog):
    testRequested = Signal(object, str, str, str)  # Preferences, API key, ICE credential, bearer token

    def __init__(
        self,
        prefs: Preferences,
        api_key: str,
        *,
        keychain_works: bool,
        devices: tuple[list[str], list[str]] = ([], []),
        ice_credential: str = "",
        environment: tuple[str, ...] = (),
        echo_canceller: bool | None = None,  # None: whether it is installed here
        shortcut_status: str = "",
        token_bearer: str = "",
        parent: QWidget | None = None,
    ) -> None:
        """`environment`: the variables that override these settings in this run; `shortcut_status`:
        whether the talk shortcut works in every application here, or why not; `token_bearer`: the
        token service's stored bearer token."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self._prefs = prefs
        self.token = TokenServiceFields(prefs.key_from, prefs.token_url, token_bearer, self)
        self.shortcut = ShortcutField(prefs.talk_shortcut, shortcut_status)
        tabs = QTabWidget()
        tabs.addTab(self._connection_tab(prefs, api_key, keychain_works, environment), self.tr("Connection"))
        tabs.addTab(self._voice_tab(prefs), self.tr("Voice and turns"))
        canceller_here = canceller.installed() if echo_canceller is None else echo_canceller
        self.audio = AudioPage(prefs, devices, canceller_here)
        tabs.addTab(self.audio, self.tr("Audio"))
        self.knowledge = KnowledgePage(prefs)
        tabs.addTab(self.knowledge, self.tr("Knowledge"))
        self.calendar = CalendarPage(prefs)
        tabs.addTab(self.calendar, self.tr("Calendar"))
        self.usage = UsagePage(prefs)
        tabs.addTab(self.usage, self.tr("Usage"))
        self.network = NetworkPage(prefs, ice_credential)
        tabs.addTab(self.network, self.tr("Network (advanced)"))
        self.tabs = tabs
        # Every page's name in sight, in any language: the dialog is as wide as its tab bar.
        self.setMinimumWidth(max(560, tabs.tabBar().sizeHint().width() + 24))
        choice = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(choice.Ok | choice.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.provider.currentIndexChanged.connect(self._provider_changed)
        self.token.key_from.currentIndexChanged.connect(self._provider_changed)
        self.turn_mode.currentIndexChanged.connect(self._turn_mode_changed)
        self._provider_changed()
        self._turn_mode_changed()

    # --- tabs --------------------------------------------------------------------------------

    def _connection_tab(
        self, prefs: Preferences, api_key: str, keychain_works: bool, environment: tuple[str, ...]
    ) -> QWidget:
        self.provider = _combo(
            [
                (self.tr("Demo (built-in, no key needed)"), ProviderKind.DEMO.value),
                (self.tr("Azure OpenAI"), ProviderKind.AZURE.value),
                (self.tr("Azure OpenAI (preview API)"), ProviderKind.AZURE_PREVIEW.value),
                (self.tr("OpenAI"), ProviderKind.OPENAI.value),
            ],
            prefs.provider.value,
        )
        self.endpoint = QLineEdit(prefs.endpoint)
        self.endpoint.setPlaceholderText("https://my-resource.openai.azure.com")
        self.webrtc_url = QLineEdit(prefs.webrtc_url)
        self.webrtc_url.setPlaceholderText("https://eastus2.realtimeapi-preview.ai.azure.com/v1/realtimertc")
        self.deployment = QLineEdit(prefs.deployment)
        self.embeddings_deployment = QLineEdit(prefs.embeddings_deployment)
        self.embeddings_deployment.setPlaceholderText(
            self.tr("e.g. text-embedding-3-small or -large; empty: keyword search only")
        )
        self.embeddings_note = _note(
            self.tr(
                "OpenAI: the knowledge search uses the model text-embedding-3-small (the environment "
                "variable OPENAI_EMBEDDINGS_MODEL names another)."
            )
        )
        self.api_key = QLineEdit(api_key)
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_warning = _note(
            self.tr(
                "No system keychain is available: the key will be kept for this run only and asked for "
                "again next time."
            ),
            warning=True,
        )
        self.key_warning.setVisible(not keychain_works)
        overridden = self.tr("In this run, environment variables override these settings: %1.")
        self.environment_note = _note(overridden.replace("%1", ", ".join(environment)))
        self.environment_note.setVisible(bool(environment))
        self.url_warning = UrlWarning()
        self.test = QPushButton(self.tr("Test connection"))
        self.steps = QListWidget()
        self.test.clicked.connect(self._request_test)
        form = QFormLayout()
        form.addRow(self.environment_note)
        form.addRow(self.tr("Provider"), self.provider)
        form.addRow(self.tr("Endpoint or resource URL"), self.endpoint)
        form.addRow(self.tr("Regional WebRTC URL"), self.webrtc_url)
        form.addRow("", self.url_warning)
        form.addRow(self.tr("Deployment or model"), self.deployment)
        form.addRow(self.tr("Embeddings deployment"), self.embeddings_deployment)
        form.addRow("", self.embeddings_note)
        self.token.add_rows(form)
        form.addRow(self.tr("API key"), self.api_key)
        form.addRow("", self.key_warning)
        form.addRow("", self.test)
        form.addRow(self.steps)
        page = QWidget()
        page.setLayout(form)
        return page

    def _voice_tab(self, prefs: Preferences) -> QWidget:
        ga_only = self.tr("%1 (not on the preview API)")
        voices = [(ga_only.replace("%1", v) if v in GA_ONLY_VOICES else v, v) for v in VOICES]
        self.voice = _combo(voices, prefs.voice)
        self.instructions = QPlainTextEdit(prefs.instructions or default_instructions())
        reset = QPushButton(self.tr("Reset to default"))
        reset.clicked.connect(lambda: self.instructions.setPlainText(default_instructions()))
        self.turn_mode = _combo(
            [
                (self.tr("Server voice detection"), "server_vad"),
                (self.tr("Semantic voice detection"), "semantic_vad"),
                (self.tr("Push-to-talk"), "push_to_talk"),
            ],
            prefs.turn_mode,
        )
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setValue(prefs.vad_threshold)
        self.prefix_padding = self._ms_box(prefs.prefix_padding_ms)
        self.silence = self._ms_box(prefs.silence_duration_ms)
        self.eagerness = _combo([(e, e) for e in _EAGERNESS], prefs.eagerness)
        self.transcription_model = QLineEdit(prefs.transcription_model)
        self.language = QLineEdit(prefs.transcription_language)
        self.language.setPlaceholderText(self.tr("automatic, or e.g. zh, en"))
        form = QFormLayout()
        form.addRow(self.tr("Voice"), self.voice)
        form.addRow(self.tr("Instructions"), self.instructions)
        form.addRow("", reset)
        form.addRow(self.tr("Turn detection"), self.turn_mode)
        form.addRow(self.tr("Talk from any application"), self.shortcut)
        form.addRow(self.tr("Threshold"), self.threshold)
        form.addRow(self.tr("Prefix padding"), self.prefix_padding)
        form.addRow(self.tr("Silence duration"), self.silence)
        form.addRow(self.tr("Eagerness"), self.eagerness)
        form.addRow(self.tr("Transcription model"), self.transcription_model)
        form.addRow(self.tr("Transcription language"), self.language)
        page = QWidget()
        page.setLayout(form)
        return page

    @staticmethod
    def _ms_box(value: int) -> QSpinBox:
        box = QSpinBox()
        box.setRange(0, 5000)
        box.setSingleStep(50)
        box.setSuffix(" ms")
        box.setValue(value)
        return box

    # --- behaviour ---------------------------------------------------------------------------

    def _provider_changed(self) -> None:
        kind = ProviderKind(self.provider.currentData())
        remote = kind is not ProviderKind.DEMO
        for field in (self.endpoint, self.deployment, self.api_key):
            field.setEnabled(remote)
        self.webrtc_url.setEnabled(kind is ProviderKind.AZURE_PREVIEW)
        self.embeddings_deployment.setEnabled(kind in _AZURE)  # OpenAI names the model itself
        self.embeddings_note.setVisible(kind is ProviderKind.OPENAI)
        self.token.show_for(remote, api_key=self.api_key)

    def _turn_mode_changed(self) -> None:
        mode = self.turn_mode.currentData()
        for box in (self.threshold, self.prefix_padding, self.silence):
            box.setEnabled(mode == "server_vad")
        self.eagerness.setEnabled(mode == "semantic_vad")

    def _urls_well_formed(self) -> bool:
        kind = ProviderKind(self.provider.currentData())
        endpoints = self.url_warning.check(kind, self.endpoint, self.webrtc_url)
        if endpoints and (kind is ProviderKind.DEMO or self.token.well_formed()):
            return True
        self.tabs.setCurrentIndex(0)  # where the warning is
        return False

    def accept(self) -> None:
        if self._urls_well_formed():
            super().accept()

    def _request_test(self) -> None:
        if not self._urls_well_formed():
            return
        self.steps.clear()
        self.test.setEnabled(False)
        self.testRequested.emit(
            self.values(), self.entered_key(), self.network.entered_credential(), self.token.entered_bearer()
        )

    def show_check_step(self, text: str) -> None:
        self.steps.addItem(text)
        self.steps.scrollToBottom()

    def check_finished(self, summary: str) -> None:
        self.steps.addItem(summary)
        self.test.setEnabled(True)

    def values(self) -> Preferences:
        instructions = self.instructions.toPlainText().strip()
        key_from, token_url = self.token.values()
        prefs = replace(self._prefs, key_from=key_from, token_url=token_url)
        for page in (self.knowledge, self.calendar, self.network, self.audio, self.usage):
            prefs = page.values(prefs)
        return replace(
            prefs,
            provider=ProviderKind(self.provider.currentData()),
            endpoint=self.endpoint.text().strip(),
            webrtc_url=self.webrtc_url.text().strip(),
            deployment=self.deployment.text().strip(),
            embeddings_deployment=(
                self.embeddings_deployment.text().strip()
                if self.embeddings_deployment.isEnabled()
                else self._prefs.embeddings_deployment
            ),
            voice=self.voice.currentData(),
            # The default is stored as empty, so a later change of the bundled prompt reaches the person.
            instructions="" if instructions == default_instructions() else instructions,
            turn_mode=self.turn_mode.currentData(),
            vad_threshold=self.threshold.value(),
            prefix_padding_ms=self.prefix_padding.value(),
            silence_duration_ms=self.silence.value(),
            eagerness=self.eagerness.currentData(),
            transcription_model=self.transcription_model.text().strip(),
            transcription_language=self.language.text().strip(),
            talk_shortcut=self.shortcut.value(),
        )

    def entered_key(self) -> str:
        return self.api_key.text().strip()

    def entered_ice_credential(self) -> str:
        return self.network.entered_credential()

    def entered_token_bearer(self) -> str:
        return self.token.entered_bearer()
