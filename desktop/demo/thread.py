"""The demo server on its own asyncio loop in a daemon thread.

The app's demo provider uses this so the server's audio pacing and Opus work never run on the GUI's
qasync loop (whose timers are coarse), and the GUI never slows the server's clock.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future

from desktop.demo.server import DemoServer

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0


class DemoServerThread:
    def __init__(self, server: DemoServer | None = None, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = server if server is not None else DemoServer()
        self._host, self._port = host, port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="demo-server", daemon=True)

    def start(self) -> str:
        """Starts the thread and returns the base URL once the server listens."""
        self._thread.start()
        started: Future[str] = asyncio.run_coroutine_threadsafe(
            self.server.start(self._host, self._port), self._loop
        )
        try:
            return started.result(START_TIMEOUT_S)
        except BaseException:  # e.g. the port is taken: leave no loop thread behind
            self.stop()
            raise

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop).result(STOP_TIMEOUT_S)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(STOP_TIMEOUT_S)
        self._loop.close()
