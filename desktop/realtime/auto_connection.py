"""The "auto" transport: WebRTC first, and the WebSocket for a call whose WebRTC media never comes up.

Networks that block UDP answer the SDP offer (it travels over HTTPS) and then let nothing through: ICE,
DTLS or the data channel never completes. The WebSocket is then tried after a head start, racing
WebRTC, or at once when ICE fails or WebRTC's own timeouts end it (desktop/realtime/transport_race.py
says how, and why no call is had or billed twice). Only those failures fall back: a refused key, a
quota or a malformed endpoint would fail the WebSocket just the same, and saying so at once is better
than a second wait.

`AutoConnection` is a `RealtimeConnection` like the two it wraps, so the session never learns which one
it has; `on_chosen` hears the transport that connected (the app remembers it per endpoint and shows it).
`AutoConnector` makes them for one session: after a fallback, its later calls start on the WebSocket.
The microphone's track may carry Opus packets (set up for WebRTC): the WebSocket's chunker decodes them.
Each connection gets its own relay of the call's microphone branch (track_relay.py), so that closing
the loser does not end the winner's microphone; the branch itself ends when this connection closes.
"""

from __future__ import annotations

import dataclasses
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
from desktop.realtime.track_relay import TrackRelay
from desktop.realtime.transport_race import HeadStart, TransportRace, head_start_wait
from desktop.realtime.websocket_connection import WebSocketConnection

log = logging.getLogger(__name__)

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
        head_start: HeadStart | None = None,
    ) -> None:
        """`first`: "websocket" once an earlier call of the session had to fall back (AutoConnector).
        `head_start`: what WebRTC's head start waits for (tests count it, not seconds)."""
        handlers: dict[str, Any] = {
            "on_message": on_message,
            "on_track": on_track,
            "on_lost": on_lost,
            "expecting_media": expecting_media,
        }
        self._microphone = audio_track
        self._socket_config = dataclasses.replace(config, transport="websocket")
        self._provider = provider
        self._handlers = handlers
        self._played_seconds = played_seconds
        self._current: Connection | WebSocketConnection
        if first == "websocket":
            self._current = self._websocket()
        else:
            webrtc = dataclasses.replace(config, transport="webrtc")
            self._current = Connection(webrtc, provider, TrackRelay(audio_track), **handlers)
        self.masker: Masker = self._current.masker  # the connection's own: it adds the ephemeral key
        self._on_chosen = on_chosen
        self._head_start = head_start or head_start_wait()
        self._race: TransportRace | None = None
        self._closing = False
        self.transport: Transport = first

    def _websocket(self) -> WebSocketConnection:
        """A held WebSocket (it reads and sends once started) with its own relay of the microphone."""
        return WebSocketConnection(
            self._socket_config,
            self._provider,
            TrackRelay(self._microphone),
            played_seconds=self._played_seconds,
            held=True,
            **self._handlers,
        )

    def __getattr__(self, name: str) -> Any:
        """Anything else a caller reads (the inspector's peer connection, a test's URL) is the current
        connection's."""
        return getattr(self._current, name)

    async def open(self, on_step: Callable[[str], None] | None = None) -> None:
        if self.transport == "websocket":
            await self._current.open(on_step)
        else:
            self._race = TransportRace(self._current, self._websocket, self._head_start)
            won = await self._race.run(on_step or (lambda _name: None))
            if won == "websocket":
                assert isinstance(self._race.websocket, WebSocketConnection)
                self._current = self._race.websocket
                self.masker = self._current.masker
                self.transport = "websocket"
            self._race = None
        if self._closing:
            raise SessionError(CLOSED_WHILE_CONNECTING, code="closed")
        if isinstance(self._current, WebSocketConnection):
            self._current.start()  # only the winner reads the service and the microphone
        self._on_chosen(self.transport)

    def send(self, event: dict[str, Any]) -> None:
        self._current.send(event)

    async def close(self) -> None:
        self._closing = True
        race = self._race
        if race is not None:  # a close while the two race: both, and nothing more is started
            race.stopped = True
            if race.websocket is not None:
                await race.websocket.close()
        await self._current.close()
        self._microphone.stop()  # the call's branch ends with the call

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
