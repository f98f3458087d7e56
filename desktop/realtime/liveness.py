"""Notice a silently dead call within a few seconds.

State events cover a clean close (DTLS close_notify, SCTP abort, ICE failure), but a peer that just
vanishes sends nothing, and ICE consent checks take about 30 s to give up. The service sends media
and RTCP all the time, so a transport that has received nothing for `timeout` seconds is dead. The
watch arms only once something has arrived, so a peer that never sends cannot trip it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from aiortc import RTCPeerConnection


class Liveness:
    def __init__(self, pc: RTCPeerConnection, timeout: float, on_dead: Callable[[str], None]) -> None:
        self._pc = pc
        self._timeout = timeout
        self._on_dead = on_dead
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="liveness")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _received_packets(self) -> int:
        report = await self._pc.getStats()
        return sum(
            getattr(stats, "packetsReceived", 0) or 0
            for stats in report.values()
            if getattr(stats, "type", "") == "transport"
        )

    async def _watch(self) -> None:
        interval = max(0.05, min(0.5, self._timeout / 5))
        last_count, last_change = 0, time.monotonic()
        while self._pc.connectionState == "connected":
            await asyncio.sleep(interval)
            count = await self._received_packets()
            now = time.monotonic()
            if count != last_count:
                last_count, last_change = count, now
            elif last_count and now - last_change > self._timeout:
                self._on_dead(
                    f"The service stopped answering for {self._timeout:g} s; the connection is lost."
                )
                return
