from __future__ import annotations

from typing import Any

from desktop.realtime.errors import http_failure
from desktop.realtime.masking import MASK, Masker


def test_known_secrets_and_key_shapes_are_masked_everywhere() -> None:
    masker = Masker(["super-secret-api-key"])
    masker.add("ek_abcdef123456")
    payload: dict[str, Any] = {
        "type": "session.created",
        "client_secret": {"value": "ek_abcdef123456", "expires_at": 5},
        "nested": ["Bearer ek_abcdef123456", {"note": "key super-secret-api-key"}],
        "other": "sk-proj-0123456789 and ek_unknown9999",
        "count": 3,
    }
    masked = masker.payload(payload)
    text = repr(masked)
    assert "ek_abcdef" not in text and "super-secret" not in text and "sk-proj" not in text
    assert "ek_unknown" not in text
    assert masked["client_secret"] == {"value": MASK, "expires_at": 5}
    assert masked["count"] == 3
    assert payload["client_secret"]["value"] == "ek_abcdef123456"  # the original is untouched


def test_http_failure_sentences() -> None:
    rejected = http_failure("key request", 401, '{"error": {"message": "Bad key"}}', target="d")
    assert not rejected.retryable and "rejected" in rejected.message
    missing = http_failure("key request", 404, "{}", target="gpt-x")
    assert not missing.retryable and "'gpt-x'" in missing.message
    quota = http_failure(
        "key request", 429, '{"error": {"code": "insufficient_quota", "message": "No quota"}}', target="d"
    )
    assert not quota.retryable and "(HTTP 429: No quota)." in quota.message
    limited = http_failure(
        "key request", 429, '{"error": {"code": "rate_limit_exceeded", "message": "Slow"}}', target="d"
    )
    assert limited.retryable and "(HTTP 429: Slow)." in limited.message
    broken = http_failure("call setup", 502, "<html>bad gateway</html>", target="d")
    assert broken.retryable and "502" in broken.message and "html" not in broken.message
    overloaded = http_failure(
        "key request", 503, '{"error": {"message": "The engine is currently overloaded."}}', target="d"
    )
    assert overloaded.retryable and "(HTTP 503: The engine is currently overloaded)." in overloaded.message
