"""Settings' Usage page: the person's prices per million tokens, for the status bar's estimate."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QLabel, QWidget

from desktop.settings import Preferences

MAX_PRICE = 10_000.0  # US dollars per million tokens: far above any list price


class UsagePage(QWidget):
    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        about = QLabel(self.tr(
            "The status bar counts the tokens of each conversation. Enter what your model costs, in US "
            "dollars per million tokens (see your provider's price list), and it shows an estimate of the "
            "cost too. Leave a price at 0 to leave that kind out."
        ))
        about.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(about)
        self.text_in = self._price_box(prefs.price_text_in)
        self.audio_in = self._price_box(prefs.price_audio_in)
        self.cached_in = self._price_box(prefs.price_cached_in)
        self.text_out = self._price_box(prefs.price_text_out)
        self.audio_out = self._price_box(prefs.price_audio_out)
        form.addRow(self.tr("Text input"), self.text_in)
        form.addRow(self.tr("Audio input"), self.audio_in)
        form.addRow(self.tr("Cached input"), self.cached_in)
        form.addRow(self.tr("Text output"), self.text_out)
        form.addRow(self.tr("Audio output"), self.audio_out)

    def _price_box(self, value: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(0.0, MAX_PRICE)
        box.setDecimals(2)
        box.setPrefix("$ ")
        box.setSuffix(self.tr(" per 1M tokens"))
        box.setValue(value if 0 <= value <= MAX_PRICE else 0.0)
        return box

    def values(self, prefs: Preferences) -> Preferences:
        return replace(
            prefs,
            price_text_in=self.text_in.value(),
            price_audio_in=self.audio_in.value(),
            price_cached_in=self.cached_in.value(),
            price_text_out=self.text_out.value(),
            price_audio_out=self.audio_out.value(),
        )
