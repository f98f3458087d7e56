"""Runs blocking storage calls on one worker thread, for asyncio code and for Qt code alike.

One thread per store keeps SQLite access serial and the GUI thread free. Qt code uses `submit` and
turns the finished future into a queued signal; asyncio code awaits `run`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class StoreWorker:
    def __init__(self, name: str = "store") -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return self._pool.submit(fn, *args, **kwargs)

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def close(self) -> None:
        """Waits for queued writes: nothing the person confirmed is dropped on the way out."""
        self._pool.shutdown(wait=True, cancel_futures=False)
