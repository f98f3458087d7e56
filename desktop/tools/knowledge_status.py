"""What Settings shows of the knowledge search: its mode (hybrid, or lexical and why), the model, the
passages embedded, and an estimate of what embedding the rest will cost (`Embeddings.status`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from desktop.storage import KnowledgeIndex

PRICE_PER_MILLION_TOKENS = 0.02  # US dollars, text-embedding-3-small on OpenAI's price list

# Why the search is lexical ("" when hybrid): "demo", the demo has no embeddings service; "no_deployment",
# Azure without an embeddings deployment; "not_configured", no key or a malformed endpoint;
# "embeddings_failed", the service failed (`SearchMode.detail`); "awaiting_approval", a big backlog
# waits for the person's go-ahead.
FallbackReason = Literal[
    "", "demo", "no_deployment", "not_configured", "embeddings_failed", "awaiting_approval"
]


@dataclass(frozen=True, slots=True)
class SearchMode:
    mode: Literal["hybrid", "lexical"]
    reason: FallbackReason = ""  # why lexical; "" when hybrid
    detail: str = ""  # the failure's sentence, for the log and Settings (never a key: errors carry none)
    code: str = ""  # the failure's code (a SessionError's), for Settings' translated sentence


@dataclass(frozen=True, slots=True)
class KnowledgeStatus:
    """What Settings shows of the search: its mode, the model, the passages embedded, and an estimate of
    the one-time cost of the texts still to embed."""

    mode: SearchMode
    model: str = ""
    passages: int = 0
    embedded: int = 0
    tokens_to_embed: int = 0  # an estimate (`estimated_tokens`)
    texts_to_embed: int = 0  # the passages' texts without a vector yet

    @property
    def estimated_cost(self) -> float:
        return self.tokens_to_embed * PRICE_PER_MILLION_TOKENS / 1_000_000

    @property
    def needs_approval(self) -> bool:
        """The backlog waits for the person's go-ahead (`KnowledgeBase.approve_embedding`)."""
        return self.mode.reason == "awaiting_approval"


def estimated_tokens(text: str) -> int:
    """About four characters a token in Latin script, about one a character in Chinese (non-ASCII)."""
    ascii_characters = sum(1 for character in text if character < "\x80")
    return len(text) - ascii_characters + (ascii_characters + 3) // 4


def status_counts(index: KnowledgeIndex, identity: str, dimensions: int) -> tuple[int, int, int, int]:
    """On the worker: the passages, those embedded, the texts still to embed and their tokens."""
    pending = index.passages_to_embed(identity, dimensions)  # distinct texts: a shared one counts once
    embedded = index.embedded_passages(identity, dimensions)
    return index.passage_count(), embedded, len(pending), sum(estimated_tokens(p.text) for p in pending)
