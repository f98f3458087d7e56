"""The knowledge base's embeddings: passages embedded once, questions embedded, and the fallback.

How the async embedder and the sync index meet: the index lives on its `StoreWorker` thread and never
awaits; this class runs on the asyncio loop. It asks the worker which passages lack a vector
(`KnowledgeIndex.passages_to_embed`), awaits the embedder for a batch of them on the loop, and hands the
vectors back to the worker to store (`KnowledgeIndex.store_vectors`), batch by batch, telling the
progress path as it goes. A search starts the words' search on the worker and meanwhile awaits the
question's vector (at most `QUESTION_SECONDS`); with the vector it runs the fused search, without it
it answers with the words. Neither side blocks the GUI thread (it only runs the loop's callbacks).

The search is lexical, never an error to the model, and `SearchMode.reason` says why: no embedder
(the app's reason: "demo", "no_deployment", "not_configured"), the service failed
("embeddings_failed", the sentence in `detail`), or a backlog of more than `ASK_ABOVE_PASSAGES` texts
waits for the person's go-ahead ("awaiting_approval", `approve_embedding`): the cost is shown before
it is spent. After a failure no request goes out (question or catch-up) for a growing wait
(`Backoff`); the next request that succeeds brings the hybrid search back.

Settings may swap the embedder (`set_embedder`: another service, key or deployment; the old one is
closed); vectors are kept per `Embedder.identity` and text, so only another model embeds again.
`status` counts, on the worker, what Settings shows: the passages embedded and an estimate of the
tokens (and dollars) the rest will cost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from desktop.storage import Hit, IndexProgress, KnowledgeIndex, StoreWorker
from desktop.tools.backoff import Backoff
from desktop.tools.ports import Embedder

log = logging.getLogger(__name__)

EMBED_BATCH = 64  # passages per embeddings request
QUESTION_SECONDS = 1.0  # how long a question waits for its vector before it gets the words' answer
BATCH_SECONDS = 60.0
ASK_ABOVE_PASSAGES = 2000  # a bigger backlog waits for the person's go-ahead (`approve_embedding`)
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


def _tally(index: KnowledgeIndex, identity: str, dimensions: int) -> tuple[int, int, int, int]:
    """On the worker: the passages, those embedded, the texts still to embed and their tokens."""
    pending = index.passages_to_embed(identity, dimensions)  # distinct texts: a shared one counts once
    embedded = index.embedded_passages(identity, dimensions)
    return index.passage_count(), embedded, len(pending), sum(estimated_tokens(p.text) for p in pending)


def _sentence(exc: Exception) -> str:
    """A failure as Settings shows it: a SessionError's (or the timeout's) sentence, else type and text."""
    message = getattr(exc, "message", "")
    if not (isinstance(message, str) and message):
        message = str(exc) if isinstance(exc, TimeoutError) and str(exc) else f"{type(exc).__name__}: {exc}"
    return message[:300]


def _code(exc: Exception) -> str:
    """A failure's code: a SessionError's own, else the timeout's or a malformed answer's."""
    code = getattr(exc, "code", "")
    if isinstance(code, str) and code:
        return code
    if isinstance(exc, TimeoutError):
        return "embeddings_timeout"
    return "embeddings_malformed" if isinstance(exc, ValueError) else ""


class Embeddings:
    def __init__(self, index: KnowledgeIndex, worker: StoreWorker, embedder: Embedder | None,
                 tell: Callable[[IndexProgress], None], *, reason: FallbackReason = "",
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._index = index
        self._worker = worker
        self._tell = tell
        self._embedder: Embedder | None = None
        self._reason: FallbackReason = "not_configured"  # why there is no embedder
        self._failure = ""  # the last failure's sentence; "" after a success
        self._failure_code = ""  # and its code
        self._awaiting = False  # a backlog above ASK_ABOVE_PASSAGES waits for the go-ahead
        self._approved = False  # the go-ahead, for the backlog at hand (kept until it is embedded)
        self._backoff = Backoff(clock=clock)
        self._complete_for: tuple[str, int] | None = None  # (identity, dimensions) every passage has
        self._catching_up = asyncio.Lock()  # two syncs never embed the same passages twice
        self._closing: set[asyncio.Task[None]] = set()  # embedders replaced, closed when idle
        self._logged: SearchMode | None = None  # the mode last logged (the first is not)
        self.set_embedder(embedder, reason=reason)

    @property
    def mode(self) -> SearchMode:
        if self._embedder is None:
            return SearchMode("lexical", self._reason)
        if self._awaiting:
            return SearchMode("lexical", "awaiting_approval")
        if self._failure:
            return SearchMode("lexical", "embeddings_failed", self._failure, self._failure_code)
        return SearchMode("hybrid")

    def set_embedder(self, embedder: Embedder | None, *, reason: FallbackReason = "") -> None:
        """Another service or key (None: lexical, for `reason`): the next catch-up embeds again only if
        the identity changed (the passages' vectors are kept per identity and text). The old embedder is
        closed once no batch uses it."""
        old, self._embedder = self._embedder, embedder
        if old is not None and old is not embedder:
            self._close_when_idle(old)
        if old is None or embedder is None or (old.identity, old.dimensions) != (embedder.identity,
                                                                                 embedder.dimensions):
            self._awaiting = self._approved = False  # another backlog: counted, and asked, anew
        self._reason = "" if embedder else (reason or "not_configured")
        self._failure = ""
        self._backoff.succeeded()  # a new key or service is tried at once
        self._note()

    def approve(self) -> None:
        """The person's go-ahead for the waiting backlog; the next catch-up embeds it."""
        if self._awaiting:
            self._approved, self._awaiting = True, False
            self._note()

    async def close(self) -> None:
        embedder, self._embedder = self._embedder, None
        if embedder is not None:
            self._close_when_idle(embedder)
        await asyncio.gather(*self._closing, return_exceptions=True)

    async def status(self) -> KnowledgeStatus:
        embedder, mode = self._embedder, self.mode
        if embedder is None:
            return KnowledgeStatus(mode)
        passages, embedded, texts, tokens = await self._worker.run(_tally, self._index, embedder.identity,
                                                                   embedder.dimensions)
        return KnowledgeStatus(mode, embedder.model, passages, embedded, tokens, texts)

    async def catch_up(self, *, changed: bool) -> None:
        """Embeds the passages that lack a vector of the embedder's identity, in batches (unless a big
        backlog waits for the go-ahead, or the service is being left alone after a failure); then loads
        the vectors' sign bits, so the first question does not wait for that."""
        if self._embedder is None:
            return
        async with self._catching_up:
            embedder = self._embedder
            if embedder is not None:
                await self._catch_up(embedder, changed=changed)

    async def _catch_up(self, embedder: Embedder, *, changed: bool) -> None:
        key = (embedder.identity, embedder.dimensions)
        if changed:
            self._complete_for = None
        if self._complete_for == key or not self._backoff.ready():
            return
        wanted = await self._worker.run(self._index.passages_to_embed, *key)
        if embedder is not self._embedder:
            return  # replaced meanwhile: the next catch-up counts the new one's backlog
        self._awaiting = len(wanted) > ASK_ABOVE_PASSAGES and not self._approved
        self._note()
        if self._awaiting or not await self._embed(embedder, wanted):
            return
        self._complete_for, self._approved = key, False  # caught up: a later big backlog asks again
        await self._worker.run(self._index.load_vectors, *key)

    async def _embed(self, embedder: Embedder, wanted: list[Any]) -> bool:  # KnowledgeIndex's passages
        """Embeds and stores `wanted`, batch by batch; False if the service failed or was replaced."""
        try:
            for start in range(0, len(wanted), EMBED_BATCH):
                if embedder is not self._embedder:
                    return False
                self._tell(IndexProgress(start, len(wanted), "passages", stage="embeddings"))
                batch = wanted[start:start + EMBED_BATCH]
                vectors = await self._vectors(embedder, [p.text for p in batch], BATCH_SECONDS)
                await self._worker.run(self._index.store_vectors, embedder.identity, batch, vectors)
        except Exception as exc:  # any failure of the service: the search goes lexical
            self._failed(embedder, exc)
            return False
        finally:
            if wanted:
                self._tell(IndexProgress(len(wanted), len(wanted), stage="embeddings"))
        if wanted:  # nothing asked, nothing learnt of the service
            self._succeeded(embedder)
        return True

    async def search(self, question: str, limit: int) -> list[Hit]:
        embedder = self._embedder
        if embedder is None or self._awaiting or not self._backoff.ready():
            return await self._worker.run(self._index.search, question, limit)
        lexical = asyncio.ensure_future(self._worker.run(self._index.search, question, limit))
        try:
            (vector,) = await self._vectors(embedder, [question], QUESTION_SECONDS)
        except Exception as exc:  # offline, an HTTP error, too slow: the words' answer, this time
            self._failed(embedder, exc)
            return await lexical
        self._succeeded(embedder)
        await _discard(lexical)
        return await self._worker.run(self._index.hybrid_search, question, vector, embedder.identity, limit)

    @staticmethod
    async def _vectors(embedder: Embedder, texts: list[str], seconds: float) -> list[list[float]]:
        try:
            async with asyncio.timeout(seconds):
                vectors = await embedder.embed(texts)
        except TimeoutError:
            raise TimeoutError(f"The embeddings service did not answer within {seconds:g} s.") from None
        if len(vectors) != len(texts) or any(len(v) != embedder.dimensions for v in vectors):
            raise ValueError(f"the embedder returned {len(vectors)} vectors, not {len(texts)} of "
                             f"{embedder.dimensions} dimensions")
        return vectors

    def _failed(self, embedder: Embedder, exc: Exception) -> None:
        if embedder is not self._embedder:
            return  # a replaced embedder's request (closed under it): not the current service's failure
        self._backoff.failed()
        self._failure, self._failure_code = _sentence(exc), _code(exc)
        log.info("no embeddings request for %g s", self._backoff.wait)
        self._note()

    def _succeeded(self, embedder: Embedder) -> None:
        if embedder is self._embedder:
            self._backoff.succeeded()
            self._failure = ""
            self._note()

    def _note(self) -> None:
        """Logs the mode when it changes (once, not at every question)."""
        mode, logged = self.mode, self._logged
        if logged is not None and (mode.mode, mode.reason) != (logged.mode, logged.reason):
            why = f" ({mode.reason}{': ' + mode.detail if mode.detail else ''})" if mode.reason else ""
            log.warning("knowledge search is now %s%s", mode.mode, why)
        self._logged = mode

    def _close_when_idle(self, embedder: Embedder) -> None:
        async def close() -> None:
            async with self._catching_up:  # its batch in flight ends first (the loop then stops)
                try:
                    await embedder.close()
                except Exception:
                    log.warning("closing the embedder failed", exc_info=True)

        task = asyncio.get_running_loop().create_task(close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)


async def _discard(task: asyncio.Future[Any]) -> None:
    """The words' search, not needed after all (it ran first on the worker; it is quick)."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
