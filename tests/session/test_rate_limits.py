"""The service's limits against the demo server: a 429 or 503 that names a wait (Retry-After in
seconds or as an HTTP date, Azure's retry-after-ms) is sat out before the next attempt, up to the
policy's cap; exhausted quota is never retried. The waits are recorded by an injected sleep, not timed."""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate

import pytest

from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.realtime import SessionError
from desktop.realtime.config import ProviderKind
from desktop.session.events import ErrorRaised, RetryScheduled, SessionState, StateChanged
from desktop.session.reconnect import ReconnectPolicy
from desktop.session.voice_session import VoiceSession
from tests.session.conftest import RunningDemoServer
from tests.session.harness import Collector, assert_nothing_left
from tests.session.reconnecting import QUICK, reconnect_states, renewed


class RecordedSleep:
    """Stands in for asyncio.sleep before each attempt: keeps the wait, lets the loop turn."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


Started = tuple[VoiceSession, Collector, RecordedSleep]


def _start(
    demo: RunningDemoServer, kind: ProviderKind = ProviderKind.AZURE, policy: ReconnectPolicy = QUICK
) -> Started:
    sleep = RecordedSleep()
    config = demo.config(kind, greet_first=False)
    session = VoiceSession(config, SyntheticMicrophone(), RecordingSpeaker(), reconnect=policy, sleep=sleep)
    return session, Collector(session), sleep


async def _lose_the_call_while(demo: RunningDemoServer, **faults: object) -> None:
    """The next mint fails once as `faults` say; then the call drops."""
    demo.server.faults.mint_failures = 1
    for name, value in faults.items():
        setattr(demo.server.faults, name, value)
    await demo.server.close_all_calls()


async def test_429_with_retry_after_2_is_retried_after_2_s(demo: RunningDemoServer) -> None:
    session, events, sleep = _start(demo)
    await session.connect()
    await _lose_the_call_while(demo, mint_failure_status=429, retry_after="2")
    await renewed(events)
    assert reconnect_states(events) == ["attempt 1 of 4", "attempt 2 of 4"]
    first, second = sleep.waits
    assert first < 1.0  # the backoff after the drop
    assert second == 2.0  # the service's word, more than the backoff (0.1 s) would have been
    assert events.of(RetryScheduled) == [RetryScheduled(2.0, "rate_limited")]
    scheduled = events.events.index(RetryScheduled(2.0, "rate_limited"))
    assert events.events[scheduled - 1] == StateChanged(SessionState.RECONNECTING, "attempt 2 of 4")
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_azure_retry_after_ms_wins_over_retry_after(demo: RunningDemoServer) -> None:
    session, events, sleep = _start(demo, ProviderKind.AZURE_PREVIEW)
    await session.connect()
    await _lose_the_call_while(demo, mint_failure_status=429, retry_after="10", retry_after_ms=1500)
    await renewed(events)
    assert sleep.waits[1] == 1.5
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_an_http_date_and_a_503_are_honoured_too(demo: RunningDemoServer) -> None:
    session, events, sleep = _start(demo, ProviderKind.OPENAI)
    await session.connect()
    in_3_s = formatdate(time.time() + 3, usegmt=True)
    await _lose_the_call_while(demo, mint_failure_status=503, retry_after=in_3_s)
    await renewed(events)
    assert 1.5 <= sleep.waits[1] <= 3.0  # the date has whole seconds; a moment passed since it was made
    (scheduled,) = events.of(RetryScheduled)
    assert scheduled.code == "server_error" and scheduled.seconds == sleep.waits[1]
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_a_wait_beyond_the_cap_ends_the_conversation_and_says_so(demo: RunningDemoServer) -> None:
    session, events, sleep = _start(demo)
    await session.connect()
    await _lose_the_call_while(demo, mint_failure_status=429, retry_after="300")
    error = await events.wait_for(ErrorRaised, lambda e: e.fatal)
    assert error.code == "retry_after_too_long" and error.retryable  # the person may try again later
    assert "wait 5 min" in error.message and "(60 s)" in error.message, error.message
    assert reconnect_states(events) == ["attempt 1 of 4"] and len(sleep.waits) == 1
    assert not events.of(RetryScheduled)
    await events.finished()
    await assert_nothing_left(session, demo.stop)


async def test_the_cap_is_the_policys(demo: RunningDemoServer) -> None:
    policy = ReconnectPolicy(max_attempts=3, first_delay=0.05, max_delay=0.2, max_retry_after=400)
    session, events, sleep = _start(demo, policy=policy)
    await session.connect()
    await _lose_the_call_while(demo, mint_failure_status=429, retry_after="300")
    await renewed(events)
    assert sleep.waits[1] == 300.0
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_exhausted_quota_is_not_retried_even_with_a_wait(demo: RunningDemoServer) -> None:
    session, events, sleep = _start(demo)
    await session.connect()
    demo.server.faults.mint_status, demo.server.faults.quota_exhausted = 429, True
    demo.server.faults.retry_after = "2"
    await demo.server.close_all_calls()
    error = await events.wait_for(ErrorRaised, lambda e: e.fatal)
    assert error.code == "insufficient_quota" and not error.retryable
    assert reconnect_states(events) == ["attempt 1 of 4"] and len(sleep.waits) == 1
    await events.finished()
    await assert_nothing_left(session, demo.stop)


@pytest.mark.parametrize(("fault", "seconds"), [({"retry_after": "2"}, 2.0), ({"retry_after_ms": 250}, 0.25)])
async def test_the_first_connect_reports_the_wait_and_does_not_retry(
    demo: RunningDemoServer, fault: dict[str, object], seconds: float
) -> None:
    """Starting is the person's click: a refused start is said at once (with Retry), not retried."""
    demo.server.faults.sdp_status = 429
    for name, value in fault.items():
        setattr(demo.server.faults, name, value)
    session, events, sleep = _start(demo, ProviderKind.OPENAI)
    with pytest.raises(SessionError) as caught:
        await session.connect()
    assert caught.value.code == "rate_limited" and caught.value.retry_after == seconds
    assert sleep.waits == [] and len(demo.server.sessions) == 0
    await events.finished()
    await assert_nothing_left(session, demo.stop)
