"""The one exception a connection or session failure becomes, and the sentences HTTP failures map to.

Every failure reaches the person as one sentence; `retryable` tells the UI whether reconnecting can
help (it cannot for a rejected key, an unknown deployment or exhausted quota), and `retry_after` how
long the service asked us to wait first (its `Retry-After` on a 429 or 503).
"""

from __future__ import annotations

import json
from typing import Any


class SessionError(Exception):
    """Carries the one clear sentence shown to the person; `retryable` is False for a rejected key,
    an unknown deployment or exhausted quota; `retry_after` (seconds) is the wait the service asked
    for before the next attempt, when it named one."""

    def __init__(
        self, message: str, *, code: str = "", retryable: bool = True, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable
        self.retry_after = retry_after

    @property
    def for_log(self) -> str:
        """The sentence with its code, as the log file shows a failure."""
        return f"{self.message} [{self.code or 'no code'}]"


def _server_error(body: str) -> tuple[str, str]:
    """(message, code) from the `{"error": {...}}` body providers send, or the raw text."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return body.strip()[:200], ""
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        message = str(error.get("message") or "").strip()
        code = str(error.get("code") or error.get("type") or "")
        return message, code
    if isinstance(error, str):
        return error, ""
    return body.strip()[:200], ""


def _because(status: int, message: str) -> str:
    """The status and the service's own words, as a parenthesis closing one sentence."""
    message = " ".join(message.split()).rstrip(".")
    return f" (HTTP {status}: {message})." if message else f" (HTTP {status})."


def http_failure(
    step: str, status: int, body: str, *, target: str, retry_after: float | None = None
) -> SessionError:
    """Map an HTTP failure of `step` ("key request", "call setup") to one sentence.

    `target` names what was asked for (deployment or model), for the 404 sentence; `retry_after` is
    the wait the reply's headers asked for (desktop/realtime/retry_after.py), kept on a rate limit
    (429) and an unavailable service (503) only.
    """
    message, code = _server_error(body)
    because = _because(status, message)
    if status in (401, 403):
        return SessionError(
            f"The service rejected the key during the {step}; check the API key{because}",
            code="unauthorized",
            retryable=False,
        )
    if status == 404:
        return SessionError(
            f"The service does not know the deployment or model '{target}'; "
            f"check the endpoint and deployment name{because}",
            code="not_found",
            retryable=False,
        )
    if status == 429:
        if code == "insufficient_quota" or "quota" in message.lower():
            return SessionError(
                f"The account has no quota left for this model{because}",
                code="insufficient_quota",
                retryable=False,
            )
        return SessionError(
            f"The service is limiting requests right now; try again shortly{because}",
            code="rate_limited",
            retry_after=retry_after,
        )
    if status >= 500:
        # Gateways answer 5xx with HTML pages; only the service's own JSON error is worth quoting.
        said = message if body.lstrip().startswith("{") else ""
        return SessionError(
            f"The service had an internal error during the {step}; try again shortly{_because(status, said)}",
            code="server_error",
            retry_after=retry_after if status == 503 else None,
        )
    return SessionError(
        f"The service refused the {step}{because}",
        code=code or f"http_{status}",
        retryable=False,
    )


def token_failure(status: int, body: str, *, retry_after: float | None = None) -> SessionError:
    """Map the token service's HTTP failure to one sentence (`body` already masked). Its 401 and 403
    refuse the bearer token, not an API key: the app sends it none."""
    message, _code = _server_error(body)
    # An HTML error page, or a message that only repeats the status, is not worth quoting.
    quoted = body.lstrip().startswith("{") and message.rstrip(".") != f"HTTP {status}"
    because = _because(status, message if quoted else "")
    if status in (401, 403):
        return SessionError(
            f"The token service refused the bearer token; check it in the settings{because}",
            code="token_unauthorized",
            retryable=False,
        )
    if status == 429:
        return SessionError(
            f"The token service is limiting requests right now; try again shortly{because}",
            code="token_rate_limited",
            retry_after=retry_after,
        )
    if status >= 500:
        return SessionError(
            f"The token service had an error and handed out no session key; try again shortly{because}",
            code="token_server_error",
            retry_after=retry_after if status == 503 else None,
        )
    return SessionError(
        f"The token service refused to hand out a session key{because}", code="token_refused", retryable=False
    )
