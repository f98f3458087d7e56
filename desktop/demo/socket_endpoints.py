"""The realtime WebSocket endpoints of the three providers, with their paths, auth and refusals.

| provider      | GET (upgrade)       | query                                       | auth            |
|---------------|---------------------|---------------------------------------------|-----------------|
| azure-preview | /openai/realtime    | api-version=2025-04-01-preview&deployment=D | api-key, or E   |
| azure (GA)    | /openai/v1/realtime | model=D (an api-version query: 401)         | api-key, or E   |
| openai        | /v1/realtime        | model=M                                     | Bearer key, or E |

E: `Authorization: Bearer` with an ephemeral key this server minted (the call starts from the session
the mint configured).

Every refusal comes before the upgrade, as an HTTP error with the services' JSON body (a wrong key
401, an unknown deployment 404); the `socket_upgrade_status` fault refuses it as a proxy would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import WSMsgType, web

from desktop.demo.auth import EphemeralKey, error_response
from desktop.demo.call import ServerCall
from desktop.demo.endpoints import (
    ROUTES,
    RequestHandler,
    ServedProvider,
    check_api_key,
    deployment_not_found,
    gate,
)
from desktop.demo.handlers import handle_message
from desktop.demo.session_update import apply_update
from desktop.demo.socket_transport import SocketTransport

if TYPE_CHECKING:
    from desktop.demo.server import DemoServer

SOCKET_PATHS: dict[ServedProvider, str] = {
    ServedProvider.AZURE_PREVIEW: "/openai/realtime",
    ServedProvider.AZURE: "/openai/v1/realtime",
    ServedProvider.OPENAI: "/v1/realtime",
}
CLOSE_TIMEOUT_S = 2.0  # how long a close waits for the client's close frame
PROXY_PAGE = "<html><body><h1>{status}</h1>The request was blocked by the proxy.</body></html>"


def socket_routes(server: DemoServer) -> list[web.RouteDef]:
    return [web.get(path, _bind(server, provider)) for provider, path in SOCKET_PATHS.items()]


def socket_query(provider: ServedProvider, deployment: str) -> str:
    if provider is ServedProvider.AZURE_PREVIEW:
        return f"?api-version=2025-04-01-preview&deployment={deployment}"
    return f"?model={deployment}"


def _bind(server: DemoServer, provider: ServedProvider) -> RequestHandler:
    async def bound(request: web.Request) -> web.StreamResponse:
        return await realtime_socket(server, provider, request)

    return bound


def _refusal(
    server: DemoServer, provider: ServedProvider, request: web.Request
) -> web.Response | EphemeralKey | None:
    """The HTTP answer that refuses the upgrade, else the ephemeral key it came with (None: the API key)."""
    status = server.faults.socket_upgrade_status
    if status is not None:
        return web.Response(status=status, text=PROXY_PAGE.format(status=status), content_type="text/html")
    problem = gate(provider, request)
    if problem is not None:
        return problem
    key = server.keys.valid(request.headers.get("Authorization", ""))
    if key is None and (problem := check_api_key(server, provider, request)) is not None:
        return problem
    name = "deployment" if provider is ServedProvider.AZURE_PREVIEW else "model"
    model = request.query.get(name) or (str(key.session.get("model", "")) if key is not None else "")
    if not model:
        return error_response(
            400, f"Missing required parameter: '{name}'.", code="missing_required_parameter", param=name
        )
    if model != server.deployment:
        return deployment_not_found(provider, model)
    return key


async def realtime_socket(
    server: DemoServer, provider: ServedProvider, request: web.Request
) -> web.StreamResponse:
    refused = _refusal(server, provider, request)
    if isinstance(refused, web.Response):
        return refused
    socket = web.WebSocketResponse(timeout=CLOSE_TIMEOUT_S)
    if not socket.can_prepare(request).ok:
        return error_response(400, "This endpoint takes a WebSocket upgrade.", code="invalid_request")
    await socket.prepare(request)
    route, key = ROUTES[provider], refused
    session_id = key.session_id if key is not None else ""
    call = ServerCall(
        server,
        route.dialect,
        server.deployment,
        route.max_session_seconds,
        session_id,
        transport=lambda c: SocketTransport(c, socket),
    )
    assert isinstance(call.transport, SocketTransport)
    if key is not None:
        call.session_config = apply_update(route.dialect, call.session_config, key.session, has_spoken=False)
    server.add_call(call)
    call.connection_state = "connected"
    call.transport.start()
    if server.on_websocket_opened is not None:
        server.on_websocket_opened(call)
    call.open_session()
    try:
        async for message in socket:
            if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                handle_message(call, message.data)
    finally:
        await call.close()
    return socket
