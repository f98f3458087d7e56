"""Tokens a conversation used, summed from each `response.done`'s usage, and what they cost.

The services split a response's usage into input and output, each into text and audio, and report
how many input tokens came from the prompt cache (a part of the input, priced lower). A `UsageTally`
adds them up; the prices are the person's own, per million tokens of each kind (Settings), since
they differ by model, provider and contract. Qt-free: the status bar and the Markdown export read it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class TokenPrices:
    """US dollars per million tokens of each kind; 0 means not priced."""

    text_in: float = 0.0
    audio_in: float = 0.0
    cached_in: float = 0.0
    text_out: float = 0.0
    audio_out: float = 0.0

    @property
    def any(self) -> bool:
        return any(_price(getattr(self, f.name)) > 0 for f in fields(self))


@dataclass(frozen=True, slots=True)
class TokenCounts:
    text_in: int = 0  # not from the cache
    audio_in: int = 0  # not from the cache
    cached_in: int = 0
    text_out: int = 0
    audio_out: int = 0

    @property
    def input(self) -> int:
        return self.text_in + self.audio_in + self.cached_in

    @property
    def output(self) -> int:
        return self.text_out + self.audio_out

    def __add__(self, other: TokenCounts) -> TokenCounts:
        return TokenCounts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def cost(self, prices: TokenPrices) -> float:
        """US dollars at `prices`."""
        return sum(getattr(self, f.name) * _price(getattr(prices, f.name)) for f in fields(self)) / 1e6


def counts_of(usage: dict[str, Any]) -> TokenCounts:
    """One response's `usage` object as counts; missing or malformed parts count as zero. Where the
    input is not split into text and audio, all of it counts as text."""
    inputs, outputs = _obj(usage, "input_token_details"), _obj(usage, "output_token_details")
    cached = _obj(inputs, "cached_tokens_details")
    text_in, audio_in = _int(inputs, "text_tokens"), _int(inputs, "audio_tokens")
    if not (text_in or audio_in):
        text_in = _int(usage, "input_tokens")
    cached_total = min(_int(inputs, "cached_tokens"), text_in + audio_in)
    cached_audio = min(_int(cached, "audio_tokens"), audio_in, cached_total)
    cached_text = min(cached_total - cached_audio, text_in)
    text_out, audio_out = _int(outputs, "text_tokens"), _int(outputs, "audio_tokens")
    if not (text_out or audio_out):
        text_out = _int(usage, "output_tokens")
    return TokenCounts(text_in - cached_text, audio_in - cached_audio, cached_text + cached_audio,
                       text_out, audio_out)


class UsageTally:
    """The sum over one conversation's responses."""

    def __init__(self) -> None:
        self.counts = TokenCounts()
        self.responses = 0

    def add(self, usage: dict[str, Any]) -> None:
        self.counts = self.counts + counts_of(usage)
        self.responses += 1

    def clear(self) -> None:
        self.counts, self.responses = TokenCounts(), 0


def _obj(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, dict) else {}


def _int(parent: dict[str, Any], key: str) -> int:
    value = parent.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _price(value: float) -> float:
    return value if isinstance(value, int | float) and math.isfinite(value) and value > 0 else 0.0
