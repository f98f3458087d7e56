"""The session's outward side: its state, the one stream of app events the window reads, and the
tasks that end with the session.

Once the state is terminal (closed or failed) nothing more is emitted and no task is started, so a
late event or a late task cannot outlive `VoiceSession.hang_up`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from desktop.session.events import AppEvent, SessionState, StateChanged

TERMINAL = (SessionState.CLOSED, SessionState.FAILED)
POLL_SECONDS = 0.25  # `until` re-checks this often even when nothing was emitted


class SessionStream:
    def __init__(self) -> None:
        self.state = SessionState.IDLE
        self._queue: asyncio.Queue[AppEvent | None] = asyncio.Queue()
        self._changed = asyncio.Event()  # set on every event and state: a quiet moment may have come
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def ended(self) -> bool:
        return self.state in TERMINAL

    async def events(self) -> AsyncIterator[AppEvent]:
        """Every event until the stream is closed (single consumer)."""
        while (event := await self._queue.get()) is not None:
            yield event

    def put(self, event: AppEvent) -> None:
        if not self.ended:
            self._queue.put_nowait(event)
            self._changed.set()

    def set_state(self, state: SessionState, detail: str = "") -> None:
        if (state != self.state or detail) and not self.ended:
            self.state = state
            self._queue.put_nowait(StateChanged(state, detail))
            self._changed.set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
        """Run `work` as a task of the session's; None (and `work` closed) once the session has ended."""
        if self.ended:
            work.close()
            return None
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def until(self, reached: Callable[[], bool]) -> None:
        """Wait until `reached()`, checked after every event and state (and every POLL_SECONDS, as it
        may also depend on things that emit nothing)."""
        while not reached():
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._changed.wait()

    async def end(self, final: SessionState) -> None:
        """Enter `final` at once, so nothing starts new work, then cancel and await every task but the
        caller's own."""
        self.state = final
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def close(self) -> None:
        """The last StateChanged, then the end of `events()`."""
        self._queue.put_nowait(StateChanged(self.state))
        self._queue.put_nowait(None)
