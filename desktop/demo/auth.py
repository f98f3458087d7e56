"""Ephemeral keys this server minted, and HTTP error bodies shaped like the real services'."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from desktop.demo.ids import new_id

# status -> (type, code, message) for the fault switches that force a status.
FORCED_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("invalid_request_error", "invalid_request", "The request was not valid."),
    401: ("invalid_request_error", "invalid_api_key", "Access denied due to an invalid key."),
    403: ("invalid_request_error", "forbidden", "The principal does not have access to this resource."),
    404: (
        "invalid_request_error",
        "DeploymentNotFound",
        "The API deployment for this resource does not exist.",
    ),
    429: (
        "rate_limit_error",
        "rate_limit_exceeded",
        "Requests to the Realtime API have exceeded the call rate limit. Please retry after 10 seconds.",
    ),
    500: ("server_error", "internal_error", "The server had an error while processing your request."),
    503: (
        "server_error",
        "service_unavailable",
        "The service is temporarily unable to process your request.",
    ),
}
QUOTA_ERROR = (
    "insufficient_quota",
    "insufficient_quota",
    "You exceeded your current quota, please check your plan and billing details.",
)
RETRY_AFTER_SECONDS = 10


def error_response(
    status: int,
    message: str,
    *,
    code: str | None,
    kind: str = "invalid_request_error",
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """The services' JSON error; a 429 says Retry-After: 10 unless `headers` say otherwise."""
    defaults = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 429 else {}
    body = {"error": {"message": message, "type": kind, "code": code, "param": param}}
    return web.json_response(body, status=status, headers=defaults | (headers or {}))


def forced_error(status: int, *, quota: bool = False, headers: dict[str, str] | None = None) -> web.Response:
    """A fault switch's error; `quota` makes a 429 exhausted quota (retrying cannot help) not a rate limit."""
    default = ("server_error", str(status), f"HTTP {status}.")
    kind, code, message = QUOTA_ERROR if quota and status == 429 else FORCED_ERRORS.get(status, default)
    return error_response(status, message, code=code, kind=kind, headers=headers)


def mask(secret: str) -> str:
    """How a key appears in an error message: never in full."""
    return secret[:3] + "***" + secret[-4:] if len(secret) > 10 else "***"


@dataclass(frozen=True, slots=True)
class EphemeralKey:
    value: str
    expires_at: float  # wall clock, like the services' expires_at
    session: dict[str, Any]  # what the mint request configured; the call starts from it
    session_id: str


@dataclass
class MintedKeys:
    keys: dict[str, EphemeralKey] = field(default_factory=dict)

    def mint(self, prefix: str, lifetime: float, session: dict[str, Any]) -> EphemeralKey:
        now = time.time()
        # Expired keys are useless: forgetting them keeps a server that runs all day small.
        self.keys = {value: k for value, k in self.keys.items() if k.expires_at > now}
        key = EphemeralKey(new_id(prefix, 32), now + lifetime, session, new_id("sess_"))
        self.keys[key.value] = key
        return key

    def valid(self, authorization: str) -> EphemeralKey | None:
        scheme, _, token = authorization.partition(" ")
        key = self.keys.get(token.strip()) if scheme.lower() == "bearer" else None
        return key if key is not None and key.expires_at > time.time() else None
