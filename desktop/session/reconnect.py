"""Keeping a conversation up across dropped networks, sleeping laptops and the session time limit.

- A lost call (closed, failed, silent, or ended by the service's limit) is replaced by a new one:
  attempts with exponential backoff and jitter, each shown as "attempt N of M"; an error that
  retrying cannot fix (rejected key, unknown deployment, no quota) ends the session at once.
  When a failed attempt's service asked to wait (Retry-After on a 429 or 503), the next attempt
  waits at least that long (`RetryScheduled` tells the window); a wait beyond the policy's cap ends
  the session with a sentence that says so rather than asking again too early.
- Before the service's limit (the session's `expires_at`, else 30 min on Azure, 60 on OpenAI), at a
  quiet moment, a new call is opened beside the old one and takes over: make before break.
- A periodic check notices that the computer slept (see wake.py) and checks the call; `check()`
  does the same on demand, e.g. when the network changed.
This module decides when and how often; the calls themselves are the CallHandover's, and what a
switch means for the conversation (an answer cut short or owed, the state) is the session's, asked
for through `SessionSteps`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from desktop.realtime import ProviderKind, SessionError
from desktop.session.call_handover import CallHandover
from desktop.session.events import RetryScheduled
from desktop.session.model_call import ModelCall
from desktop.session.wake import WakeDetector

log = logging.getLogger(__name__)

# ConnectionRenewed reasons
LOST = "connection_lost"
EXPIRED = "session_limit"
RENEWAL = "renewal"
CHECKED = "connection_check"

Rng = Callable[[], float]  # uniform in [0, 1): the jitter's source

SESSION_LIMITS = {
    ProviderKind.AZURE_PREVIEW: 30 * 60.0,
    ProviderKind.AZURE: 30 * 60.0,
    ProviderKind.OPENAI: 60 * 60.0,
    ProviderKind.DEMO: 30 * 60.0,
}


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    max_attempts: int = 8  # 0: a lost call ends the session (no reconnecting)
    first_delay: float = 0.5  # seconds before the first attempt, doubled for each next one
    max_delay: float = 20.0
    jitter: float = 0.25  # each delay varies by this fraction, so many clients do not retry in step
    renew_margin: float = 180.0  # renew this long before the limit (at most a quarter of the lifetime)
    session_limit: float | None = None  # seconds; None: the provider's
    renew_retry: float = 30.0  # a renewal that could not connect is tried again after this
    watch_interval: float = 2.0
    wake_gap: float = 8.0  # a tick this much late (or a wall-clock jump) means the computer slept
    probe_seconds: float = 1.5  # how long a connection check waits for a packet
    max_retry_after: float = 60.0  # the longest wait a service may ask for that is sat out

    def delay(self, attempt: int, rng: Rng = random.random) -> float:
        base = min(self.max_delay, self.first_delay * 2.0 ** (attempt - 1))
        return max(0.0, base * (1 + self.jitter * (2 * rng() - 1)))

    def wait(self, attempt: int, retry_after: float | None, rng: Rng = random.random) -> float:
        """Before attempt `attempt`: the backoff, or longer when the service asked (`retry_after`)."""
        return max(self.delay(attempt, rng), retry_after or 0.0)


NO_RECONNECT = ReconnectPolicy(max_attempts=0)


Spawn = Callable[[Coroutine[Any, Any, None]], asyncio.Task[None] | None]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class SessionSteps:
    """What the session carries out when the reconnector says so; the reconnector decides when."""

    show_attempt: Callable[[int, int, RetryScheduled | None], None]  # "attempt N of M", the wait asked for
    detach_call: Callable[[], ModelCall | None]  # the active call stops counting; returns it
    take_over: Callable[[ModelCall, str], ModelCall | None]  # go on in this call; returns the one replaced
    until_quiet: Callable[[], Awaitable[None]]  # nobody speaking, nothing generating, no tool call open
    fail: Callable[[SessionError], Coroutine[Any, Any, None]]  # retrying cannot help: the session ends
    spawn: Spawn  # a task of the session's (cancelled when it closes; None once it has)


def _running(task: asyncio.Task[None] | None) -> bool:
    return task is not None and not task.done()


class Reconnector:
    def __init__(
        self,
        calls: CallHandover,
        session: SessionSteps,
        policy: ReconnectPolicy,
        provider: ProviderKind,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """`clock`: the wall clock, which the session's time limit is counted in; `sleep`: the wait
        before each attempt to reconnect (tests inject both)."""
        self._calls = calls
        self._session = session
        self._policy = policy
        self._clock = clock
        self._sleep = sleep
        self._limit = policy.session_limit or SESSION_LIMITS[provider]
        self._recovery: asyncio.Task[None] | None = None
        self._renewal: asyncio.Task[None] | None = None
        self._probe: asyncio.Task[None] | None = None
        self._renew_after = 0.0
        self._check_again = False  # a check asked for while a probe ran: that probe may predate the change
        self.renewing_switched = False  # the renewal has handed over: a loss now is the new call's

    @property
    def recovering(self) -> bool:
        return _running(self._recovery)

    def start(self) -> None:
        self._session.spawn(self._watch())

    def lost(self, error: SessionError, reason: str = LOST) -> None:
        """The active call is gone (or about to be): replace it, unless that is already under way."""
        if self.recovering:
            return
        model_call = self._calls.model_call
        lasted = f" after {self._clock() - model_call.opened_at:.0f} s" if model_call is not None else ""
        log.warning("The call was lost%s (%s): %s", lasted, reason, error.for_log)
        if _running(self._renewal) and not self.renewing_switched:
            assert self._renewal is not None
            self._renewal.cancel()  # its new call closes itself; recovery starts from scratch
        if self._policy.max_attempts <= 0:
            log.info("Reconnecting is off: the conversation ends")
            self._session.spawn(self._session.fail(error))
            return
        self._recovery = self._session.spawn(self._recover(error, reason))

    def cancel(self) -> bool:
        """Stop reconnecting (the person's choice); True when an attempt was under way."""
        if not self.recovering:
            return False
        assert self._recovery is not None
        log.info("Reconnecting cancelled by the person")
        self._recovery.cancel()
        return True

    def check(self) -> None:
        """Is the active call still alive? If not, it is replaced (after a wake-up, a network change)."""
        model_call = self._calls.model_call
        if model_call is None or self.recovering:
            return
        if _running(self._probe):
            self._check_again = True
            return
        self._probe = self._session.spawn(self._check(model_call))

    def deadline(self, model_call: ModelCall) -> float:
        """When the server session ends (wall clock)."""
        return min(model_call.expires_at or math.inf, model_call.opened_at + self._limit)

    async def _check(self, model_call: ModelCall) -> None:
        while True:
            self._check_again = False
            alive = await model_call.connection.still_receiving(self._policy.probe_seconds)
            if model_call is not self._calls.model_call or not model_call.active:
                return
            if not alive:
                self.lost(SessionError("The connection stopped working.", code="connection_lost"), CHECKED)
                return
            if not self._check_again:
                return

    async def _recover(self, error: SessionError, reason: str) -> None:
        old = self._session.detach_call()
        if old is not None:
            await self._calls.retire(old)
        attempts, last = self._policy.max_attempts, error
        for attempt in range(1, attempts + 1):
            wait = self._policy.wait(attempt, last.retry_after)
            asked = RetryScheduled(wait, last.code) if last.retry_after is not None else None
            self._session.show_attempt(attempt, attempts, asked)
            await self._sleep(wait)
            try:
                model_call = await self._calls.open_call()
            except SessionError as exc:
                if await self._stopped_by(exc, last, attempt):
                    return
                last = exc
                continue
            self._session.take_over(model_call, reason)
            return
        sentence = f"The connection could not be restored after {attempts} attempts. {last.message}"
        log.error("Reconnecting gave up after %d attempts", attempts)
        await self._session.fail(SessionError(sentence, code=last.code or "reconnect_failed"))

    async def _stopped_by(self, error: SessionError, previous: SessionError, attempt: int) -> bool:
        """A failed attempt that retrying cannot fix, or whose service asks for a wait beyond the
        cap, ends the session (True); any other is followed by the next attempt."""
        if not error.retryable or _refused_again(previous, error):
            log.error("Reconnecting stopped at attempt %d: retrying cannot fix this", attempt)
            await self._session.fail(SessionError(error.message, code=error.code, retryable=False))
            return True
        asked, cap = error.retry_after or 0.0, self._policy.max_retry_after
        if asked > cap:
            log.error("Reconnecting stopped at attempt %d: the service asked to wait %.0f s", attempt, asked)
            await self._session.fail(_asked_too_long(asked, cap))
            return True
        return False

    async def _watch(self) -> None:
        interval = self._policy.watch_interval
        detector = WakeDetector(self._policy.wake_gap, wall=self._clock)
        while True:
            await asyncio.sleep(interval)
            if detector.woke(interval):
                log.info("The computer was asleep: checking the call")
                self.check()
            model_call = self._calls.model_call
            if model_call is None or self.recovering or _running(self._renewal):
                continue
            deadline = self._renewal_time(model_call)
            if self._clock() >= max(deadline, self._renew_after):
                self.renewing_switched = False
                self._renewal = self._session.spawn(self._renew(model_call))

    def _renewal_time(self, model_call: ModelCall) -> float:
        end = self.deadline(model_call)
        margin = min(self._policy.renew_margin, (end - model_call.opened_at) / 4)
        return end - margin

    async def _renew(self, old: ModelCall) -> None:
        log.info("Renewing the call before the session limit (in %.0f s)", self.deadline(old) - self._clock())
        await self._session.until_quiet()
        try:
            candidate = await self._calls.open_call()
        except SessionError as exc:
            retry = max(self._policy.renew_retry, exc.retry_after or 0.0)
            log.info("The renewal could not connect; trying again in %g s", retry)
            self._renew_after = self._clock() + retry  # the limit's own loss is the fallback
            return
        adopted = False
        try:
            await self._session.until_quiet()
            if candidate.lost is None and self._calls.model_call is old:
                self.renewing_switched = True
                previous = self._session.take_over(candidate, RENEWAL)
                adopted = True
                if previous is not None:
                    await self._calls.retire(previous)
        finally:
            if not adopted:
                self._renew_after = self._clock() + 1.0
                await candidate.close()


def _refused_again(previous: SessionError, current: SessionError) -> bool:
    """A key refused at call setup may have expired in between, so one refusal earns another attempt
    with a fresh key; the same refusal twice in a row means the key itself is wrong."""
    return current.code == previous.code and current.code in ("unauthorized", "token_key_refused")


def _asked_too_long(asked: float, cap: float) -> SessionError:
    """The service asked for a longer wait than the policy sits out: asking again sooner would go
    against its word, and a conversation on hold for minutes is no conversation, so it ends here."""
    return SessionError(
        f"The service asked to wait {_duration(asked)} before the next attempt, longer than the app waits "
        f"by itself ({_duration(cap)}); start the conversation again later.",
        code="retry_after_too_long",
    )


def _duration(seconds: float) -> str:
    """A wait as a person reads it: "45 s", "3 min", "2 h"."""
    if seconds < 120:
        return f"{math.ceil(seconds)} s"
    if seconds < 2 * 3600:
        return f"{math.ceil(seconds / 60)} min"
    return f"{math.ceil(seconds / 3600)} h"
