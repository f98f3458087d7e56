"""Network faults below the protocol, on the demo server's side of a call: dropped datagrams and a
silent SCTP endpoint. Nothing is closed, so the client sees exactly what a partition or a filtering
middlebox shows it: silence, until its own timeouts fire.

`TransportFaults` is the server's `on_call_answered` hook (desktop/demo/call.py): its switches act on
the calls answered while they are on. aiortc and aioice have no public hook for this; these wrap a
few of their instances' private methods, checked by tests/demo/test_partition.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aioice import stun
from aiortc import RTCDataChannel, RTCPeerConnection

from desktop.demo.call import ServerCall

STUN_FIRST_BYTE_LIMIT = 4  # RFC 7983 demultiplexing: a datagram whose first byte is 0-3 is STUN


def _ice_connections(pc: RTCPeerConnection) -> list[Any]:
    """The aioice connections under the call's transports (one when bundled)."""
    transports = [t.sender.transport for t in pc.getTransceivers()]
    if pc.sctp is not None:
        transports.append(pc.sctp.transport)
    connections = {id(t.transport._connection): t.transport._connection for t in transports}
    return list(connections.values())


def drop_datagrams(pc: RTCPeerConnection, *, keep_stun: bool) -> None:
    """From now on every datagram in or out is dropped (with `keep_stun`, all but STUN: ICE still
    completes and keeps its consent, but DTLS, SRTP and SCTP go nowhere)."""
    for connection in _ice_connections(pc):
        for protocol in connection._protocols:
            _silence(protocol, keep_stun=keep_stun)


def _silence(protocol: Any, *, keep_stun: bool) -> None:
    receive = protocol.datagram_received
    send_stun = protocol.send_stun

    def received(data: bytes, addr: tuple[Any, ...]) -> None:
        if keep_stun and data[:1] and data[0] < STUN_FIRST_BYTE_LIMIT:
            receive(data, addr)

    def stun_out(message: Any, addr: tuple[str, int]) -> None:
        if keep_stun:
            send_stun(message, addr)

    async def data_out(data: bytes, addr: tuple[str, int]) -> None:
        return None

    protocol.datagram_received = received
    protocol.send_stun = stun_out
    protocol.send_data = data_out


def refuse_checks(pc: RTCPeerConnection) -> None:
    """Every STUN request in is answered with a signed 403 error; nothing else goes in or out."""
    for connection in _ice_connections(pc):
        for protocol in connection._protocols:
            _refuse(protocol, connection.local_password.encode("utf8"))


def _refuse(protocol: Any, password: bytes) -> None:
    def received(data: bytes, addr: tuple[Any, ...]) -> None:
        try:
            request = stun.parse_message(data)
        except ValueError:
            return
        if request.message_class != stun.Class.REQUEST:
            return
        refusal = stun.Message(
            stun.Method.BINDING,
            stun.Class.ERROR,
            transaction_id=request.transaction_id,
            attributes={"ERROR-CODE": (403, "Forbidden")},
        )
        refusal.add_message_integrity(password)  # unsigned, the client would ignore it and retry
        protocol.transport.sendto(bytes(refusal), addr)

    async def data_out(data: bytes, addr: tuple[str, int]) -> None:
        return None

    protocol.datagram_received = received
    protocol.send_stun = lambda message, addr: None
    protocol.send_data = data_out


def ignore_sctp(pc: RTCPeerConnection) -> None:
    """The SCTP association is never started, so the client's INIT (and its channel) goes unanswered."""
    if pc.sctp is None:
        return

    async def never_started(*args: Any, **kwargs: Any) -> None:
        return None

    pc.sctp.start = never_started  # type: ignore[method-assign]


@dataclass
class TransportFaults:
    """Pass as `DemoServer(on_call_answered=...)`, or set as the server's `on_call_answered`."""

    ice_stall: bool = False  # the answer's ICE candidates never answer: ICE (and so DTLS) never completes
    # Every ICE check is answered with a STUN error (as a middlebox that refuses UDP may): each candidate
    # pair fails at once and ICE reports `failed`, long before any timeout.
    ice_refused: bool = False
    dtls_stall: bool = False  # ICE completes, but DTLS records are dropped: the handshake never finishes
    no_data_channel: bool = False  # ICE and DTLS complete, but SCTP is never answered: no channel opens
    # A network partition this long after the channel opened: nothing more in or out, and no close.
    vanish_after_seconds: float | None = None
    vanished: list[ServerCall] = field(default_factory=list)

    def __call__(self, call: ServerCall) -> None:
        """Runs before the answer leaves: ICE starts as soon as the client has it."""
        if self.ice_stall or self.dtls_stall:
            drop_datagrams(call.pc, keep_stun=not self.ice_stall)
        if self.ice_refused:
            refuse_checks(call.pc)
        if self.no_data_channel:
            ignore_sctp(call.pc)
        seconds = self.vanish_after_seconds
        if seconds is not None:  # after the call's own listener, which sends session.created

            def vanish_later(_channel: RTCDataChannel) -> None:
                call.spawn(self._vanish_after(call, seconds))

            call.pc.on("datachannel", vanish_later)

    async def _vanish_after(self, call: ServerCall, seconds: float) -> None:
        await asyncio.sleep(seconds)
        if not call.closed and call not in self.vanished:
            self.vanished.append(call)
            call.track.clear()
            drop_datagrams(call.pc, keep_stun=False)
