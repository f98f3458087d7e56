"""Notice a silently dead call within a few seconds.

State events cover a clean close (DTLS close_notify, SCTP abort, ICE failure), but a peer that just
vanishes sends nothing, and ICE consent checks take about 30 s to give up. The service sends media
and RTCP all the time, so a transport that has received nothing for `timeout` seconds is dead. The
watch arms only once something has arrived, so a peer that never sends cannot trip it. While the
assistant's answer is playing, RTP itself must keep coming: events alone do not make a call.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from aiortc import RTCPeerConnection


async def packet_counts(pc: RTCPeerConnection) -> tuple[int, int]:
    """(packets the transport received, RTP packets received) so far."""
    report = await pc.getStats()
    transport = rtp = 0
    for stats in report.values():
        kind = getattr(stats, "type", "")
        if kind == "transport":
            transport += getattr(stats, "packetsReceived", 0) or 0
        elif kind == "inbound-rtp":
            rtp += getattr(stats, "packetsReceived", 0) or 0
    return transport, rtp


async def still_receiving(pc: RTCPeerConnection, seconds: float) -> bool:
    """True when the call is connected and packets arrive within `seconds` (a network check)."""
    if pc.connectionState != "connected":
        return False
    before, _ = await packet_counts(pc)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(min(0.1, seconds))
        if pc.connectionState != "connected":
            return False
        if (await packet_counts(pc))[0] != before:
            return True
    return False


class Liveness:
    def __init__(
        self,
        pc: RTCPeerConnection,
        timeout: float,
        on_dead: Callable[[str], None],
        expecting_media: Callable[[], bool] = lambda: False,
    ) -> None:
        self._pc = pc
        self._timeout = timeout
        self._on_dead = on_dead
        self._expecting_media = expecting_media
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="liveness")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _watch(self) -> None:
        interval = max(0.05, min(0.5, self._timeout / 5))
        last_count, last_change = 0, time.monotonic()
        last_rtp, rtp_change = 0, time.monotonic()
        while self._pc.connectionState == "connected":
            await asyncio.sleep(interval)
            count, rtp = await packet_counts(self._pc)
            now = time.monotonic()
            if count != last_count:
                last_count, last_change = count, now
            elif last_count and now - last_change > self._timeout:
                self._on_dead(
                    f"The service stopped answering for {self._timeout:g} s; the connection is lost."
                )
                return
            if rtp != last_rtp or not self._expecting_media():
                last_rtp, rtp_change = rtp, now
            elif now - rtp_change > self._timeout:
                self._on_dead(
                    f"The assistant's audio stopped arriving for {self._timeout:g} s; the connection is lost."
                )
                return
