"""The HTTP side: mint and SDP endpoints of the three providers, with their paths, auth and errors.

| provider      | mint                                        | SDP offer                   | dialect |
|---------------|---------------------------------------------|-----------------------------|---------|
| azure-preview | /openai/realtimeapi/sessions?api-version=…  | /v1/realtimertc?model=DEPL  | preview |
| azure (GA)    | /openai/v1/realtime/client_secrets          | /openai/v1/realtime/calls   | GA      |
| openai        | /v1/realtime/client_secrets                 | /v1/realtime/calls          | GA      |

The embeddings endpoints (and their stand-in vectors) are in desktop/demo/embeddings.py.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from desktop.demo.auth import EphemeralKey, error_response, forced_error, mask
from desktop.demo.call import ServerCall, expires_at
from desktop.demo.dialect import ServedDialect, default_session
from desktop.demo.faults import Faults
from desktop.demo.session_update import UpdateError, apply_update

if TYPE_CHECKING:
    from desktop.demo.server import DemoServer

PREVIEW_API_VERSION = "2025-04-01-preview"
OPENAI_KEY_LIFETIME = (10, 7200, 600)  # min, max, default seconds of expires_after


class ServedProvider(enum.Enum):
    AZURE_PREVIEW = "azure-preview"
    AZURE = "azure"
    OPENAI = "openai"


@dataclass(frozen=True, slots=True)
class Route:
    mint_path: str
    sdp_path: str
    dialect: ServedDialect
    key_prefix: str
    key_lifetime: float  # seconds
    max_session_seconds: float


ROUTES: dict[ServedProvider, Route] = {
    ServedProvider.AZURE_PREVIEW: Route(
        "/openai/realtimeapi/sessions", "/v1/realtimertc", ServedDialect.PREVIEW, "eph_", 60, 30 * 60
    ),
    ServedProvider.AZURE: Route(
        "/openai/v1/realtime/client_secrets",
        "/openai/v1/realtime/calls",
        ServedDialect.GA,
        "eph_",
        600,
        30 * 60,
    ),
    ServedProvider.OPENAI: Route(
        "/v1/realtime/client_secrets", "/v1/realtime/calls", ServedDialect.GA, "ek_", 600, 60 * 60
    ),
}


Handler = Callable[["DemoServer", ServedProvider, web.Request], Awaitable[web.Response]]
RequestHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def routes(server: DemoServer) -> list[web.RouteDef]:
    table = []
    for provider, route in ROUTES.items():
        table.append(web.post(route.mint_path, _bind(server, provider, mint)))
        table.append(web.post(route.sdp_path, _bind(server, provider, sdp)))
    return table


@web.middleware
async def json_errors(request: web.Request, handler: RequestHandler) -> web.StreamResponse:
    """Unknown paths and wrong methods answer in the services' JSON error shape, not aiohttp's text."""
    try:
        response: web.StreamResponse = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.status, exc.reason, code=str(exc.status))
    return response


def _bind(server: DemoServer, provider: ServedProvider, handler: Handler) -> RequestHandler:
    async def bound(request: web.Request) -> web.Response:
        return await handler(server, provider, request)

    return bound


def gate(provider: ServedProvider, request: web.Request) -> web.Response | None:
    """The api-version rule: required on the preview mint, refused (401) on every GA path."""
    version = request.query.get("api-version")
    if provider is ServedProvider.AZURE and version is not None:
        return error_response(
            401,
            "api-version is not supported on the v1 (GA) paths; remove the query.",
            code="invalid_api_version",
        )
    if provider is ServedProvider.AZURE_PREVIEW and request.path.startswith("/openai/") and version is None:
        return error_response(
            404, "The api-version query parameter (?api-version=) is required for all requests.", code="404"
        )
    return None


def check_api_key(server: DemoServer, provider: ServedProvider, request: web.Request) -> web.Response | None:
    if provider is ServedProvider.OPENAI:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token == server.api_key:
            return None
        return error_response(401, f"Incorrect API key provided: {mask(token)}.", code="invalid_api_key")
    if request.headers.get("api-key") == server.api_key:
        return None
    return error_response(
        401,
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid "
        "key for an active subscription and use a correct regional API endpoint for your resource.",
        code="401",
    )


def deployment_not_found(provider: ServedProvider, model: Any) -> web.Response:
    if provider is ServedProvider.OPENAI:
        return error_response(
            404,
            f"The model '{model}' does not exist or you do not have access to it.",
            code="model_not_found",
            param="session.model",
        )
    return error_response(
        404,
        "The API deployment for this resource does not exist. If you created the deployment within the last "
        "5 minutes, please wait a moment and try again.",
        code="DeploymentNotFound",
    )


async def mint(server: DemoServer, provider: ServedProvider, request: web.Request) -> web.Response:
    faults, route = server.faults, ROUTES[provider]
    if faults.mint_delay:
        await asyncio.sleep(faults.mint_delay)
    if faults.mint_held is not None:
        await faults.mint_held.wait()
    if faults.mint_status is not None:
        return forced_error(faults.mint_status, quota=faults.quota_exhausted, headers=wait_headers(faults))
    if faults.mint_failures > 0:
        faults.mint_failures -= 1
        return forced_error(faults.mint_failure_status, headers=wait_headers(faults))
    problem = gate(provider, request) or check_api_key(server, provider, request)
    if problem is not None:
        return problem
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return error_response(400, "The body must be a JSON object.", code="invalid_json")
    update = body if provider is ServedProvider.AZURE_PREVIEW else body.get("session", {"type": "realtime"})
    if not isinstance(update, dict):
        return error_response(
            400, "Invalid type for 'session': expected an object.", code="invalid_type", param="session"
        )
    model = update.setdefault("model", server.deployment if provider is ServedProvider.OPENAI else None)
    if model is None:
        return error_response(
            400, "Missing required parameter: 'model'.", code="missing_required_parameter", param="model"
        )
    if model != server.deployment:
        return deployment_not_found(provider, model)
    lifetime = faults.key_lifetime_seconds or route.key_lifetime
    if provider is ServedProvider.OPENAI:
        seconds = (body.get("expires_after") or {}).get("seconds", OPENAI_KEY_LIFETIME[2])
        if not isinstance(seconds, int) or not OPENAI_KEY_LIFETIME[0] <= seconds <= OPENAI_KEY_LIFETIME[1]:
            return error_response(
                400,
                "expires_after.seconds must be between 10 and 7200.",
                code="invalid_value",
                param="expires_after.seconds",
            )
        lifetime = faults.key_lifetime_seconds or seconds
    key = server.keys.mint(route.key_prefix, lifetime, update)
    limit = route.max_session_seconds if faults.unannounced_expiry else faults.session_expiry_seconds
    try:
        initial = default_session(
            route.dialect, key.session_id, model, expires_at(time.time(), limit or route.max_session_seconds)
        )
        session = apply_update(route.dialect, initial, update, has_spoken=False)
    except UpdateError as exc:
        server.keys.keys.pop(key.value)
        return error_response(400, exc.message, code=exc.code, param=exc.param)
    return web.json_response(_mint_body(provider, key, session))


def wait_headers(faults: Faults) -> dict[str, str]:
    """The wait a forced error asks for, as the faults say (Retry-After, Azure's retry-after-ms)."""
    headers = {"Retry-After": faults.retry_after} if faults.retry_after is not None else {}
    if faults.retry_after_ms is not None:
        headers["retry-after-ms"] = str(faults.retry_after_ms)
    return headers


def _mint_body(provider: ServedProvider, key: EphemeralKey, session: dict[str, Any]) -> dict[str, Any]:
    secret = {"value": key.value, "expires_at": int(key.expires_at)}
    if provider is ServedProvider.AZURE_PREVIEW:
        return session | {"client_secret": secret}
    return secret | {"session": session}


async def sdp(server: DemoServer, provider: ServedProvider, request: web.Request) -> web.Response:
    faults, route = server.faults, ROUTES[provider]
    if faults.sdp_delay:
        await asyncio.sleep(faults.sdp_delay)
    if faults.sdp_status is not None:
        return forced_error(faults.sdp_status, quota=faults.quota_exhausted, headers=wait_headers(faults))
    problem = gate(provider, request)
    if problem is not None:
        return problem
    key = server.keys.valid(request.headers.get("Authorization", ""))
    if key is None:
        return error_response(
            401, "The ephemeral key is missing, unknown or expired; mint a new one.", code="invalid_api_key"
        )
    if provider is ServedProvider.AZURE_PREVIEW and request.query.get("model") != server.deployment:
        return deployment_not_found(provider, request.query.get("model"))
    if request.content_type != "application/sdp":
        return error_response(
            400, "The offer must be sent with Content-Type: application/sdp.", code="invalid_offer"
        )
    offer = await request.text()
    model = str(key.session.get("model", server.deployment))
    call = ServerCall(server, route.dialect, model, route.max_session_seconds, key.session_id)
    call.webrtc_filter = provider is ServedProvider.AZURE and request.query.get("webrtcfilter") == "on"
    try:
        call.session_config = apply_update(route.dialect, call.session_config, key.session, has_spoken=False)
        answer = await call.answer(offer) if offer.startswith("v=0") else None
    except Exception:  # aiortc raises many types for a malformed offer; all of them mean a bad offer
        answer = None
    if answer is None:
        await call.close()
        return error_response(400, "The SDP offer could not be parsed.", code="invalid_offer", param="sdp")
    server.add_call(call)
    if provider is ServedProvider.AZURE_PREVIEW:
        return web.Response(status=200, text=answer, content_type="application/sdp")
    location = f"{route.sdp_path}/{call.id}"
    return web.Response(
        status=201, text=answer, content_type="application/sdp", headers={"Location": location}
    )
