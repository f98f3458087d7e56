"""One call to the service as the session uses it: the connection, the session.update handshake,
the server session's time limit, and whether the call's events reach the conversation yet.

A session has one active call. A reconnect opens a new one after the old is gone; a renewal opens
it beside the old one and switches over at a quiet moment. Events of a call that is not (or no
longer) active are dropped, except those that settle its handshake; so is its loss.

The call makes its connection with a `ConnectionFactory`: the WebRTC `Connection` in the product, a
fake realtime service in the session's unit tests (tests/session/fake_realtime.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, Literal, Protocol

from aiortc.mediastreams import MediaStreamTrack

from desktop.realtime import (
    CLOSED_WHILE_CONNECTING,
    Connection,
    Masker,
    Provider,
    ServerError,
    ServerEvent,
    SessionConfig,
    SessionCreated,
    SessionError,
    SessionUpdated,
    decode_message,
    parse_server_event,
)
from desktop.session.events import RawEvent


class RealtimeConnection(Protocol):
    """What a call needs of its connection to the service."""

    masker: Masker

    async def open(self, on_step: Callable[[str], None] | None = None) -> None: ...

    def send(self, event: dict[str, Any]) -> None:
        """Send or queue one client event; SessionError when it is refused (too large)."""
        ...

    async def close(self) -> None: ...

    async def still_receiving(self, seconds: float) -> bool: ...


class ConnectionFactory(Protocol):
    """Makes a call's connection; `Connection` (WebRTC) is the product's."""

    def __call__(
        self,
        config: SessionConfig,
        provider: Provider,
        audio_track: MediaStreamTrack,
        *,
        on_message: Callable[[str], None],
        on_track: Callable[[MediaStreamTrack], None],
        on_lost: Callable[[SessionError], None],
        expecting_media: Callable[[], bool],
    ) -> RealtimeConnection: ...


EventHandler = Callable[[ServerEvent], None]
RawHandler = Callable[[RawEvent], None]
LostHandler = Callable[["ModelCall", SessionError], None]
Attach = Callable[[MediaStreamTrack], None]

log = logging.getLogger(__name__)


class ModelCall:
    def __init__(
        self,
        config: SessionConfig,
        provider: Provider,
        audio_track: MediaStreamTrack,
        *,
        on_event: EventHandler,
        on_raw: RawHandler,
        on_lost: LostHandler,
        expecting_media: Callable[[], bool],
        connect: ConnectionFactory = Connection,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`clock`: the wall clock, like the service's expires_at (injected by tests)."""
        self._config = config
        self._provider = provider
        self._on_event = on_event
        self._on_raw = on_raw
        self._on_lost = on_lost
        self.connection = connect(
            config,
            provider,
            audio_track,
            on_message=self._received,
            on_track=self._track,
            on_lost=self._lost,
            expecting_media=lambda: self.active and expecting_media(),  # a waiting new call plays nothing
        )
        self.opened_at = clock()
        self.expires_at: float | None = None  # from session.created
        self.lost: SessionError | None = None  # lost before it became active
        self.active = False
        self._attach: Attach | None = None
        self._remote: MediaStreamTrack | None = None
        self._settled: asyncio.Future[dict[str, Any]] | None = None

    async def open(
        self, update: dict[str, Any], on_step: Callable[[str], None] | None = None
    ) -> dict[str, Any]:
        """Connect, send `update`, wait for session.updated and return the session it confirms;
        closes everything again on failure. `on_step` hears each step of connecting (for the check)."""
        started = time.monotonic()
        try:
            session = await self._open(update, on_step)
        except SessionError as error:
            # INFO: `--check` prints its own sentence (and logging's last resort would repeat a warning
            # there); a conversation that ends over it logs an error of its own.
            seconds = time.monotonic() - started
            log.info("Could not connect to %s (after %.1f s): %s", self.target, seconds, error.for_log)
            raise
        log.info("Connected to %s in %.2f s", self.target, time.monotonic() - started)
        return session

    @property
    def target(self) -> str:
        """What this call connects to, for the log: provider, dialect, hosts and model (no key)."""
        provider = self._provider
        return f"{provider.name} ({provider.dialect.value}) at {provider.hosts}, model {provider.deployment}"

    async def _open(self, update: dict[str, Any], on_step: Callable[[str], None] | None) -> dict[str, Any]:
        self._settled = asyncio.get_running_loop().create_future()
        try:
            await self.connection.open(on_step)
            self.connection.send(update)  # an oversize update fails the connect, unlike later sends
            self.raw("sent", update)
            timeout = self._config.timeouts.session_updated
            try:
                async with asyncio.timeout(timeout):
                    return await self._settled
            except TimeoutError:
                raise SessionError(
                    f"The service did not confirm the session settings within {timeout:g} s.",
                    code="session_update_timeout",
                ) from None
        except BaseException:
            await self.close()
            raise

    def activate(self, attach: Attach) -> None:
        """From now on this call's events, audio and loss belong to the conversation."""
        self.active = True
        self._attach = attach
        if self._remote is not None:
            attach(self._remote)

    def send(self, event: dict[str, Any]) -> None:
        """Raises SessionError when the event is refused (too large)."""
        self.connection.send(event)
        self.raw("sent", event)

    async def close(self) -> None:
        self.active = False
        if self._settled is not None and not self._settled.done():
            self._settled.set_exception(SessionError(CLOSED_WHILE_CONNECTING, code="closed"))
            self._settled.exception()  # an open() still waiting raises it; nobody else needs it
        await self.connection.close()

    def raw(self, direction: Literal["sent", "received"], payload: dict[str, Any]) -> None:
        masked = self.connection.masker.payload(payload)
        self._on_raw(RawEvent(direction, str(payload.get("type", "")), masked, time.time()))

    def mask(self, text: str) -> str:
        return self.connection.masker.text(text)

    def _track(self, track: MediaStreamTrack) -> None:
        # A renewal's new call is heard only once it takes over; the playout buffer drops the backlog.
        self._remote = track
        if self.active and self._attach is not None:
            self._attach(track)

    def _settling(self) -> bool:
        return self._settled is not None and not self._settled.done()

    def _received(self, text: str) -> None:
        data = decode_message(text)
        if data is None:
            self.raw("received", {"type": "invalid", "text": text[:200]})
            return
        self.raw("received", data)
        event = parse_server_event(data)
        if event is None:
            return
        if isinstance(event, SessionCreated):
            expires_at = event.session.get("expires_at")
            if isinstance(expires_at, int | float) and expires_at > 0:
                self.expires_at = float(expires_at)
        if self._settled is not None and self._settling():
            if isinstance(event, SessionUpdated):
                self._settled.set_result(event.session)
                return
            if isinstance(event, ServerError):
                self._settled.set_exception(
                    SessionError(
                        f"The service refused the session settings: {event.message or event.code}",
                        code=event.code,
                        retryable=False,
                    )
                )
                return
        if self.active:
            self._on_event(event)

    def _lost(self, error: SessionError) -> None:
        if self._settled is not None and self._settling():
            self._settled.set_exception(error)
        elif self.active:
            self._on_lost(self, error)
        else:
            self.lost = error
