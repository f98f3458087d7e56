"""One POST to a service, as every request of the app's makes it: through the system's proxy (looked
up off the loop), within a time limit, never following a redirect (aiohttp would forward the key's
header to wherever it points), and each way of failing turned into one sentence: the caller's for a
timeout and an unreachable host, the proxy's own for a proxy that refused or failed. What the answer
says is the caller's to judge.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.realtime.errors import SessionError
from desktop.realtime.proxies import loggable, proxy_failure, proxy_for, refused_by_proxy
from desktop.realtime.retry_after import retry_after

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: str  # decoded with errors replaced: a proxy's page may come in another charset
    wait: float | None  # what Retry-After (or Azure's retry-after-ms) asks for, in seconds
    headers: Mapping[str, str]


async def post(http: aiohttp.ClientSession, url: str, *, limit: float, what: str,
               timed_out: Callable[[], SessionError], unreachable: Callable[[], SessionError],
               masked: Callable[[str], str] = lambda text: text, **request: Any) -> Answer:
    """POSTs `request` (json=, data=, headers=) to `url`; `what` names it in the debug log."""
    import aiohttp

    proxy = None
    try:
        async with asyncio.timeout(limit):
            proxy = await proxy_for(http, url)
            async with http.post(url, allow_redirects=False, proxy=proxy, **request) as reply:
                body = await reply.text(errors="replace")
                answer = Answer(reply.status, body, retry_after(reply.headers), reply.headers)
    except TimeoutError:
        raise timed_out() from None
    except aiohttp.ClientError as exc:
        log.debug("%s failed: %s", what, masked(loggable(exc)))
        raise proxy_failure(exc, url, proxy) or unreachable() from None
    if refused := refused_by_proxy(answer.status, proxy):
        raise refused
    return answer
