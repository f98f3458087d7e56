"""Usage and cost: each response's tokens summed per conversation, in the status bar, the Markdown
export and, with the person's prices, an estimate (the demo server reports usage like the services)."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desktop.session import SessionState
from desktop.settings.preferences import Preferences, load_preferences
from desktop.ui.usage_page import UsagePage
from desktop.ui.usage_tally import TokenCounts, TokenPrices, counts_of
from tests.ui.harness import opened_app, wait_until

FULL = {
    "total_tokens": 300,
    "input_tokens": 200,
    "output_tokens": 100,
    "input_token_details": {
        "text_tokens": 150, "audio_tokens": 50, "cached_tokens": 70,
        "cached_tokens_details": {"text_tokens": 64, "audio_tokens": 6},
    },
    "output_token_details": {"text_tokens": 20, "audio_tokens": 80},
}  # fmt: skip
PRICES = Preferences(price_text_in=4.0, price_audio_in=32.0, price_cached_in=0.4, price_text_out=16.0,
                     price_audio_out=64.0)  # fmt: skip


def test_a_response_s_usage_is_split_by_kind_with_the_cache_apart() -> None:
    counts = counts_of(FULL)
    assert counts == TokenCounts(text_in=86, audio_in=44, cached_in=70, text_out=20, audio_out=80)
    assert (counts.input, counts.output) == (200, 100)
    cost = counts.cost(TokenPrices(4.0, 32.0, 0.4, 16.0, 64.0))
    assert math.isclose(cost, (86 * 4 + 44 * 32 + 70 * 0.4 + 20 * 16 + 80 * 64) / 1e6)


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        ({}, TokenCounts()),
        ({"input_tokens": 12, "output_tokens": 7}, TokenCounts(text_in=12, text_out=7)),  # not split
        ({"input_tokens": -5, "output_tokens": "many", "input_token_details": []}, TokenCounts()),
        ({"input_token_details": {"text_tokens": 10, "cached_tokens": 99}}, TokenCounts(cached_in=10)),
    ],
)
def test_missing_or_malformed_usage_counts_as_nothing_and_never_raises(
    usage: dict[str, object], expected: TokenCounts
) -> None:
    assert counts_of(usage) == expected


def test_prices_that_are_not_prices_count_as_unset() -> None:
    assert not TokenPrices(-1.0, math.nan, math.inf, 0.0, 0.0).any
    assert TokenCounts(text_in=1_000_000).cost(TokenPrices(text_in=-3.0)) == 0.0


def test_the_usage_page_keeps_the_prices(qtbot: QtBot) -> None:
    page = UsagePage(PRICES)
    qtbot.addWidget(page)
    assert page.values(Preferences()) == Preferences(**{
        name: getattr(PRICES, name) for name in
        ("price_text_in", "price_audio_in", "price_cached_in", "price_text_out", "price_audio_out")
    })  # fmt: skip
    page.audio_out.setValue(80.0)
    assert page.values(PRICES).price_audio_out == 80.0


def test_the_status_bar_sums_a_conversation_and_estimates_with_prices(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store) as app:
            label = app.window.usage
            assert not label.isVisible()  # nothing to count yet
            app.window.start.click()  # the greeting is one response
            await wait_until(lambda: label.isVisible())
            first = label.tally.counts
            assert first.output > 0 and label.text().startswith("Tokens: ")
            assert "$" not in label.text() and "Settings" in label.toolTip()  # no prices: no estimate
            app.window.transcript.input.setText("What can you do?")
            app.window.transcript.send.click()
            await wait_until(lambda: label.tally.responses == 2)
            assert label.tally.counts.output > first.output
            app.controller.apply_settings(PRICES, "")
            app.window.usage.refresh()
            assert "≈ $" in label.text() or "< $0.01" in label.text()
            assert load_preferences(settings_store).price_audio_out == 64.0
            app.window.transcript.save_markdown(tmp_path / "c.md")
            saved = (tmp_path / "c.md").read_text(encoding="utf-8")
            assert "**Usage of this transcript:** Tokens: " in saved and "Output: " in saved
            app.window.end.click()
            await wait_until(lambda: app.window.start.isEnabled())
            app.window.start.click()  # a new conversation counts from zero: its greeting only
            await wait_until(lambda: app.controller.state in (SessionState.LISTENING, SessionState.READY))
            await wait_until(lambda: label.tally.responses == 1 and label.isVisible())

    qloop.run_until_complete(scenario())
