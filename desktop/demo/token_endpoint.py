"""The demo's token service: what an organisation runs so that its people need not hold the resource
key, here on the demo server so that the token-service mode is tested offline.

`POST /token` (OpenAI GA shape) or `POST /token/{azure|azure-preview|openai}` checks the bearer token
when the server has one (`DemoServer.token_bearer`), mints over the server's own HTTP mint route with
the server's key, and passes the mint's answer through, status and body. The `token_*` faults make it
fail as a real one would (examples/token_service/ is the reference service).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from desktop.demo.auth import error_response, forced_error
from desktop.demo.endpoints import ServedProvider, wait_headers

if TYPE_CHECKING:
    from desktop.demo.server import DemoServer

TOKEN_PATH = "/token"
STALE_LIFE_SECONDS = 2  # what a stale key has left (token_stale_key)


def token_routes(server: DemoServer) -> list[web.RouteDef]:
    async def default(request: web.Request) -> web.StreamResponse:
        return await hand_out(server, ServedProvider.OPENAI, request)

    async def named(request: web.Request) -> web.StreamResponse:
        try:
            provider = ServedProvider(request.match_info["provider"])
        except ValueError:
            return error_response(404, "No such provider.", code="not_found")
        return await hand_out(server, provider, request)

    return [web.post(TOKEN_PATH, default), web.post(TOKEN_PATH + "/{provider}", named)]


async def hand_out(server: DemoServer, provider: ServedProvider, request: web.Request) -> web.StreamResponse:
    faults = server.faults
    if faults.token_delay:
        await asyncio.sleep(faults.token_delay)
    if faults.token_down and request.transport is not None:
        request.transport.abort()  # as a service that went away: no answer at all
        return web.Response(status=503)
    if faults.token_status is not None:
        return _forced(faults.token_status, wait_headers(faults))
    if faults.token_redirect:
        return web.Response(status=302, headers={"Location": f"{server.base_url}/elsewhere{TOKEN_PATH}"})
    if faults.token_not_json:
        return web.Response(text="<html><body>Sign in</body></html>", content_type="text/html")
    if server.token_bearer and request.headers.get("Authorization") != f"Bearer {server.token_bearer}":
        return error_response(401, "The bearer token is missing or not valid.", code="invalid_token")
    status, body = await _mint(server, provider)
    # As a token service would: the mint's refusal is its upstream's, not a refused bearer.
    if not 200 <= status < 300:
        message = f"The realtime service refused the key request (HTTP {status})."
        return web.json_response({"error": {"message": message}}, status=502)
    if faults.token_stale_key:
        body = _staled(body)
    return web.Response(status=status, text=body, content_type="application/json")


def _forced(status: int, headers: dict[str, str]) -> web.Response:
    """A forced error in the token service's own words where they differ from the mint's."""
    if status in _OWN_WORDS:
        return error_response(status, _OWN_WORDS[status], code=str(status), headers=headers)
    return forced_error(status, headers=headers)


_OWN_WORDS = {
    401: "The bearer token is missing or not valid.",
    403: "This bearer token may not ask for realtime keys.",
    429: "Too many key requests from this client; retry after 10 seconds.",
}


async def _mint(server: DemoServer, provider: ServedProvider) -> tuple[int, str]:
    """The mint's answer (status, body) for `provider`, asked with the server's own key."""
    url = server.urls()[provider]["mint"]
    if provider is ServedProvider.OPENAI:
        headers = {"Authorization": f"Bearer {server.api_key}"}
    else:
        headers = {"api-key": server.api_key}
    async with aiohttp.ClientSession() as http, http.post(
        url, json=_mint_body(provider, server.deployment), headers=headers
    ) as reply:
        return reply.status, await reply.text()


def _mint_body(provider: ServedProvider, deployment: str) -> dict[str, Any]:
    if provider is ServedProvider.AZURE_PREVIEW:
        return {"model": deployment, "voice": "sage"}
    session = {"type": "realtime", "model": deployment}
    if provider is ServedProvider.AZURE:
        return {"session": session}
    return {"expires_after": {"anchor": "created_at", "seconds": 600}, "session": session}


def _staled(body: str) -> str:
    """The answer with its key's expires_at moved to just ahead of now (the key itself still works)."""
    data = json.loads(body)
    holder = data.get("client_secret", data)
    holder["expires_at"] = int(time.time()) + STALE_LIFE_SECONDS
    return json.dumps(data)
