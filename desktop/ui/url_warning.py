"""The settings dialog's line under the connection fields that says a URL is malformed, when OK or
Test connection is pressed, so that a typo is corrected there and not met later as a failed call.

Which URL is malformed is decided by `desktop.realtime.endpoints`, the rules the call itself applies.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from desktop.realtime import ProviderKind, malformed_field
from desktop.ui.colour_scheme import tint


class UrlWarning(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        tint(self, lambda colours: colours.error)
        self.hide()

    def check(self, kind: ProviderKind, endpoint: QLineEdit, webrtc_url: QLineEdit) -> bool:
        """True when both URLs may be used; otherwise says which is not, with the cursor in it."""
        which = malformed_field(kind, endpoint.text().strip(), webrtc_url.text().strip())
        self.setVisible(bool(which))
        if not which:
            return True
        if which == "endpoint":
            field, wrong = endpoint, self.tr("The endpoint is not a valid URL; it looks like %1.")
            example = "https://api.openai.com" if kind is ProviderKind.OPENAI else field.placeholderText()
        else:
            field = webrtc_url
            wrong = self.tr("The regional WebRTC URL is not a valid URL; it looks like %1.")
            example = field.placeholderText()
        self.setText(wrong.replace("%1", example))
        field.setFocus()
        return False
