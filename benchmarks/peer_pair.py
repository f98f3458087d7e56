"""Two real aiortc peers on loopback, one sending a track to the other, with packet loss injected on
the sending side. Used by the audio tests and the audio bench until (and beside) the demo server.
"""

from __future__ import annotations

import asyncio
import random
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtp import RtpPacket, is_rtcp


@dataclass
class Wire:
    """What crossed the link: RTP send times by sequence number (lost ones included), arrivals."""

    loss: float = 0.0
    seed: int = 1
    sent: dict[int, float] = field(default_factory=dict)
    sizes: dict[int, int] = field(default_factory=dict)  # payload bytes: loud audio makes big packets
    arrived: dict[int, float] = field(default_factory=dict)
    lost: set[int] = field(default_factory=set)

    @property
    def dropped(self) -> int:
        return len(self.lost)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def drop_on_send(self, send: Callable[[bytes], Awaitable[None]]) -> Callable[[bytes], Awaitable[None]]:
        async def lossy_send(data: bytes) -> None:
            if not is_rtcp(data):
                seq = _sequence_number(data)
                self.sent[seq] = time.monotonic()
                self.sizes[seq] = _payload_size(data)
                if self._random.random() < self.loss:
                    self.lost.add(seq)
                    return
            await send(data)

        return lossy_send

    def note_arrival(
        self, handle: Callable[[RtpPacket, int], Awaitable[None]]
    ) -> Callable[[RtpPacket, int], Awaitable[None]]:
        async def noting_handle(packet: RtpPacket, arrival_time_ms: int) -> None:
            self.arrived.setdefault(packet.sequence_number, time.monotonic())
            self.sizes.setdefault(packet.sequence_number, len(packet.payload))
            await handle(packet, arrival_time_ms)

        return noting_handle


def _sequence_number(rtp: bytes) -> int:
    return int(struct.unpack_from("!H", rtp, 2)[0])


def _payload_size(rtp: bytes) -> int:
    """RTP payload bytes: after the fixed header, the CSRCs and the header extension (RFC 3550 5.1)."""
    header = 12 + 4 * (rtp[0] & 0x0F)
    if rtp[0] & 0x10:
        header += 4 + 4 * int(struct.unpack_from("!H", rtp, header + 2)[0])
    padding = rtp[-1] if rtp[0] & 0x20 else 0
    return len(rtp) - header - padding


class PeerPair:
    """`sender` sends `track`; `remote_track()` is what `receiver` gets, decoded."""

    def __init__(self, track: MediaStreamTrack, loss: float = 0.0, seed: int = 1) -> None:
        self.wire = Wire(loss, seed)
        self.sender = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.receiver = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._track = track
        self._remote: asyncio.Future[MediaStreamTrack] = asyncio.get_running_loop().create_future()
        self.receiver.on("track", self._remote.set_result)

    async def connect(self) -> None:
        rtp_sender = self.sender.addTrack(self._track)
        transport: Any = rtp_sender.transport
        transport._send_rtp = self.wire.drop_on_send(transport._send_rtp)
        await self.sender.setLocalDescription(await self.sender.createOffer())
        await self.receiver.setRemoteDescription(self.sender.localDescription)
        rtp_receiver: Any = self.receiver.getReceivers()[0]
        rtp_receiver._handle_rtp_packet = self.wire.note_arrival(rtp_receiver._handle_rtp_packet)
        await self.receiver.setLocalDescription(await self.receiver.createAnswer())
        await self.sender.setRemoteDescription(self.receiver.localDescription)

    async def remote_track(self) -> MediaStreamTrack:
        return await self._remote

    async def close(self) -> None:
        await self.sender.close()
        await self.receiver.close()
