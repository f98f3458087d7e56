"""The WebRTC call setup's one HTTP exchange: the offer posted byte for byte with the ephemeral key,
and the reply's HTTP status checked before any body is taken for SDP.

Every failure becomes a SessionError with one sentence; the service's own words are masked (they may
quote what they were sent) and no key appears in one.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from desktop.realtime.errors import SessionError, http_failure
from desktop.realtime.masking import Masker
from desktop.realtime.providers import Provider, unreachable
from desktop.realtime.proxies import loggable, proxy_failure, proxy_for, refused_by_proxy
from desktop.realtime.retry_after import retry_after

log = logging.getLogger(__name__)


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
    url, proxy = provider.sdp_url, None
    try:
        async with asyncio.timeout(seconds):
            proxy = await proxy_for(http, url)
            async with http.post(
                url,
                data=offer_sdp.encode(),
                headers=headers,
                allow_redirects=False,
                proxy=proxy,
            ) as reply:
                body = await reply.text()
                status, wait = reply.status, retry_after(reply.headers)
    except TimeoutError:
        raise SessionError(
            f"{provider.name} did not answer the call setup within {seconds:g} s.",
            code="sdp_timeout",
        ) from None
    except aiohttp.ClientError as exc:
        log.debug("SDP request failed: %s", loggable(exc))
        raise proxy_failure(exc, url, proxy) or unreachable(url) from None
    if refused := refused_by_proxy(status, proxy):
        raise refused
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
