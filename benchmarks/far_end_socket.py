"""The audio bench's far end over a WebSocket: where clicks arrive and leave on the demo server.

The WebSocket carries audio inside JSON events, so its 'wire' points are those events, the
equivalents of the RTP packets the WebRTC far end (far_end.py) watches:

- arrival (mouth-to-wire's end): the demo's `on_audio_received` hook, which runs as the
  `input_audio_buffer.append` event is handled, once per 20 ms frame of it, all with that event's
  arrival time (the demo decodes the event at once; no jitter buffer on this path).
- departure (wire-to-ear's start): the demo's writer handing an audio delta event to aiohttp's
  `send_str` (`SocketTransport._send`, wrapped through the `on_websocket_opened` hook; the time is
  taken just before the send, as for an RTP packet), after the
  pacer (one 40 ms delta every 40 ms) queued it. The click's onset is the send time of the delta that
  carries its first loud samples, wherever in the delta they are: the click leaves then.

No loss is injected: a WebSocket runs on TCP, which resends, so there are no lost frames to conceal.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks.clicks import Onsets
from desktop.demo.call import ServerCall

AUDIO_DELTAS = frozenset({"response.output_audio.delta", "response.audio.delta"})


class SocketTap:
    def __init__(self) -> None:
        self.clicks_arrived = Onsets()  # the client's appended audio as the demo takes it
        self.clicks_sent = Onsets()  # this server's audio deltas as they leave

    def audio_received(self, call: ServerCall, samples: bytes) -> None:
        """The server's `on_audio_received` hook (48 kHz mono frames)."""
        self.clicks_arrived.feed(time.monotonic(), samples)

    def opened(self, call: ServerCall) -> None:
        """The server's `on_websocket_opened` hook: wrap the writer's send of each queued event."""
        transport: Any = call.transport
        transport._send = self._note_deltas(transport._send)

    def _note_deltas(self, send: Callable[[str], Awaitable[bool]]) -> Callable[[str], Awaitable[bool]]:
        async def noting(text: str) -> bool:
            leaving = time.monotonic()  # as the WebRTC far end notes an RTP packet: just before sending
            sent = await send(text)
            if sent and '.delta"' in text:
                event = json.loads(text)
                if event.get("type") in AUDIO_DELTAS:
                    self.clicks_sent.feed(leaving, base64.b64decode(event["delta"]))
            return sent

        return noting
