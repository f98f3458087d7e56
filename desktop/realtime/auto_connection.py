"""The "auto" transport: WebRTC first, and the WebSocket for a call whose WebRTC media never comes up.

Networks that block UDP answer the SDP offer (it travels over HTTPS) and then let nothing through: ICE,
DTLS or the data channel never completes, and the WebRTC `Connection` fails with `ice_timeout` or
`channel_timeout` after its own timeouts (Timeouts.ice, Timeouts.data_channel). Only those failures
fall back: a refused key, a quota or a malformed endpoint would fail the WebSocket just the same, and
saying so at once is better than a second wait.

`AutoConnection` is a `RealtimeConnection` like the two it wraps, so the session never learns which one
it has; `on_chosen` hears the transport that connected (the app remembers it per endpoint and shows it).
`AutoConnector` makes them for one session: after a fallback, its later calls start on the WebSocket.
The microphone's track may carry Opus packets (set up for WebRTC): the WebSocket's chunker decodes them.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable
from typing import Any

from aiortc.mediastreams import MediaStreamTrack

from desktop.realtime.config import SessionConfig, Transport
from desktop.realtime.connection import (
    CLOSED_WHILE_CONNECTING,
    Connection,
    LostHandler,
    MessageHandler,
    TrackHandler,
)
from desktop.realtime.errors import SessionError
from desktop.realtime.masking import Masker
from desktop.realtime.providers import Provider
from desktop.realtime.websocket_connection import WebSocketConnection

log = logging.getLogger(__name__)

# What UDP that never flows looks like; anything else would fail over the WebSocket too.
FALLBACK_CODES = frozenset({"ice_timeout", "channel_timeout"})

ChosenHandler = Callable[[Transport], None]


class AutoConnection:
    def __init__(
        self,
        config: SessionConfig,
        provider: Provider,
        audio_track: MediaStreamTrack,
        *,
        on_message: MessageHandler,
        on_track: TrackHandler,
        on_lost: LostHandler,
        expecting_media: Callable[[], bool] = lambda: False,
        played_seconds: Callable[[], float] | None = None,
        on_chosen: ChosenHandler = lambda _transport: None,
        first: Transport = "webrtc",
    ) -> None:
        """`first`: "websocket" once an earlier call of the session had to fall back (AutoConnector)."""
        handlers: dict[str, Any] = {
            "on_message": on_message,
            "on_track": on_track,
            "on_lost": on_lost,
            "expecting_media": expecting_media,
        }
        self._websocket = functools.partial(
            WebSocketConnection,
            dataclasses.replace(config, transport="websocket"),
            provider,
            audio_track,
            played_seconds=played_seconds,
            **handlers,
        )
        self._current: Connection | WebSocketConnection
        if first == "websocket":
            self._current = self._websocket()
        else:
            webrtc = dataclasses.replace(config, transport="webrtc")
            self._current = Connection(webrtc, provider, audio_track, **handlers)
        self.masker: Masker = self._current.masker  # the connection's own: it adds the ephemeral key
        self._on_chosen = on_chosen
        self._closing = False
        self.transport: Transport = first

    def __getattr__(self, name: str) -> Any:
        """Anything else a caller reads (the inspector's peer connection, a test's URL) is the current
        connection's."""
        return getattr(self._current, name)

    async def open(self, on_step: Callable[[str], None] | None = None) -> None:
        try:
            await self._current.open(on_step)
        except SessionError as error:
            if self.transport == "websocket" or error.code not in FALLBACK_CODES or self._closing:
                raise
            log.info("WebRTC media did not come up (%s); trying the WebSocket", error.code)
            self._current = self._websocket()
            self.masker = self._current.masker
            self.transport = "websocket"
            await self._current.open(on_step)
        if self._closing:
            raise SessionError(CLOSED_WHILE_CONNECTING, code="closed")
        self._on_chosen(self.transport)

    def send(self, event: dict[str, Any]) -> None:
        self._current.send(event)

    async def close(self) -> None:
        self._closing = True
        await self._current.close()

    async def still_receiving(self, seconds: float) -> bool:
        return await self._current.still_receiving(seconds)


class AutoConnector:
    """A connection factory (session/model_call.py's ConnectionFactory) for a session's "auto" calls:
    once one call had to fall back, the session's later calls (renewals, reconnects) start on the
    WebSocket instead of waiting for WebRTC's timeouts again. `on_chosen` hears each call's transport."""

    def __init__(self, played_seconds: Callable[[], float] | None, on_chosen: ChosenHandler) -> None:
        self._played_seconds = played_seconds
        self._on_chosen = on_chosen
        self.learned: Transport = "webrtc"

    def __call__(self, *args: Any, **kwargs: Any) -> AutoConnection:
        return AutoConnection(
            *args, **kwargs, played_seconds=self._played_seconds, on_chosen=self._chosen, first=self.learned
        )

    def _chosen(self, transport: Transport) -> None:
        self.learned = transport
        self._on_chosen(transport)


def auto_connector(played_seconds: Callable[[], float] | None, on_chosen: ChosenHandler) -> AutoConnector:
    return AutoConnector(played_seconds, on_chosen)
