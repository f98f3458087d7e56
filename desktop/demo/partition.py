"""Network faults below the protocol, on the server's side of one call: dropped datagrams and a
silent SCTP endpoint. Nothing is closed, so the client sees exactly what a partition or a filtering
middlebox shows it: silence, until its own timeouts fire.

aiortc and aioice have no public hook for this; these wrap a few of their instances' methods (the
same private names `call.py` already wraps for RTP arrival times), checked by tests/demo.
"""

from __future__ import annotations

from typing import Any

from aiortc import RTCPeerConnection

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


def ignore_sctp(pc: RTCPeerConnection) -> None:
    """The SCTP association is never started, so the client's INIT (and its channel) goes unanswered."""
    if pc.sctp is None:
        return

    async def never_started(*args: Any, **kwargs: Any) -> None:
        return None

    pc.sctp.start = never_started  # type: ignore[method-assign]
