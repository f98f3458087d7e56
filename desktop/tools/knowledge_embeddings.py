"""The knowledge base's embeddings: passages embedded once, questions embedded, and the fallback.

How the async embedder and the sync index meet: the index lives on its `StoreWorker` thread and never
awaits; this class runs on the asyncio loop. It asks the worker which passages lack a vector
(`KnowledgeIndex.passages_to_embed`), awaits the embedder for a batch of them on the loop, and hands the
vectors back to the worker to store (`KnowledgeIndex.store_vectors`), batch by batch, telling the
progress path as it goes. A search awaits the question's vector on the loop, then runs the fused
search on the worker. Neither side blocks the GUI thread (it only runs the loop's callbacks).

Any failure of the embedder (none configured, offline, an HTTP error, a vector of the wrong size,
too slow) makes the search lexical: today's bm25 search, never an error to the model. The mode and
the reason are kept for Settings; the reason is logged once, when the mode changes. The next sync
that embeds passages without an error, or the next question embedded, brings the hybrid search back.

Settings may swap the embedder (`set_embedder`: another service, key or deployment); vectors are kept
per model and text, so only another model embeds again. `status` counts, on the worker, what Settings
shows: the passages embedded and an estimate of the tokens (and dollars) the rest will cost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from desktop.storage import Hit, IndexProgress, KnowledgeIndex, StoreWorker
from desktop.tools.ports import Embedder

log = logging.getLogger(__name__)

EMBED_BATCH = 64  # passages per embeddings request
QUESTION_SECONDS = 3.0  # how long a question waits for its vector before the search goes lexical
BATCH_SECONDS = 60.0
PRICE_PER_MILLION_TOKENS = 0.02  # US dollars, text-embedding-3-small on OpenAI's price list

FallbackReason = Literal["", "no_embedder", "embeddings_failed"]


@dataclass(frozen=True, slots=True)
class SearchMode:
    mode: Literal["hybrid", "lexical"]
    reason: FallbackReason = ""  # why lexical; "" when hybrid
    detail: str = ""  # the error, for the log and Settings (never a key: exceptions carry none)


@dataclass(frozen=True, slots=True)
class KnowledgeStatus:
    """What Settings shows of the search: its mode, the model, the passages embedded, and an estimate of
    the one-time cost of the passages still to embed."""

    mode: SearchMode
    model: str = ""
    passages: int = 0
    embedded: int = 0
    tokens_to_embed: int = 0  # an estimate (`estimated_tokens`)

    @property
    def estimated_cost(self) -> float:
        return self.tokens_to_embed * PRICE_PER_MILLION_TOKENS / 1_000_000


def estimated_tokens(text: str) -> int:
    """About four characters a token in Latin script, about one a character in Chinese (non-ASCII)."""
    ascii_characters = sum(1 for character in text if character < "\x80")
    return len(text) - ascii_characters + (ascii_characters + 3) // 4


def _tally(index: KnowledgeIndex, model: str, dimensions: int) -> tuple[int, int, int]:
    """On the worker: the passages, those still to embed, and their tokens (an estimate)."""
    pending = index.passages_to_embed(model, dimensions)
    return index.passage_count(), len(pending), sum(estimated_tokens(p.text) for p in pending)


class Embeddings:
    def __init__(self, index: KnowledgeIndex, worker: StoreWorker, embedder: Embedder | None,
                 tell: Callable[[IndexProgress], None]) -> None:
        self._index = index
        self._worker = worker
        self._embedder = embedder
        self._tell = tell
        self._mode = SearchMode("hybrid") if embedder else SearchMode("lexical", "no_embedder")
        self._complete_for: tuple[str, int] | None = None  # (model, dimensions) every passage has
        self._catching_up = asyncio.Lock()  # two syncs never embed the same passages twice

    @property
    def mode(self) -> SearchMode:
        return self._mode

    def set_embedder(self, embedder: Embedder | None) -> None:
        """Another service or key: the next catch-up embeds again only if the model changed (the
        passages' vectors are kept per model and text)."""
        self._embedder = embedder
        self._mode = SearchMode("hybrid") if embedder else SearchMode("lexical", "no_embedder")

    async def status(self) -> KnowledgeStatus:
        embedder, mode = self._embedder, self._mode
        if embedder is None or mode.mode == "lexical":
            return KnowledgeStatus(mode)
        passages, pending, tokens = await self._worker.run(_tally, self._index, embedder.model,
                                                           embedder.dimensions)
        return KnowledgeStatus(mode, embedder.model, passages, passages - pending, tokens)

    async def catch_up(self, *, changed: bool) -> None:
        """Embeds the passages that lack a vector of the embedder's model, in batches; then loads the
        vectors' sign bits, so the first question does not wait for that."""
        embedder = self._embedder
        if embedder is None:
            return
        async with self._catching_up:
            await self._catch_up(embedder, changed=changed)

    async def _catch_up(self, embedder: Embedder, *, changed: bool) -> None:
        identity = (embedder.model, embedder.dimensions)
        if changed:
            self._complete_for = None
        if self._complete_for == identity:
            return
        wanted = await self._worker.run(self._index.passages_to_embed, *identity)
        try:
            for start in range(0, len(wanted), EMBED_BATCH):
                self._tell(IndexProgress(start, len(wanted), "passages", stage="embeddings"))
                batch = wanted[start:start + EMBED_BATCH]
                vectors = await self._vectors(embedder, [p.text for p in batch], BATCH_SECONDS)
                await self._worker.run(self._index.store_vectors, embedder.model, batch, vectors)
        except Exception as exc:  # any failure of the service: the search goes lexical
            self._fall_back(exc)
            return
        finally:
            if wanted:
                self._tell(IndexProgress(len(wanted), len(wanted), stage="embeddings"))
        self._complete_for = identity
        self._set(SearchMode("hybrid"))
        await self._worker.run(self._index.load_vectors, *identity)

    async def search(self, question: str, limit: int) -> list[Hit]:
        embedder = self._embedder
        if embedder is not None:
            try:
                (vector,) = await self._vectors(embedder, [question], QUESTION_SECONDS)
            except Exception as exc:  # offline, an HTTP error, too slow: words only, this time
                self._fall_back(exc)
            else:
                self._set(SearchMode("hybrid"))
                return await self._worker.run(self._index.hybrid_search, question, vector, embedder.model,
                                              limit)
        return await self._worker.run(self._index.search, question, limit)

    @staticmethod
    async def _vectors(embedder: Embedder, texts: list[str], seconds: float) -> list[list[float]]:
        async with asyncio.timeout(seconds):
            vectors = await embedder.embed(texts)
        if len(vectors) != len(texts) or any(len(v) != embedder.dimensions for v in vectors):
            raise ValueError(f"the embedder returned {len(vectors)} vectors, not {len(texts)} of "
                             f"{embedder.dimensions} dimensions")
        return vectors

    def _fall_back(self, exc: Exception) -> None:
        self._set(SearchMode("lexical", "embeddings_failed", f"{type(exc).__name__}: {exc}"[:300]))

    def _set(self, mode: SearchMode) -> None:
        if mode.mode != self._mode.mode:
            log.warning("knowledge search is now %s%s", mode.mode, f" ({mode.detail})" if mode.detail else "")
        self._mode = mode
