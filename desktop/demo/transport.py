"""How a call reaches its client: WebRTC (`rtc.py`: a data channel and an RTP track) or a WebSocket
(`socket_transport.py`: JSON events both ways, audio as base64 PCM16 24 kHz inside them).

The call's logic (handlers, listener, responses) is the same over both: it sends events through
`send_text` and plays replies on `output`; each transport turns them into what travels on its wire.
"""

from __future__ import annotations

import enum
from typing import Any, Protocol

from desktop.demo.track import Playback


class TransportKind(enum.Enum):
    WEBRTC = "webrtc"
    WEBSOCKET = "websocket"


class AudioOutput(Protocol):
    """Where replies play: 48 kHz mono s16 in, paced in real time by the transport."""

    current: Playback | None
    frames_sent: int  # chunks of audio sent: RTP frames, or a WebSocket's audio deltas

    def play(self, audio: bytes, where: dict[str, Any] | None = None) -> Playback: ...

    def clear(self) -> bool:
        """Drops unplayed audio; True when something was still playing."""
        ...

    def stop(self) -> None: ...


class CallTransport(Protocol):
    kind: TransportKind

    @property
    def output(self) -> AudioOutput: ...

    def send_text(self, text: str) -> None:
        """One event, already JSON; dropped when the wire is not open."""
        ...

    async def close(self) -> None:
        """Closes the wire; the call has cancelled its tasks by then."""
        ...

    def release(self) -> None:
        """Drops the heavy state of a closed call."""
        ...
