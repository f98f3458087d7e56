"""Serves the browser demo's page (benchmarks/browser_page/) for the side-by-side bench, and forwards its
two requests (the preview's mint and SDP offer) to the far end, so that the page's fetches stay on its own
origin (the demo server sends no CORS headers). It runs in the bench's parent process: it works only while
the call connects, and its CPU is counted for neither client.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp import web

PAGE = Path(__file__).resolve().parent / "browser_page" / "realtime_demo.html"
SESSIONS_PATH = "/openai/realtimeapi/sessions"
WEBRTC_PATH = "/v1/realtimertc"
API_VERSION = "2025-04-01-preview"
FORWARDED_HEADERS = ("api-key", "Authorization", "Content-Type")


class PageServer:
    def __init__(self, far_url: str, api_key: str, deployment: str) -> None:
        self.far_url = far_url
        self.page = (
            PAGE.read_text(encoding="utf-8")
            .replace("{{SESSIONS_URL}}", f"{SESSIONS_PATH}?api-version={API_VERSION}")
            .replace("{{WEBRTC_URL}}", WEBRTC_PATH)
            .replace("{{API_KEY}}", api_key)
            .replace("{{DEPLOYMENT}}", deployment)
        )
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None

    async def start(self) -> str:
        """Starts serving; returns the page's URL."""
        app = web.Application()
        app.add_routes([
            web.get("/", self._page),
            web.post(SESSIONS_PATH, self._forward),
            web.post(WEBRTC_PATH, self._forward),
        ])  # fmt: skip
        self._client = aiohttp.ClientSession()
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{self._runner.addresses[0][1]}/"

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _page(self, request: web.Request) -> web.Response:
        return web.Response(text=self.page, content_type="text/html")

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._client is not None
        headers = {name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers}
        url = self.far_url + request.path_qs
        async with self._client.post(url, data=await request.read(), headers=headers) as answer:
            body = await answer.read()
            return web.Response(body=body, status=answer.status, content_type=answer.content_type)
