"""The wait a service asks for: Retry-After in seconds or as an HTTP date, Azure's retry-after-ms, and
which failures keep it."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from desktop.realtime.errors import http_failure
from desktop.realtime.retry_after import retry_after

NOW = 1_796_000_000.0  # a fixed wall clock for the HTTP dates


def _at(offset: float) -> str:
    return formatdate(NOW + offset, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after": " 7 "}, 7.0),  # header names are case-insensitive, values may be padded
        ({"retry-after-ms": "1500"}, 1.5),
        ({"Retry-After": "10", "retry-after-ms": "2500"}, 2.5),  # Azure sends both: the precise one wins
        ({"Retry-After": "2", "retry-after-ms": "soon"}, 2.0),  # an unreadable ms falls back
        ({"Retry-After": "0"}, 0.0),
    ],
)
def test_seconds_and_milliseconds(headers: dict[str, str], seconds: float) -> None:
    assert retry_after(headers, lambda: NOW) == seconds


def test_an_http_date_counts_from_now() -> None:
    assert retry_after({"Retry-After": _at(2)}, lambda: NOW) == 2.0
    assert retry_after({"Retry-After": _at(-30)}, lambda: NOW) == 0.0  # already passed: go now
    assert retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00"}, lambda: 1445412480.0) == 0.0


@pytest.mark.parametrize(
    "headers",
    [{}, {"Retry-After": ""}, {"Retry-After": "soon"}, {"Retry-After": "-5"}, {"retry-after-ms": "nan"},
     {"Retry-After": "inf"}, {"Content-Type": "application/json"}, {"Retry-After": "1e9"},
     {"Retry-After": "1_000"}, {"Retry-After": "١٢"}, {"retry-after-ms": "+5"}, {"Retry-After": ".5"}],
)  # fmt: skip
def test_what_cannot_be_read_is_ignored(headers: dict[str, str]) -> None:
    assert retry_after(headers, lambda: NOW) is None


def test_a_rate_limit_and_an_unavailable_service_keep_the_wait() -> None:
    limited = http_failure("key request", 429, '{"error": {"code": "rate_limit_exceeded"}}', target="d",
                           retry_after=2.0)  # fmt: skip
    assert limited.code == "rate_limited" and limited.retryable and limited.retry_after == 2.0
    busy = http_failure("call setup", 503, "<html>busy</html>", target="d", retry_after=3.0)
    assert busy.code == "server_error" and busy.retryable and busy.retry_after == 3.0


def test_exhausted_quota_is_not_retried_whatever_the_wait() -> None:
    quota = http_failure("key request", 429, '{"error": {"code": "insufficient_quota"}}', target="d",
                         retry_after=2.0)  # fmt: skip
    assert quota.code == "insufficient_quota" and not quota.retryable and quota.retry_after is None


@pytest.mark.parametrize("status", [401, 404, 500])
def test_other_failures_carry_no_wait(status: int) -> None:
    assert http_failure("key request", status, "{}", target="d", retry_after=2.0).retry_after is None
