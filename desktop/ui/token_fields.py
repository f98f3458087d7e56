"""The Connection page's token-service fields: where the session key comes from (minted with the API
key, or handed out by the organisation's token service), the service's URL and its bearer token.

Shown for the remote providers; in the token-service mode the API key field is hidden (the app does
not need the resource key) and the URL and bearer token fields are shown. The bearer token is kept in
the system keychain like the API key, never in the settings file. A URL that would send the bearer
token in the clear is said so when OK or Test connection is pressed (`desktop.realtime.token_url_problem`,
the rule the call applies).
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from desktop.realtime import KeyFrom, token_url_problem
from desktop.ui.colour_scheme import tint

_PLACEHOLDER = "https://tokens.example.com/realtime-key"


class TokenServiceFields(QObject):
    """The fields and their rows in the page's form (`add_rows`)."""

    def __init__(self, key_from: KeyFrom, url: str, bearer: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key_from = QComboBox()
        self.key_from.addItem(self.tr("Minted with the API key"), "api_key")
        self.key_from.addItem(self.tr("From my organisation's token service"), "token_service")
        self.key_from.setCurrentIndex(max(0, self.key_from.findData(key_from)))
        self.url = QLineEdit(url)
        self.url.setPlaceholderText(_PLACEHOLDER)
        self.bearer = QLineEdit(bearer)
        self.bearer.setEchoMode(QLineEdit.EchoMode.Password)
        self.bearer.setPlaceholderText(self.tr("optional"))
        self.note = QLabel(
            self.tr(
                "The app asks this URL for each session key; the resource's API key stays with your "
                "organisation. The bearer token is kept in the system keychain, like the API key."
            )
        )
        self.note.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        tint(self.warning, lambda colours: colours.error)
        self._form: QFormLayout | None = None

    def add_rows(self, form: QFormLayout) -> None:
        self._form = form
        form.addRow(self.tr("Session key"), self.key_from)
        form.addRow(self.tr("Token service URL"), self.url)
        form.addRow(self.tr("Bearer token"), self.bearer)
        form.addRow("", self.note)
        form.addRow("", self.warning)
        self.warning.hide()

    @property
    def from_service(self) -> bool:
        return self.key_from.currentData() == "token_service"

    def show_for(self, remote: bool, *, api_key: QWidget) -> None:
        """Rows shown for a remote provider; the URL and bearer token in the token-service mode, where
        the `api_key` row is hidden (the token service holds the resource key)."""
        if self._form is None:
            return
        self._form.setRowVisible(api_key, not (remote and self.from_service))
        self._form.setRowVisible(self.key_from, remote)
        for widget in (self.url, self.bearer, self.note):
            self._form.setRowVisible(widget, remote and self.from_service)
        self._form.setRowVisible(self.warning, remote and self.from_service and not self.warning.isHidden())

    def well_formed(self) -> bool:
        """True unless the token-service mode has a URL that cannot be used (an empty one is reported by
        the connection test, as a missing endpoint is); else says why, with the cursor in it."""
        url = self.url.text().strip()
        wrong = bool(url) and self.from_service and bool(token_url_problem(url))
        if wrong:
            sentence = self.tr(
                "The token service URL must be a https:// URL (http:// only for 127.0.0.1 or localhost), "
                "such as %1."
            )
            self.warning.setText(sentence.replace("%1", _PLACEHOLDER))
            self.url.setFocus()
        self.warning.setVisible(wrong)
        if self._form is not None:
            self._form.setRowVisible(self.warning, wrong)
        return not wrong

    def values(self) -> tuple[KeyFrom, str]:
        key_from: KeyFrom = "token_service" if self.from_service else "api_key"
        return key_from, self.url.text().strip()

    def entered_bearer(self) -> str:
        return self.bearer.text().strip()
