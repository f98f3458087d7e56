"""The WebRTC transport of a call: the aiortc peer, its data channel and the outgoing speech track.

Every SDP POST makes a new call with a new peer (no renegotiation, as on the real services). The
server's `on_call_answered(call)` hook runs once the SDP answer is made, before it leaves (so before
any ICE, DTLS or RTP: it may wrap the call's transports).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiortc import RTCConfiguration, RTCDataChannel, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from desktop.demo.handlers import handle_message
from desktop.demo.track import SpeechTrack
from desktop.demo.transport import TransportKind

if TYPE_CHECKING:
    from desktop.demo.call import ServerCall

log = logging.getLogger(__name__)


class RtcTransport:
    kind = TransportKind.WEBRTC

    def __init__(self, call: ServerCall) -> None:
        self.call = call
        self.output = SpeechTrack()
        self.channel: RTCDataChannel | None = None
        self.pc: RTCPeerConnection | None = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.pc.on("datachannel", self._on_datachannel)
        self.pc.on("track", self._on_track)
        self.pc.on("connectionstatechange", self._on_connection_state)

    async def answer(self, offer_sdp: str) -> str:
        """The SDP answer; ValueError when the offer is not one aiortc can take."""
        pc = self.call.pc
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        if not any(t.kind == "audio" for t in pc.getTransceivers()):
            raise ValueError("the offer has no audio section")
        pc.addTrack(self.output)
        await pc.setLocalDescription(await pc.createAnswer())
        if self.call.owner.on_call_answered is not None:  # before the answer leaves: ICE starts once it has
            self.call.owner.on_call_answered(self.call)
        return pc.localDescription.sdp

    def send_text(self, text: str) -> None:
        if self.channel is None or self.channel.readyState != "open":
            return
        try:
            self.channel.send(text)
        except ValueError:  # above the client's advertised max-message-size: it would close the channel
            log.warning("demo server event of %d bytes not sent: %s", len(text.encode()), text[:80])

    async def close(self) -> None:
        self.output.stop()
        if self.pc is not None:
            await self.pc.close()

    def release(self) -> None:
        self.pc = None
        self.channel = None

    def _on_connection_state(self) -> None:
        if self.pc is None:
            return
        self.call.connection_state = self.pc.connectionState
        if self.call.connection_state in ("failed", "closed") and not self.call.closed:
            self.call.close_soon()

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            self.call.spawn(self.call.listener.run(track))

    def _on_datachannel(self, channel: RTCDataChannel) -> None:
        self.channel = channel
        channel.on("message", lambda message: handle_message(self.call, message))
        self.call.open_session()
