"""What the session tests share: provider configs for the demo server, an event collector, a
tool executor that behaves, and the check that nothing is left running."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from desktop.realtime.config import ProviderKind, SessionConfig, Timeouts
from desktop.session.events import AppEvent
from desktop.session.voice_session import VoiceSession
from desktop.tools.ports import ToolCall, ToolResult

API_KEY = "test-api-key-0123456789"
DEPLOYMENT = "gpt-realtime-test"
FAST = Timeouts(mint=2.0, sdp=2.0, ice=3.0, data_channel=3.0, session_updated=2.0, liveness=2.0)
KINDS = [ProviderKind.AZURE_PREVIEW, ProviderKind.AZURE, ProviderKind.OPENAI, ProviderKind.DEMO]

CREATE_MEETING = {
    "type": "function",
    "name": "createMeeting",
    "description": "Book a meeting after the person confirmed it.",
    "parameters": {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "start_time": {"type": "string", "description": "YYYY-MM-DD HH:MM:SS"},
            "duration": {"type": "integer", "description": "minutes"},
        },
        "required": ["start_time", "duration", "title"],
    },
}

E = TypeVar("E")


def config_for(kind: ProviderKind, base: str, **changes: Any) -> SessionConfig:
    key = "" if kind is ProviderKind.DEMO else API_KEY
    webrtc = f"{base}/v1/realtimertc" if kind is ProviderKind.AZURE_PREVIEW else ""
    values: dict[str, Any] = {
        "provider": kind,
        "endpoint": base,
        "webrtc_url": webrtc,
        "deployment": DEPLOYMENT,
        "api_key": key,
        "timeouts": FAST,
        "instructions": "You are a test assistant.",
    }
    values.update(changes)
    return SessionConfig(**values)


class MeetingTools:
    """A ToolExecutor that books every meeting it is asked to (no confirmation dialog)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls: list[ToolCall] = []
        self.delay = delay

    def schemas(self) -> list[dict[str, Any]]:
        return [CREATE_MEETING]

    async def execute(self, call: ToolCall) -> ToolResult:
        self.calls.append(call)
        await asyncio.sleep(self.delay)
        try:
            arguments = json.loads(call.arguments)
        except ValueError:
            return ToolResult(call.call_id, json.dumps({"error": "bad arguments"}), status="failed")
        result = {"status": "created", "id": len(self.calls), **arguments}
        return ToolResult(call.call_id, json.dumps(result, ensure_ascii=False))


class Collector:
    """Drains `session.events()` into a list; tests wait for the event they expect."""

    def __init__(self, session: VoiceSession) -> None:
        self.events: list[AppEvent] = []
        self._changed = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._pump(session))

    async def _pump(self, session: VoiceSession) -> None:
        async for event in session.events():
            self.events.append(event)
            self._changed.set()
        self._changed.set()

    def of(self, kind: type[E]) -> list[E]:
        return [event for event in self.events if isinstance(event, kind)]

    async def wait_for(
        self, kind: type[E], test: Callable[[E], bool] = lambda _e: True, limit: float = 10.0
    ) -> E:
        async with asyncio.timeout(limit):
            while True:
                for event in self.events:
                    if isinstance(event, kind) and test(event):
                        return event
                if self._task.done():
                    raise AssertionError(f"the stream ended without {kind.__name__}: {self.events[-5:]}")
                self._changed.clear()
                await self._changed.wait()

    async def finished(self) -> None:
        async with asyncio.timeout(5):
            await self._task


async def assert_nothing_left(session: VoiceSession, stop_server: Callable[[], Any]) -> None:
    """After hang_up and the server stopping, no task may run and our peer connection is closed."""
    connection = session.connection
    if connection is not None and connection.peer_connection is not None:
        assert connection.peer_connection.connectionState == "closed"
    await stop_server()
    current = asyncio.current_task()
    async with asyncio.timeout(3):
        while leftovers := [t for t in asyncio.all_tasks() if t is not current and not t.done()]:
            if all(_is_aiortc_shutdown(t) for t in leftovers):
                await asyncio.sleep(0.05)
                continue
            raise AssertionError(f"tasks left behind: {leftovers}")


def _is_aiortc_shutdown(task: asyncio.Task[Any]) -> bool:
    # aiortc finishes a closed connection's internal tasks a few iterations later on its own.
    code = getattr(task.get_coro(), "cr_code", None)
    return code is not None and ("aiortc" in code.co_filename or "aioice" in code.co_filename)


def speak_wav(folder: Path, text: str) -> Path | None:
    """A spoken request made by espeak-ng, or None when it is not installed."""
    if shutil.which("espeak-ng") is None:
        return None
    path = folder / "request.wav"
    with contextlib.suppress(subprocess.CalledProcessError):
        subprocess.run(["espeak-ng", "-s", "170", "-w", str(path), text], check=True, capture_output=True)
        return path
    return None
