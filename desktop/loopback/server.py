"""The loopback realtime server: a real aiohttp + aiortc peer on 127.0.0.1 that behaves like the Azure
preview, Azure GA and OpenAI GA realtime services. It backs the app's `demo` provider, the tests and
the benchmarks."""

from __future__ import annotations

import asyncio
from collections import deque

from aiohttp import web

from desktop.loopback.auth import KeyStore
from desktop.loopback.brain import DEMO_SCRIPT, Brain
from desktop.loopback.call import ServerCall
from desktop.loopback.endpoints import ROUTES, Provider, json_errors, routes
from desktop.loopback.faults import Faults
from desktop.loopback.handlers import ReceivedEvent
from desktop.loopback.speech import Voice

__all__ = ["Brain", "Faults", "LoopbackServer", "Provider", "ReceivedEvent", "ServerCall"]


class LoopbackServer:
    def __init__(
        self,
        *,
        api_key: str = "demo-key",
        deployment: str = "gpt-realtime",
        faults: Faults | None = None,
        brain: Brain | None = None,
    ) -> None:
        self.api_key = api_key
        self.deployment = deployment
        self.faults = faults if faults is not None else Faults()
        self.brain = brain if brain is not None else Brain()
        self.voice = Voice()
        self.keys = KeyStore()
        self.client_events: list[ReceivedEvent] = []
        self.sessions: list[ServerCall] = []
        self.base_url = ""
        self._transcripts: deque[str] = deque()
        self._runner: web.AppRunner | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(middlewares=[json_errors])
        app.add_routes(routes(self))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_port = self._runner.addresses[0][1]
        self.base_url = f"http://{host}:{bound_port}"
        return self.base_url

    async def stop(self) -> None:
        await self.close_all_calls()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def close_all_calls(self) -> None:
        """Drops every connection now, as a network failure or a service restart would."""
        await asyncio.gather(*(call.close() for call in self.sessions))

    def queue_user_transcript(self, text: str) -> None:
        """What the next audio turn "said" (there is no speech recognition)."""
        self._transcripts.append(text)

    def next_user_transcript(self) -> str:
        return self._transcripts.popleft() if self._transcripts else DEMO_SCRIPT

    def urls(self) -> dict[Provider, dict[str, str]]:
        """Where each provider's client points: its endpoint, mint URL and SDP URL."""
        table = {}
        for provider, route in ROUTES.items():
            query = "?api-version=2025-04-01-preview" if provider is Provider.AZURE_PREVIEW else ""
            table[provider] = {
                "endpoint": self.base_url,
                "mint": self.base_url + route.mint_path + query,
                "sdp": self.base_url + route.sdp_path,
            }
        return table
