"""The knowledge base's embeddings: passages embedded once, questions embedded, and the fallback.

How the async embedder and the sync index meet: the index lives on its `StoreWorker` thread and never
awaits; this class runs on the asyncio loop. It asks the worker which passages lack a vector
(`KnowledgeIndex.passages_to_embed`), awaits the embedder for a batch of them on the loop, and hands the
vectors back to the worker to store (`KnowledgeIndex.store_vectors`), batch by batch, telling the
progress path as it goes. A search starts the words' ranking on the worker and meanwhile awaits the
question's vector (at most `QUESTION_SECONDS`; a slower answer is not a failure: it arrives in the
background and the next question is hybrid again); with the vector it fuses the words' ranking with the
vectors', without it it answers from the words' ranking alone. Neither side blocks the GUI thread (it
only runs the loop's callbacks).

The search is lexical, never an error to the model, and `SearchMode.reason` says why: no embedder
(the app's reason: "demo", "no_deployment", "not_configured"), the service failed
("embeddings_failed", the sentence in `detail`), or a backlog of more than `ASK_ABOVE_PASSAGES` texts
waits for the person's go-ahead ("awaiting_approval", `approve_embedding`): the cost is shown before
it is spent. After a failure no request goes out (question or catch-up) for a growing wait
(`Backoff`); the next request that succeeds brings the hybrid search back.

Settings may swap the embedder (`set_embedder`: another service, key or deployment; the old one is
closed); vectors are kept per `Embedder.identity` and text, so only another model embeds again.
`status` counts, on the worker, what Settings shows (`knowledge_status.py`): the passages embedded and
an estimate of the tokens (and dollars) the rest will cost.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from desktop.storage import Hit, IndexProgress, KnowledgeIndex, StoreWorker
from desktop.tools.backoff import Backoff
from desktop.tools.knowledge_status import FallbackReason, KnowledgeStatus, SearchMode, status_counts
from desktop.tools.ports import Embedder

log = logging.getLogger(__name__)

# Passages per call of the embedder, between which the progress is told and the vectors stored: as many
# as the embeddings client sends in one request (its BATCH_SIZE), so each call is one request, bounded
# by the client's own timeout (no second batching or timeout here).
EMBED_BATCH = 128
QUESTION_SECONDS = 1.0  # how long a question waits for its vector before it gets the words' answer
ASK_ABOVE_PASSAGES = 2000  # a bigger backlog waits for the person's go-ahead (`approve_embedding`)

def _sentence(exc: Exception) -> str:
    """A failure as Settings shows it: a SessionError's sentence, else type and text."""
    message = getattr(exc, "message", "")
    if not (isinstance(message, str) and message):
        message = f"{type(exc).__name__}: {exc}"
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
        self._questions: set[asyncio.Future[list[list[float]]]] = set()  # slow questions, finishing
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
        for asking in list(self._questions):
            asking.cancel()
        await asyncio.gather(*self._questions, return_exceptions=True)
        embedder, self._embedder = self._embedder, None
        if embedder is not None:
            self._close_when_idle(embedder)
        await asyncio.gather(*self._closing, return_exceptions=True)

    async def status(self) -> KnowledgeStatus:
        embedder, mode = self._embedder, self.mode
        if embedder is None:
            return KnowledgeStatus(mode)
        passages, embedded, texts, tokens = await self._worker.run(
            status_counts, self._index, embedder.identity, embedder.dimensions)
        return KnowledgeStatus(mode, embedder.model, passages, embedded, tokens, texts)

    async def catch_up(self, *, changed: bool, wanted: Callable[[], bool] = lambda: True) -> None:
        """Embeds the passages that lack a vector of the embedder's identity, in batches (unless a big
        backlog waits for the go-ahead, or the service is being left alone after a failure); then loads
        the vectors' sign bits, so the first question does not wait for that. Stops between two batches
        once `wanted()` is False (another folder was picked: its sync comes first)."""
        if self._embedder is None:
            return
        async with self._catching_up:
            embedder = self._embedder
            if embedder is not None and wanted():
                await self._catch_up(embedder, changed=changed, wanted=wanted)

    async def _catch_up(self, embedder: Embedder, *, changed: bool, wanted: Callable[[], bool]) -> None:
        key = (embedder.identity, embedder.dimensions)
        if changed:
            self._complete_for = None
        if self._complete_for == key or not self._backoff.ready():
            return
        backlog = await self._worker.run(self._index.passages_to_embed, *key)
        if embedder is not self._embedder or not wanted():
            return  # replaced, or another folder, meanwhile: the next catch-up counts anew
        self._awaiting = len(backlog) > ASK_ABOVE_PASSAGES and not self._approved
        self._note()
        if self._awaiting or not await self._embed(embedder, backlog, wanted):
            return
        self._complete_for, self._approved = key, False  # caught up: a later big backlog asks again
        await self._worker.run(self._index.load_vectors, *key)

    async def _embed(self, embedder: Embedder, wanted: list[Any],  # KnowledgeIndex's passages
                     still_wanted: Callable[[], bool]) -> bool:
        """Embeds and stores `wanted`, batch by batch; False if the service failed or was replaced, or
        the catch-up is no longer wanted."""
        try:
            for start in range(0, len(wanted), EMBED_BATCH):
                if embedder is not self._embedder or not still_wanted():
                    return False
                self._tell(IndexProgress(start, len(wanted), stage="embeddings"))
                batch = wanted[start:start + EMBED_BATCH]
                vectors = await self._vectors(embedder, [p.text for p in batch])
                await self._worker.run(self._index.store_vectors, embedder.identity, batch, vectors)
        except Exception as exc:  # any failure of the service: the search goes lexical
            self._failed(embedder, exc)
            return False
        finally:
            if wanted:
                self._tell(IndexProgress(len(wanted), len(wanted), stage="embeddings", ended=True))
        if wanted:  # nothing asked, nothing learnt of the service
            self._succeeded(embedder)
        return True

    async def search(self, question: str, limit: int) -> list[Hit]:
        embedder = self._embedder
        if embedder is None or self._awaiting or not self._backoff.ready():
            return await self._worker.run(self._index.search, question, limit)
        lexical = asyncio.ensure_future(self._worker.run(self._index.rank_words, question))
        try:
            vector = await self._question_vector(embedder, question)
            words = await lexical
        finally:
            await _settled(lexical)  # if this search was cancelled meanwhile
        if vector is None:
            return words.hits(limit)
        return await self._worker.run(self._index.hybrid_search, question, vector, embedder.identity, limit,
                                      words=words)

    async def _question_vector(self, embedder: Embedder, question: str) -> list[float] | None:
        """The question's vector, or None for the words' answer this time: the service failed (that
        starts the wait), or is slower than `QUESTION_SECONDS` (not a failure: the request goes on in the
        background, bounded by the client's own timeout, and keeps the connection warm; if it fails
        after all, that is the failure)."""
        asking = asyncio.ensure_future(self._vectors(embedder, [question]))
        try:
            await asyncio.wait({asking}, timeout=QUESTION_SECONDS)
        finally:
            if not asking.done():
                self._questions.add(asking)
                asking.add_done_callback(lambda task: self._heard(embedder, task))
        return self._heard(embedder, asking) if asking.done() else None

    def _heard(self, embedder: Embedder, asking: asyncio.Future[list[list[float]]]) -> list[float] | None:
        self._questions.discard(asking)
        if asking.cancelled():
            return None
        if (exc := asking.exception()) is not None:
            if isinstance(exc, Exception):
                self._failed(embedder, exc)
            return None
        self._succeeded(embedder)
        return asking.result()[0]

    @staticmethod
    async def _vectors(embedder: Embedder, texts: list[str]) -> list[list[float]]:
        vectors = await embedder.embed(texts)
        if len(vectors) != len(texts) or any(len(v) != embedder.dimensions for v in vectors):
            raise ValueError(f"the embedder returned {len(vectors)} vectors, not {len(texts)} of "
                             f"{embedder.dimensions} dimensions")
        return vectors

    def _failed(self, embedder: Embedder, exc: Exception) -> None:
        if embedder is not self._embedder:
            return  # a replaced embedder's request (closed under it): not the current service's failure
        wanted_wait = getattr(exc, "retry_after", None)  # a SessionError's: the service's Retry-After
        self._backoff.failed(wanted_wait if isinstance(wanted_wait, (int, float)) else 0.0)
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
            level = logging.WARNING if mode.reason == "embeddings_failed" else logging.INFO
            log.log(level, "knowledge search is now %s%s", mode.mode, why)
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


async def _settled(task: asyncio.Future[Any]) -> None:
    """Cancels `task` if it has not ended and waits for it; its own error, or its cancellation, is not
    the caller's (the caller's cancellation is)."""
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if not task.cancelled() or (current is not None and current.cancelling()):
            raise  # not (only) the task's: ours
    except Exception:
        log.debug("the words' search failed", exc_info=True)
