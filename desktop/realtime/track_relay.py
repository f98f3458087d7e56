"""A connection's own view of the call's microphone branch, for the "auto" transport's race.

Each connection stops the track it was given when it closes (aiortc's sender does when its RTP task
ends; WebSocketConnection.close does it itself). The race hands the call's one branch to two
connections, and the loser closes while the winner goes on: given the branch itself, the loser would
end the winner's microphone. Each gets a relay instead: it reads the branch, and its stop() ends only
itself. The two never read at once: the WebSocket reads only once it has won (its `start`), and a
WebRTC loser is closed by then. The branch itself ends with the call (AutoConnection.close).
"""

from __future__ import annotations

from typing import TypeAlias

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.frame import Frame
from av.packet import Packet
from av.stream import Stream

Media: TypeAlias = "Frame | Packet[Stream]"  # what a track's recv() returns


class TrackRelay(MediaStreamTrack):
    def __init__(self, track: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = track.kind
        self._track = track

    async def recv(self) -> Media:
        if self.readyState != "live" or self._track.readyState != "live":
            self.stop()
            raise MediaStreamError
        try:
            return await self._track.recv()
        except MediaStreamError:
            self.stop()
            raise
