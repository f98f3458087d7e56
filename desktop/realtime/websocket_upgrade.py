"""The WebSocket upgrade of a call, and its failures as the same sentences the WebRTC call setup uses.

The upgrade stands where WebRTC's SDP exchange stands: it gets the call setup's time limit
(`Timeouts.sdp`) and, for an HTTP refusal, `http_failure("call setup", …)`'s sentence. What only a
WebSocket meets has its own: an answer that is not an upgrade (a proxy or firewall that lets HTTPS
through but not WebSockets, a 403 from such a proxy included), and a redirect, which is never followed:
aiohttp would carry the key header along to wherever it points.
"""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import aiohttp

from desktop.realtime.config import Timeouts
from desktop.realtime.errors import SessionError, http_failure
from desktop.realtime.masking import Masker
from desktop.realtime.providers import Provider, unreachable
from desktop.realtime.proxies import loggable, proxy_failure, proxy_for, refused_by_proxy
from desktop.realtime.retry_after import retry_after
from desktop.realtime.websocket_endpoints import http_form

log = logging.getLogger(__name__)

# A ping after this long without a frame; no pong within half of it ends the call (aiohttp's rule). With
# the liveness time (4 s) a dead service is noticed within about 6 s, near WebRTC's 5.
SHORTEST_HEARTBEAT = 2.0  # a pong may take a second while the loop is busy: never less than that
MAX_RECEIVED_BYTES = 16 * 1024 * 1024  # one event; the audio deltas are far smaller
NOT_AN_UPGRADE = (
    "The service or a proxy on this network refused the WebSocket connection (HTTP {status}); "
    "WebSockets may be blocked here: ask the network's administrator to allow them, or choose another "
    "transport (Settings, Network (advanced))."
)


class _Redirected(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


async def _refuse_redirect(
    _session: aiohttp.ClientSession, _context: SimpleNamespace, params: aiohttp.TraceRequestRedirectParams
) -> None:
    raise _Redirected(params.response.status)


def websocket_session() -> aiohttp.ClientSession:
    """An HTTP session that never follows a redirect (ws_connect takes no allow_redirects)."""
    trace = aiohttp.TraceConfig()
    trace.on_request_redirect.append(_refuse_redirect)
    return aiohttp.ClientSession(trace_configs=[trace])


async def open_websocket(
    http: aiohttp.ClientSession,
    url: str,
    headers: dict[str, str],
    provider: Provider,
    timeouts: Timeouts,
    masker: Masker,
) -> aiohttp.ClientWebSocketResponse:
    """The open socket, or a SessionError with one sentence (no key in it)."""
    limit, proxy = timeouts.sdp, None
    try:
        async with asyncio.timeout(limit):
            proxy = await proxy_for(http, url)
            return await http.ws_connect(
                url,
                headers=headers,
                heartbeat=max(SHORTEST_HEARTBEAT, timeouts.liveness),
                max_msg_size=MAX_RECEIVED_BYTES,
                autoping=False,  # the reader answers pings itself and sees the pongs (still_receiving)
                proxy=proxy,
            )
    except TimeoutError:
        raise SessionError(
            f"{provider.name} did not answer the call setup within {limit:g} s.", code="sdp_timeout"
        ) from None
    except _Redirected as redirect:
        raise SessionError(
            f"The WebSocket endpoint answered with a redirect (HTTP {redirect.status}), which is not "
            "followed; check the endpoint.",
            code="redirected",
            retryable=False,
        ) from None
    except aiohttp.WSServerHandshakeError as refused:
        raise refused_by_proxy(refused.status, proxy) or _refusal(
            refused, provider, masker, minted="Authorization" in headers
        ) from None
    except (aiohttp.ClientError, OSError) as exc:
        log.debug("WebSocket upgrade failed: %s", masker.text(loggable(exc)))
        raise proxy_failure(exc, url, proxy) or unreachable(http_form(url)) from None


def _refusal(
    refused: aiohttp.WSServerHandshakeError, provider: Provider, masker: Masker, *, minted: bool
) -> SessionError:
    status = refused.status
    wait = retry_after(refused.headers) if refused.headers is not None else None
    log.debug("WebSocket upgrade refused: HTTP %s, %s", status, masker.text(refused.message))
    if status == 401 and minted:  # the freshly minted key was refused: a new attempt may work
        error = http_failure("call setup", status, "", target=provider.deployment)
        # The app holds no API key in token mode: the banner must not ask to check one.
        code = "token_key_refused" if provider.token_service is not None else error.code
        return SessionError(error.message + provider.call_refused_hint, code=code)
    # The service's own refusals come as JSON; a proxy's as a page of its own.
    from_service = refused.headers is not None and "json" in refused.headers.get("Content-Type", "")
    if status in (401, 404, 429) or status >= 500 or from_service:
        return http_failure("call setup", status, "", target=provider.deployment, retry_after=wait)
    # 2xx without an upgrade, 400, 403, 405, 426…: something between us and the service said no.
    return SessionError(NOT_AN_UPGRADE.format(status=status), code="websocket_refused", retryable=False)
