"""Fault switches: how the demo server misbehaves on purpose, in the services' protocol (HTTP, the
data channel and the WebSocket). Mutable at run time, one per server. Faults below the protocol (a
stalled ICE or DTLS, a partition) are the tests' own: tests/demo/partition.py, through the server's
hooks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass
class Faults:
    mint_status: int | None = None  # answer every mint with this HTTP status and a realistic error body
    sdp_status: int | None = None  # the same for the SDP offer
    embeddings_status: int | None = None  # the same for every embeddings request
    quota_exhausted: bool = False  # a forced 429 says insufficient_quota (not retryable), not a rate limit
    mint_failures: int = 0  # fail this many mints with `mint_failure_status` (counts down), then succeed
    mint_failure_status: int = 503  # 429: the failing mints are a rate limit
    # What a forced 429 or 503 asks the client to wait: Retry-After (seconds or an HTTP date; a 429
    # says 10 s when this is None) and Azure's retry-after-ms (none when None).
    retry_after: str | None = None
    retry_after_ms: int | None = None
    mint_delay: float = 0.0  # seconds before the mint answers
    mint_held: asyncio.Event | None = None  # the mint answers once this is set (a test holds it)
    sdp_delay: float = 0.0  # seconds before the SDP answer
    embeddings_delay: float = 0.0  # seconds before an embeddings answer
    no_session_updated: bool = False  # session.update is never answered
    close_mid_response: bool = False  # the call (peer or WebSocket) closes after the first transcript delta
    send_malformed: bool = False  # a non-JSON message and an unknown event type follow session.created
    late_transcription: bool = False  # the user's transcription arrives after response.created
    # The session limit: in session.created's expires_at; then `error` session_expired and the call closes.
    session_expiry_seconds: float | None = None
    unannounced_expiry: bool = False  # expires_at keeps the service's own limit: the expiry comes unannounced
    drop_after_seconds: float | None = None  # the call closes silently after this long
    key_lifetime_seconds: float | None = None  # overrides every ephemeral key's lifetime
    transcription_failed: bool = False  # ...input_audio_transcription.failed instead of the transcript
    response_failed: bool = False  # every response ends at once with response.done status "failed"
    # Timing like the real services: transcript and response.done as soon as "generated" while the audio
    # still plays; only output_audio_buffer.stopped marks its end (and response.cancel then finds nothing).
    early_response_done: bool = False
    # The token service (POST /token, desktop/demo/token_endpoint.py): answers every request with this
    # HTTP status; waits this long first; drops the connection unanswered ("down"); answers 200 with an
    # HTML page; redirects elsewhere; or hands out keys already at the end of their life.
    token_status: int | None = None
    token_delay: float = 0.0
    token_down: bool = False
    token_not_json: bool = False
    token_redirect: bool = False
    token_stale_key: bool = False
    # The WebSocket: a proxy that refuses the upgrade with this status (a plain page, not the service's
    # JSON), and a socket that opens and then says nothing (no session.created, no answer to anything).
    socket_upgrade_status: int | None = None
    socket_silent: bool = False
