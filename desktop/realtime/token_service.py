"""The ephemeral key from the person's organisation's token service, for those who may not hold the
resource key.

The app POSTs an empty JSON object to the configured URL, with `Authorization: Bearer …` when a bearer
token is set; the service mints with the resource key it keeps and passes its mint's answer through
(GA `client_secrets` or preview `sessions` shape, read by desktop/realtime/mint_answer.py). The call
then goes to the endpoint in the settings as with a minted key. Every call (a renewal too) asks again.

The bearer token must travel only to that URL: https only (http only to this computer), and a redirect
is refused, not followed. A key that has expired, or is about to, is not used: the service is asked once
more, in case it handed out a cached key at the end of its life.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from desktop.realtime.endpoints import invalid_url, shown_url, url_problem
from desktop.realtime.errors import SessionError, token_failure
from desktop.realtime.http_post import post
from desktop.realtime.masking import Masker, remember_secrets
from desktop.realtime.mint_answer import read_mint_answer

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger(__name__)

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# A key with less life left than this is not used: setting up the call takes a few seconds of it.
FRESH_ENOUGH_SECONDS = 15.0
_ASKS = 2  # a key near its expiry earns one more request
_IN_THE_CLEAR = "http:// would send the bearer token in the clear (http:// is for this computer only)"


def token_url_problem(url: str) -> str:
    """Why `url` cannot be the token service's URL, or "": the bearer token must not cross the
    network in the clear, so http:// is for this computer only."""
    if reason := url_problem(url, query_allowed=True):
        return reason
    parts = urlsplit(url)
    if parts.scheme.lower() == "http" and (parts.hostname or "").lower() not in LOCAL_HOSTS:
        return _IN_THE_CLEAR
    return ""


def token_service_for(url: str, bearer: str) -> TokenService:
    """The token service at `url`, or the non-retryable SessionError saying why it cannot be asked."""
    url = url.strip()
    if not url:
        raise SessionError("No token service URL is configured.", code="not_configured", retryable=False)
    if reason := token_url_problem(url):
        if reason == _IN_THE_CLEAR:
            sentence = (
                f"The token service URL '{shown_url(url, [bearer])}' uses http://, which would send the"
                " bearer token in the clear; use https:// (http:// is only for 127.0.0.1 or localhost)."
            )
        else:
            sentence = invalid_url("The token service URL", url, reason, [bearer]).message
        raise SessionError(sentence, code="bad_token_url", retryable=False)
    remember_secrets(bearer.strip())  # whatever logs it later, the log file shows it masked
    return TokenService(url, bearer.strip())


@dataclass(frozen=True, slots=True)
class TokenService:
    url: str
    bearer: str = field(default="", repr=False)
    clock: Callable[[], float] = time.time

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc or shown_url(self.url, [self.bearer])

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.bearer:
            headers["Authorization"] = f"Bearer {self.bearer}"
        return headers

    async def fetch_key(self, http: aiohttp.ClientSession, limit: float) -> str:
        """A fresh ephemeral key, or the SessionError that says which part failed."""
        for _ask in range(_ASKS):
            key, life_left = await self._ask(http, limit)
            if life_left is None or life_left >= FRESH_ENOUGH_SECONDS:
                return key
            log.info("The token service handed out a key with %.0f s of life left; asking again", life_left)
        raise SessionError(
            "The token service handed out a session key that has expired or is about to; check the"
            " service's clock and any key cache it keeps.",
            code="token_expired",
        )

    async def _ask(self, http: aiohttp.ClientSession, limit: float) -> tuple[str, float | None]:
        answer = await post(
            http, self.url, limit=limit, what="token service request", json={}, headers=self.headers(),
            timed_out=lambda: SessionError(
                f"The token service at {self.host} did not hand out a session key within {limit:g} s.",
                code="token_timeout"),
            unreachable=lambda: SessionError(
                f"Could not reach the token service at {self.host}; check its URL and the network"
                " connection.", code="token_unreachable"),
        )
        status, body, wait = answer.status, answer.body, answer.wait
        said_at = _server_time(answer.headers.get("Date", ""))
        return self._read(status, body, wait, said_at)

    def _read(
        self, status: int, body: str, wait: float | None, said_at: float | None
    ) -> tuple[str, float | None]:
        if 300 <= status < 400:
            raise SessionError(
                f"The token service at {self.host} answered with a redirect (HTTP {status}), which is not"
                " followed so that the bearer token goes nowhere else; enter the URL it redirects to.",
                code="token_redirect",
                retryable=False,
            )
        if not 200 <= status < 300:
            raise token_failure(status, Masker([self.bearer]).text(body), retry_after=wait)
        try:
            key, expires_at = read_mint_answer(body)
        except SessionError:
            what = "is not JSON" if not body.lstrip().startswith(("{", "[")) else "holds no session key"
            raise SessionError(
                f"The token service's answer {what}; it should pass its mint's answer through"
                " (client_secrets or sessions).",
                code="token_malformed",
            ) from None
        now = said_at if said_at is not None else self.clock()  # its own clock, where it says the time
        return key, None if expires_at is None else expires_at - now


def _server_time(date: str) -> float | None:
    """The reply's Date header as Unix seconds (None if absent or unreadable): key lifetimes are
    counted on the service's clock, so a wrong clock here does not make every key look expired."""
    try:
        if not date:
            return None
        said = parsedate_to_datetime(date)
        return (said if said.tzinfo else said.replace(tzinfo=UTC)).timestamp()  # "-0000" is UTC too
    except (TypeError, ValueError):
        return None
