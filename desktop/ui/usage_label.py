"""The status bar's usage: the tokens of this conversation and, with prices in Settings, an estimate.

Hidden until the first response of a conversation reports its usage. The tooltip breaks the sum down
by kind; the estimate says it is one (the service's bill is what counts).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale
from PySide6.QtWidgets import QLabel, QWidget

from desktop.session import Usage
from desktop.settings import Preferences
from desktop.ui.usage_tally import TokenCounts, TokenPrices, UsageTally

_CONTEXT = "UsageLabel"
# QT_TRANSLATE_NOOP is typed as returning object; these are the templates' source texts.
_TOKENS = str(QT_TRANSLATE_NOOP("UsageLabel", "Tokens: %1 in · %2 out"))
_INPUT = str(QT_TRANSLATE_NOOP("UsageLabel", "Input: %1 text, %2 audio, %3 cached"))
_OUTPUT = str(QT_TRANSLATE_NOOP("UsageLabel", "Output: %1 text, %2 audio"))
_ESTIMATE = str(QT_TRANSLATE_NOOP(
    "UsageLabel", "Estimated cost: %1 at the prices in Settings (the service's bill is what counts)"
))
_NO_PRICES = str(QT_TRANSLATE_NOOP(
    "UsageLabel", "Enter prices in Settings (Usage) to see an estimate of the cost."
))


def token_prices(prefs: Preferences) -> TokenPrices:
    return TokenPrices(prefs.price_text_in, prefs.price_audio_in, prefs.price_cached_in,
                       prefs.price_text_out, prefs.price_audio_out)


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def _n(count: int) -> str:
    return QLocale().toString(count)


def _filled(template: str, *counts: int) -> str:
    """`template` translated, with %1, %2, … the counts in the locale's digits."""
    text = _tr(template)
    for number, count in enumerate(counts, start=1):
        text = text.replace(f"%{number}", _n(count))
    return text


def cost_text(dollars: float, approximate: str = "≈ ") -> str:
    """"≈ $0.42"; below a cent, "< $0.01"."""
    return "< $0.01" if dollars < 0.005 else f"{approximate}${dollars:,.2f}"


def usage_line(counts: TokenCounts, prices: TokenPrices) -> str:
    """"Tokens: 1,234 in · 567 out", then the estimate where prices are set."""
    line = _filled(_TOKENS, counts.input, counts.output)
    return f"{line} · {cost_text(counts.cost(prices))}" if prices.any else line


def usage_breakdown(counts: TokenCounts, prices: TokenPrices) -> str:
    """The sum by kind, over lines (a tooltip, the Markdown export)."""
    lines = [
        _filled(_INPUT, counts.text_in, counts.audio_in, counts.cached_in),
        _filled(_OUTPUT, counts.text_out, counts.audio_out),
    ]
    if prices.any:
        lines.append(_tr(_ESTIMATE).replace("%1", cost_text(counts.cost(prices), approximate="")))
    else:
        lines.append(_tr(_NO_PRICES))
    return "\n".join(lines)


class UsageLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prices: Callable[[], TokenPrices] = TokenPrices  # the window's: the prices in Settings
        self.tally = UsageTally()
        self.hide()

    def start_conversation(self) -> None:
        self.tally.clear()
        self.hide()

    def count(self, usage: Usage) -> None:
        """One response's tokens."""
        self.tally.add(usage.details)
        self.refresh()

    def refresh(self) -> None:
        """Shows the sum again (after a response, or new prices)."""
        if not self.tally.responses:
            return
        prices = self.prices()
        self.setText(usage_line(self.tally.counts, prices))
        self.setToolTip(usage_breakdown(self.tally.counts, prices))
        self.show()
