"""The first "auto" call on a network that may block UDP: WebRTC, and the WebSocket after a head start,
so that such a network does not wait for WebRTC's whole ICE timeout (Timeouts.ice) before the WebSocket.

How the race is run, and why:
- WebRTC goes first. Its mint and SDP offer travel over HTTPS like the WebSocket does, so until the SDP
  is answered the two would fail alike; the head start (WEBSOCKET_HEAD_START) counts from the answer,
  when the UDP part (ICE, DTLS, the data channel) begins. ICE on a network that lets UDP through takes
  well under a second (a TURN relay a little more), so a WebRTC call that can work has usually
  connected its media before the head start is over, and then the WebSocket is never tried.
- ICE that reports `failed` (every candidate pair failed, `ice_failed`), or WebRTC's own timeouts, start
  the WebSocket at once if it has not started yet: there is no point waiting any longer.
- Once the WebSocket is started, whichever of the two opens first is the call; the other is closed
  before `run` returns. Once WebRTC's media is up (step "ice"), the WebSocket is withdrawn: WebRTC is
  working, only its data channel is still to open.
- No double greeting or reply: a connection's `open` only connects, and the WebSocket's (held, see
  WebSocketConnection's `held`) reads nothing from the service and sends no microphone audio until it
  has won (AutoConnection calls its `start`). The session's `session.update` and the greeting are sent
  after `run` has returned, to the winner only, and the loser is closed by then. When both open in the
  same round, WebRTC is chosen and the held WebSocket is closed unread. A losing WebRTC either had no
  media (that is why it lost), or had media whose data channel never opened: then its sender read the
  microphone for its own session until that failure, and the WebSocket starts only after it. Both
  attempts mint a key, and a loser's service-side session lives until it is closed.
- Each connection reads the microphone through its own relay of the call's branch (track_relay.py),
  so closing the loser does not end the winner's microphone.
- If the WebSocket fails while WebRTC is still trying, WebRTC goes on; when both fail, the WebSocket's
  failure is told (it is the last resort the person was waiting for), unless WebRTC's was not about
  UDP (a refused key or quota), which the WebSocket cannot cure either.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeGuard

from desktop.realtime.errors import SessionError

log = logging.getLogger(__name__)

WEBSOCKET_HEAD_START = 3.0  # seconds after WebRTC's SDP answer
# What UDP that never flows looks like; anything else would fail over the WebSocket too.
FALLBACK_CODES = frozenset({"ice_timeout", "channel_timeout", "ice_failed"})

StepHandler = Callable[[str], None]
HeadStart = Callable[[], Awaitable[object]]


class Opening(Protocol):
    async def open(self, on_step: StepHandler | None = None) -> None: ...

    async def close(self) -> None: ...


def falls_back(failure: BaseException) -> TypeGuard[SessionError]:
    """Whether WebRTC's failure is UDP that never flowed, which the WebSocket may get around."""
    return isinstance(failure, SessionError) and failure.code in FALLBACK_CODES


def head_start_wait(seconds: float = WEBSOCKET_HEAD_START) -> HeadStart:
    return lambda: asyncio.sleep(seconds)


class TransportRace:
    """Runs the race once; `run` returns which of the two is open ("webrtc" or "websocket")."""

    def __init__(self, webrtc: Opening, make_websocket: Callable[[], Opening], head_start: HeadStart) -> None:
        self.webrtc = webrtc
        self.websocket: Opening | None = None
        self._make_websocket = make_websocket
        self._head_start = head_start
        self._answered = asyncio.Event()
        self._media_up = False
        self._socket_task: asyncio.Task[None] | None = None
        self._socket_failure: BaseException | None = None
        self.stopped = False  # closed from outside (a hang-up): nothing more is started

    async def run(self, step: StepHandler) -> str:
        def webrtc_step(name: str) -> None:
            step(name)
            if name == "sdp":
                self._answered.set()
            elif name == "ice":
                self._media_up = True
                if self._socket_task is not None and not self._socket_task.done():
                    log.info("WebRTC's media came up; the WebSocket attempt is withdrawn")
                    self._socket_task.cancel()

        webrtc_task = asyncio.ensure_future(self.webrtc.open(webrtc_step))
        gate = asyncio.ensure_future(self._gate())
        winner = ""
        try:
            winner = await self._decide(webrtc_task, gate, step)
            return winner
        finally:
            await self._close_losers(webrtc_task, gate, winner)

    async def _gate(self) -> None:
        await self._answered.wait()
        await self._head_start()

    def _start_websocket(self, step: StepHandler, why: str) -> asyncio.Task[None] | None:
        """The WebSocket's attempt, when none is under way or done (else None). One withdrawn because
        WebRTC's media came up is started again if WebRTC's data channel then fails after all."""
        if self._socket_task is not None and not self._socket_task.cancelled():
            return None
        log.info("Trying the WebSocket (%s)", why)
        self.websocket = self._make_websocket()
        self._socket_task = asyncio.ensure_future(self.websocket.open(step))
        return self._socket_task

    async def _decide(
        self, webrtc_task: asyncio.Task[None], gate: asyncio.Future[None], step: StepHandler
    ) -> str:
        pending: set[asyncio.Future[None]] = {webrtc_task, gate}
        while True:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            started = None
            if gate in done and not (self._media_up or self.stopped or webrtc_task.done()):
                started = self._start_websocket(step, "WebRTC's media is not up after its head start")
            if webrtc_task in done:
                failure = webrtc_task.exception()
                if failure is None:
                    return "webrtc"
                if not falls_back(failure) or self.stopped:
                    raise failure
                if self._socket_failure is not None:
                    raise self._socket_failure
                gate.cancel()
                pending.discard(gate)
                started = self._start_websocket(step, f"WebRTC's media did not come up: {failure.code}")
            if started is not None:
                pending.add(started)
            if self._socket_task in done:
                if self._socket_opened():
                    return "websocket"
                if webrtc_task.done():  # both failed
                    assert self._socket_failure is not None
                    raise self._socket_failure

    def _socket_opened(self) -> bool:
        """Whether the finished WebSocket attempt opened; its failure is kept (a withdrawal is none)."""
        task = self._socket_task
        assert task is not None
        if task.cancelled():
            return False
        self._socket_failure = task.exception()
        return self._socket_failure is None

    async def _close_losers(
        self, webrtc_task: asyncio.Task[None], gate: asyncio.Future[None], winner: str
    ) -> None:
        """Each loser is closed in a task of its own, shielded: one that fails to close, or a cancel of
        ours (a hang-up, even twice), does not leave the other open."""
        gate.cancel()
        losers: list[tuple[asyncio.Future[None] | None, Opening | None]] = []
        if winner != "webrtc":
            losers.append((webrtc_task, self.webrtc))
        if winner != "websocket":
            losers.append((self._socket_task, self.websocket))
        closing = asyncio.gather(
            *(_close_loser(task, connection) for task, connection in losers), return_exceptions=True
        )
        closing.add_done_callback(_log_close_failures)
        await asyncio.shield(closing)


async def _close_loser(task: asyncio.Future[None] | None, connection: Opening | None) -> None:
    try:
        if task is not None:
            task.cancel()
            await asyncio.wait([task])  # its own failure is not ours
            if not task.cancelled():
                task.exception()  # seen: no "exception was never retrieved" later
    finally:
        if connection is not None:
            await connection.close()


def _log_close_failures(closing: asyncio.Future[list[BaseException | None]]) -> None:
    if closing.cancelled():
        return
    for failure in closing.result():
        if failure is not None:
            log.warning("Closing the losing transport failed: %s", type(failure).__name__)
