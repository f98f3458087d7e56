"""The client's side of the output audio buffer, over a WebSocket: the reply's audio deltas into the
speaker's track, what the session is told of that buffer, and barge-in.

Over WebRTC the service owns the output audio buffer; over a WebSocket the client does (`ReplyTrack`).
So this says what WebRTC's server says of that buffer: `output_audio_buffer.started` when a
response's audio begins to play and `output_audio_buffer.stopped` when it has all been handed out or
has been dropped, each with `"local": true` for the inspector, delivered on the next turn of the loop
as a received event would be. The deltas go on to the session (and the inspector) with the audio
elided: the base64 would be most of the inspector's memory and is nobody's to read.

Barge-in is where the transports differ (realtime-protocol.md §5). Over WebRTC the server truncates
what was not played; over a WebSocket it cannot know what was played, so the client must say it with
`conversation.item.truncate`, `audio_end_ms` being what the speaker really played (`ReplyTrack.played_ms`;
the local `stopped` of a cut repeats it under `truncated`, since the inspector sees only the session's
own sends).
That happens when the person starts talking over a playing reply (`input_audio_buffer.speech_started`)
while the session's turn detection interrupts answers (`interrupt_response`, as the service's own
`session.created`/`session.updated` say; with it off the service goes on with the answer, and so does
the speaker, as over WebRTC), and when the session asks for `output_audio_buffer.clear` (a WebRTC-only
event the WebSocket service refuses): the unplayed audio is dropped, and so is whatever the cut item
still sends. No `output_audio_buffer.cleared` is made up: that event says the service dropped its
buffer and cut the item, which here only its own `conversation.item.truncated` (or its error) can
confirm, and the session sees that answer unchanged; the local buffer's end is the `stopped` above.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from collections.abc import Callable
from typing import Any

from aiortc.mediastreams import MediaStreamTrack

from desktop.realtime.client_events import encode
from desktop.realtime.websocket_audio import Heard, ReplyTrack

log = logging.getLogger(__name__)

AUDIO_DELTAS = frozenset({"response.output_audio.delta", "response.audio.delta"})
AUDIO_ENDS = frozenset({"response.output_audio.done", "response.audio.done", "response.done"})
SESSION_EVENTS = frozenset({"session.created", "session.updated"})


class SocketReply:
    def __init__(
        self,
        send_text: Callable[[str], None],
        deliver: Callable[[str], None],
        on_track: Callable[[MediaStreamTrack], None],
        played_seconds: Callable[[], float] | None,
        *,
        interrupts: bool,
    ) -> None:
        """`send_text` sends a client event, `deliver` hands a (local) event to the session, `on_track`
        takes the reply track once, `played_seconds` is the speaker's count of audio played.
        `interrupts`: the config's interrupt_response, until the service's session says otherwise."""
        self._send_text = send_text
        self._deliver = deliver
        self._on_track = on_track
        self.track = ReplyTrack(self._started, self._stopped, played_seconds)
        self._track_handed = False
        self._cut_items: set[str] = set()
        self._stop_note: dict[str, Any] = {}  # what a cut adds to its `stopped`
        self.interrupts = interrupts  # the person's speech cuts a playing reply (interrupt_response)
        self.closed = False

    def received(self, text: str, data: dict[str, Any]) -> str:
        """What the session gets of the server event `data` (JSON `text`) once the reply took its part."""
        kind = data.get("type")
        if kind in AUDIO_DELTAS:
            return self._audio_delta(data)
        if kind in SESSION_EVENTS and (said := _interrupt_response(data.get("session"))) is not None:
            self.interrupts = said
        elif kind == "input_audio_buffer.speech_started" and self.interrupts:
            self.cut()
        elif kind in AUDIO_ENDS:
            self.track.end(_response_id(data))
        return text

    def cut(self) -> None:
        """Stop the playing reply here and tell the service how much of it was heard."""
        heard = self.track.playing
        if heard is None or heard.item_id in self._cut_items:
            self.track.clear()
            return
        truncate = _truncate(heard, self.track.played_ms(heard))
        self._cut_items.add(heard.item_id)
        self._stop_note = {"truncated": {k: truncate[k] for k in ("item_id", "audio_end_ms")}}
        self.track.clear()  # its `stopped` carries the note: the inspector sees where the reply was cut
        self._stop_note = {}
        self._send_text(encode(truncate))

    def _audio_delta(self, data: dict[str, Any]) -> str:
        """Queue the delta's audio for the speaker; the event itself goes on without it."""
        delta = data.get("delta")
        audio = b""
        if isinstance(delta, str):
            try:
                audio = base64.b64decode(delta)
            except (binascii.Error, ValueError):
                log.debug("an audio delta that is not base64 was dropped")
        item_id = str(data.get("item_id") or "")
        if item_id not in self._cut_items:
            index = data.get("content_index")
            self._hand_track()
            self.track.add((_response_id(data), item_id, index if isinstance(index, int) else 0), audio)
        return json.dumps({**data, "delta": f"<{len(audio)} bytes of audio>"})

    def _hand_track(self) -> None:
        if not self._track_handed:
            self._track_handed = True
            self._on_track(self.track)

    def _started(self, response_id: str) -> None:
        self._say_locally({"type": "output_audio_buffer.started", "response_id": response_id})

    def _stopped(self, response_id: str) -> None:
        self._say_locally(
            {"type": "output_audio_buffer.stopped", "response_id": response_id, **self._stop_note}
        )

    def _say_locally(self, event: dict[str, Any]) -> None:
        """Delivered on the next turn of the loop, as a received event would be: never inside the
        session's own call that caused it (a `send` of output_audio_buffer.clear)."""
        text = json.dumps({**event, "local": True})
        asyncio.get_running_loop().call_soon(self._deliver_local, text)

    def _deliver_local(self, text: str) -> None:
        if self.closed:
            return
        try:
            self._deliver(text)
        except Exception:
            log.exception("handling a local event failed")


def _truncate(heard: Heard, audio_end_ms: int) -> dict[str, Any]:
    return {
        "type": "conversation.item.truncate",
        "item_id": heard.item_id,
        "content_index": heard.content_index,
        "audio_end_ms": audio_end_ms,
    }


def _interrupt_response(session: Any) -> bool | None:
    """The session's turn detection's `interrupt_response` (whether it cuts a playing answer), or None
    when the event does not carry it (GA keeps the detection under audio.input, the preview at the top)."""
    if not isinstance(session, dict):
        return None
    audio = session.get("audio")
    place = audio.get("input") if isinstance(audio, dict) else session
    detection = place.get("turn_detection") if isinstance(place, dict) else None
    said = detection.get("interrupt_response") if isinstance(detection, dict) else None
    return said if isinstance(said, bool) else None


def _response_id(data: dict[str, Any]) -> str:
    response = data.get("response")
    if isinstance(response, dict) and isinstance(response.get("id"), str):
        return str(response["id"])
    return str(data.get("response_id") or "")
