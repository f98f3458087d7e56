"""The demo server: a real aiohttp + aiortc peer on 127.0.0.1 that behaves like the Azure
preview, Azure GA and OpenAI GA realtime services. It backs the app's `demo` provider, the tests and
the benchmarks.

It serves WebRTC (mint, then an SDP offer: endpoints.py) and the realtime WebSocket
(socket_endpoints.py); one ServerCall class runs the conversation over either.

Hooks, for tests and benchmarks to observe or disturb a call without patching the server (the app
passes none; call.py says when each runs): `on_call_answered(call)` (WebRTC calls),
`on_websocket_opened(call)` (WebSocket calls) and `on_audio_received(call, samples)` (both). All may
also be set on a running server; they apply from the next call or frame.
"""

from __future__ import annotations

import asyncio
from collections import deque

from aiohttp import web

from desktop.demo.auth import MintedKeys
from desktop.demo.brain import DEMO_SCRIPT, Brain
from desktop.demo.call import AudioHook, CallHook, ServerCall
from desktop.demo.embeddings import embedding_routes
from desktop.demo.endpoints import ROUTES, RequestHandler, ServedProvider, json_errors, routes
from desktop.demo.faults import Faults
from desktop.demo.handlers import ReceivedEvent
from desktop.demo.socket_endpoints import SOCKET_PATHS, socket_query, socket_routes
from desktop.demo.speech import Voice
from desktop.demo.token_endpoint import token_routes

__all__ = ["Brain", "DemoServer", "Faults", "ReceivedEvent", "ServedProvider", "ServerCall"]

EVENTS_KEPT = 5000  # the last client events, for tests and the inspector; older ones are forgotten
CLOSED_CALLS_KEPT = 200  # closed calls' light records (their heavy state is released when they close)


class RecentEvents(list[ReceivedEvent]):
    """A list (tests index, filter and reassign it) that keeps only the newest `limit` appended events."""

    def __init__(self, limit: int = EVENTS_KEPT) -> None:
        super().__init__()
        self.limit = limit

    def append(self, event: ReceivedEvent) -> None:
        super().append(event)
        if len(self) > self.limit:
            del self[: len(self) - self.limit]


class DemoServer:
    def __init__(
        self,
        *,
        api_key: str = "demo-key",
        deployment: str = "gpt-realtime",
        embeddings_deployment: str = "text-embedding-3-small",
        faults: Faults | None = None,
        brain: Brain | None = None,
        on_call_answered: CallHook | None = None,
        on_audio_received: AudioHook | None = None,
        on_websocket_opened: CallHook | None = None,
    ) -> None:
        self.api_key = api_key
        self.token_bearer = ""  # its token service (POST /token) asks for this bearer token when set
        self.deployment = deployment
        self.embeddings_deployment = embeddings_deployment  # the Azure embeddings deployment it serves
        self.faults = faults if faults is not None else Faults()
        self.brain = brain if brain is not None else Brain()
        self.on_call_answered = on_call_answered
        self.on_audio_received = on_audio_received
        self.on_websocket_opened = on_websocket_opened
        self.voice = Voice()
        self.keys = MintedKeys()
        self.client_events: list[ReceivedEvent] = RecentEvents()
        self.sessions: list[ServerCall] = []
        # "POST /path" of each request, newest last: tests see where a client went, or that it sent nothing.
        self.requests: deque[str] = deque(maxlen=EVENTS_KEPT)
        self.base_url = ""
        self._transcripts: deque[str] = deque()
        self._runner: web.AppRunner | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(middlewares=[self._note_request, json_errors])
        app.add_routes(routes(self))
        app.add_routes(socket_routes(self))
        app.add_routes(embedding_routes(self))
        app.add_routes(token_routes(self))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_port = self._runner.addresses[0][1]
        self.base_url = f"http://{host}:{bound_port}"
        return self.base_url

    @web.middleware
    async def _note_request(self, request: web.Request, handler: RequestHandler) -> web.StreamResponse:
        self.requests.append(f"{request.method} {request.path}")
        return await handler(request)

    async def stop(self) -> None:
        await self.close_all_calls()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def close_all_calls(self) -> None:
        """Drops every connection now, as a network failure or a service restart would."""
        await asyncio.gather(*(call.close() for call in self.sessions))

    def add_call(self, call: ServerCall) -> None:
        """Records a new call; the oldest closed ones beyond CLOSED_CALLS_KEPT are forgotten."""
        self.sessions.append(call)
        closed = [c for c in self.sessions if c.closed]
        if len(closed) > CLOSED_CALLS_KEPT:
            forgotten = {id(c) for c in closed[: len(closed) - CLOSED_CALLS_KEPT]}
            self.sessions[:] = [c for c in self.sessions if id(c) not in forgotten]

    def queue_user_transcript(self, text: str) -> None:
        """What the next audio turn "said" (there is no speech recognition)."""
        self._transcripts.append(text)

    def next_user_transcript(self) -> str:
        return self._transcripts.popleft() if self._transcripts else DEMO_SCRIPT

    def urls(self) -> dict[ServedProvider, dict[str, str]]:
        """Where each provider's client points: its endpoint, mint URL, SDP URL and WebSocket URL."""
        table = {}
        for provider, route in ROUTES.items():
            query = "?api-version=2025-04-01-preview" if provider is ServedProvider.AZURE_PREVIEW else ""
            table[provider] = {
                "endpoint": self.base_url,
                "mint": self.base_url + route.mint_path + query,
                "sdp": self.base_url + route.sdp_path,
                "websocket": "ws"
                + self.base_url.removeprefix("http")
                + SOCKET_PATHS[provider]
                + socket_query(provider, self.deployment),
            }
        return table
