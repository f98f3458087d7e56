"""The WebRTC call setup's one HTTP exchange: the offer posted byte for byte with the ephemeral key,
and the reply's HTTP status checked before any body is taken for SDP.

Every failure becomes a SessionError with one sentence; the service's own words are masked (they may
quote what they were sent) and no key appears in one.
"""

from __future__ import annotations

import aiohttp

from desktop.realtime.errors import SessionError, http_failure
from desktop.realtime.http_post import post
from desktop.realtime.masking import Masker
from desktop.realtime.providers import Provider, unreachable


async def post_offer(
    http: aiohttp.ClientSession,
    provider: Provider,
    masker: Masker,
    ephemeral: str,
    offer_sdp: str,
    seconds: float,
) -> str:
    """The service's SDP answer to `offer_sdp`, within `seconds`."""
    headers = {"Authorization": f"Bearer {ephemeral}", "Content-Type": "application/sdp"}
    answer = await post(
        http, provider.sdp_url, limit=seconds, what="SDP request", data=offer_sdp.encode(), headers=headers,
        timed_out=lambda: SessionError(
            f"{provider.name} did not answer the call setup within {seconds:g} s.", code="sdp_timeout"),
        unreachable=lambda: unreachable(provider.sdp_url),
    )
    status, body, wait = answer.status, answer.body, answer.wait
    if not 200 <= status < 300:
        raise _refusal(provider, status, masker.text(body), wait)
    if not body.lstrip().startswith("v=0"):
        raise SessionError(
            "The service's answer to the call setup was not a session description.", code="sdp_malformed"
        )
    return body


def _refusal(provider: Provider, status: int, masked_body: str, wait: float | None) -> SessionError:
    error = http_failure("call setup", status, masked_body, target=provider.deployment, retry_after=wait)
    if status in (401, 403):  # the freshly minted key was refused: a new attempt may work
        # The app holds no API key in token mode: the banner must not ask to check one.
        code = "token_key_refused" if provider.token_service is not None else error.code
        error = SessionError(error.message + provider.call_refused_hint, code=code)
    return error
