"""A reference token service: hands out short-lived realtime keys so that people need not hold the
resource key. The key stays in this process's environment; each POST mints one ephemeral key with it
and passes the service's answer through. See README.md beside this file.

Run: REALTIME_PROVIDER=azure REALTIME_ENDPOINT=https://res.openai.azure.com REALTIME_API_KEY=… \
     REALTIME_DEPLOYMENT=gpt-realtime TOKEN_SERVICE_BEARER=… python -m examples.token_service.server
"""

from __future__ import annotations

import hmac
import os
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

PREVIEW_API_VERSION = "2025-04-01-preview"


@dataclass(frozen=True)
class Settings:
    provider: str  # "azure" (GA), "azure-preview" or "openai"
    endpoint: str  # the resource, or https://api.openai.com
    api_key: str = field(repr=False)
    deployment: str  # the Azure deployment or the OpenAI model
    voice: str = "sage"
    bearer: str = field(default="", repr=False)  # "" lets anyone who reaches the service ask
    per_minute: int = 10  # keys one client may ask for in a minute

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Settings:
        return cls(
            provider=env.get("REALTIME_PROVIDER", "azure"),
            endpoint=env.get("REALTIME_ENDPOINT", "https://api.openai.com").rstrip("/"),
            api_key=env["REALTIME_API_KEY"],
            deployment=env["REALTIME_DEPLOYMENT"],
            voice=env.get("REALTIME_VOICE", "sage"),
            bearer=env.get("TOKEN_SERVICE_BEARER", ""),
            per_minute=int(env.get("TOKEN_SERVICE_PER_MINUTE", "10")),
        )


def mint_request(s: Settings) -> tuple[str, dict[str, str], dict[str, Any]]:
    """(URL, headers, body) of one mint on the configured service."""
    if s.provider == "azure-preview":
        url = f"{s.endpoint}/openai/realtimeapi/sessions?api-version={PREVIEW_API_VERSION}"
        return url, {"api-key": s.api_key}, {"model": s.deployment, "voice": s.voice}
    session = {"type": "realtime", "model": s.deployment, "audio": {"output": {"voice": s.voice}}}
    if s.provider == "azure":
        return f"{s.endpoint}/openai/v1/realtime/client_secrets", {"api-key": s.api_key}, {"session": session}
    body = {"expires_after": {"anchor": "created_at", "seconds": 600}, "session": session}
    return f"{s.endpoint}/v1/realtime/client_secrets", {"Authorization": f"Bearer {s.api_key}"}, body


class RateLimit:
    """At most `per_minute` keys per client in any 60 s; `wait` says how long until the next one."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.asked: defaultdict[str, deque[float]] = defaultdict(deque)

    def wait(self, client: str, now: float) -> float:
        for other in [c for c, times in self.asked.items() if times and now - times[-1] >= 60]:
            del self.asked[other]  # nobody asked for a minute: forget them
        recent = self.asked[client]
        while recent and now - recent[0] >= 60:
            recent.popleft()
        if len(recent) >= self.per_minute:
            return 60 - (now - recent[0])
        recent.append(now)
        return 0.0


SETTINGS = web.AppKey("settings", Settings)
LIMITS = web.AppKey("limits", RateLimit)
HTTP = web.AppKey("http", aiohttp.ClientSession)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": {"message": message}}, status=status, headers=headers)


async def token(request: web.Request) -> web.Response:
    s = request.app[SETTINGS]
    # One shared bearer token names no person, so the client's address is the "user" here; counted
    # before the bearer check, so guessing the bearer is as slow as asking for keys.
    wait = request.app[LIMITS].wait(request.remote or "?", time.monotonic())
    if wait:
        return _error(429, "Too many key requests; try again later.", {"Retry-After": str(int(wait) + 1)})
    given = request.headers.get("Authorization", "")
    if s.bearer and not hmac.compare_digest(given.encode(), f"Bearer {s.bearer}".encode()):
        return _error(401, "The bearer token is missing or not valid.")
    url, headers, body = mint_request(s)
    try:
        async with request.app[HTTP].post(url, json=body, headers=headers, allow_redirects=False) as reply:
            text, status, retry = await reply.text(), reply.status, reply.headers.get("Retry-After")
    except (aiohttp.ClientError, TimeoutError):
        return _error(502, "The realtime service could not be reached.")
    if 200 <= status < 300:  # passed through: the app reads either answer shape
        return web.Response(text=text, content_type="application/json", headers={"Cache-Control": "no-store"})
    if status == 429:
        return _error(429, "The realtime service is limiting requests.", {"Retry-After": retry or "10"})
    # Its body stays here: it may name the resource or the deployment.
    return _error(502, f"The realtime service refused the key request (HTTP {status}).")


async def _client(app: web.Application) -> AsyncIterator[None]:
    app[HTTP] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
    yield
    await app[HTTP].close()


def make_app(settings: Settings) -> web.Application:
    app = web.Application()
    app[SETTINGS], app[LIMITS] = settings, RateLimit(settings.per_minute)
    app.cleanup_ctx.append(_client)
    app.router.add_post("/token", token)
    return app


if __name__ == "__main__":
    host = os.environ.get("TOKEN_SERVICE_HOST", "127.0.0.1")
    port = int(os.environ.get("TOKEN_SERVICE_PORT", "8765"))
    web.run_app(make_app(Settings.from_environment(os.environ)), host=host, port=port)
