from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind, SessionConfig
from tests.session.harness import API_KEY, DEPLOYMENT, config_for, speak_wav

REQUEST = "Please book a meeting called design review tomorrow at 3 pm for 30 minutes."
SPOKEN = "Book the design review."  # the demo server hears the queued REQUEST; any speech will do


@dataclass
class RunningDemoServer:
    server: DemoServer
    url: str
    stopped: bool = False

    def config(self, kind: ProviderKind, **changes: Any) -> SessionConfig:
        """A config for `kind`; the demo provider brings its own key, so the server expects that one."""
        self.server.api_key = "demo-key" if kind is ProviderKind.DEMO else API_KEY
        return config_for(kind, self.url, **changes)

    async def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            await self.server.stop()


@pytest.fixture
async def demo() -> AsyncIterator[RunningDemoServer]:
    server = DemoServer(api_key=API_KEY, deployment=DEPLOYMENT)
    running = RunningDemoServer(server, await server.start())
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture(scope="session")
def request_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = speak_wav(tmp_path_factory.mktemp("speech"), SPOKEN)
    if path is None:
        pytest.skip("espeak-ng is not installed: no spoken request to send")
    return path
