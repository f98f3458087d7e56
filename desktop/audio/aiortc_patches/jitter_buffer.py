"""A low-delay jitter buffer for received Opus audio; `buffer_for` stands in for aiortc's `JitterBuffer`.

aiortc's audio receiver uses `JitterBuffer(capacity=16, prefetch=4)`: a frame leaves only when four
newer ones have arrived (80 ms of fixed delay), and after one lost packet it stays behind for the rest
of the call, because the buffer is driven by packet arrivals and releases at most one frame per packet.
This buffer releases each packet as soon as it is next in sequence; when a newer one comes instead, the
missing ones are lost (after `reorder_wait` newer packets, by default none) and the decoder gets one
Opus packet (RFC 6716 code 3) that holds an empty frame for every lost packet followed by the frames
that did arrive. libopus conceals an empty frame (packet loss concealment), so the played audio keeps
its length and never falls behind. Jitter in arrival times is absorbed by the speaker's playout buffer,
not here. Waiting one packet for a reordered one costs every loss 20 ms more delay: more than the
playout buffer's low-water mark, so each loss would run it dry and playback restart with a new cushion
(docs/measurements.md, Audio path, compares the two). Reordering within 20 ms is rare on a single flow;
a packet that comes after its turn has already been concealed and is dropped.
"""

from __future__ import annotations

from typing import Any

from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add

MAX_MISORDER = 100  # packets further away than this mean the sender restarted: start afresh
MAX_OPUS_SAMPLES = 5760  # 120 ms at 48 kHz, the longest an Opus packet may be
SAMPLE_RATE = 48000

Slot = RtpPacket | None  # None is a lost packet, concealed by the decoder


class HoleSkippingJitterBuffer:
    """Same interface as aiortc's `JitterBuffer` (only `add` and `capacity` are used by the receiver)."""

    def __init__(self, capacity: int = 16, reorder_wait: int = 0, max_conceal: int = 2) -> None:
        self._capacity = capacity
        self._reorder_wait = reorder_wait
        self._max_conceal = max_conceal  # beyond ~40 ms the playout buffer has run dry anyway
        self._next: int | None = None
        self._held: dict[int, RtpPacket] = {}

    @property
    def capacity(self) -> int:
        return self._capacity

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        seq = packet.sequence_number
        if self._next is None:
            self._next = seq
        ahead = uint16_add(seq, -self._next)
        behind = uint16_add(self._next, -seq)
        if 0 < behind <= MAX_MISORDER or seq in self._held:
            return False, None  # too late (already concealed) or a duplicate
        if min(ahead, behind) > MAX_MISORDER:
            self._held.clear()
            self._next = seq
        self._held[seq] = packet
        return False, self._release()

    def _release(self) -> JitterFrame | None:
        origin = self._next
        assert origin is not None
        if origin in self._held:
            count = self._contiguous_run(origin)
        elif len(self._held) <= self._reorder_wait:
            return None  # a hole: give the missing packet a moment to arrive out of order
        else:
            count = max(uint16_add(s, -origin) for s in self._held) + 1  # up to the newest: holes are lost
        slots = [self._held.pop(uint16_add(origin, i), None) for i in range(count)]
        self._next = uint16_add(origin, count)
        return _to_frame(slots, self._max_conceal)

    def _contiguous_run(self, origin: int) -> int:
        count = 0
        while uint16_add(origin, count) in self._held:
            count += 1
        return count


def _to_frame(slots: list[Slot], max_conceal: int) -> JitterFrame | None:
    """One Opus packet for the decoder: empty frames for lost slots, then the received frames."""
    slots = [s if s is not None and _payload(s) else None for s in slots]
    received = [s for s in slots if s is not None]
    if not received:
        return None
    last = received[-1]
    if len(slots) == 1:
        return JitterFrame(data=_payload(last), timestamp=last.timestamp)
    toc = _payload(last)[0]
    if any(not _joinable(_payload(s)[0], toc) for s in received):
        return JitterFrame(data=_payload(last), timestamp=last.timestamp)  # cannot merge: newest only
    slots = _trim_concealment(slots, max_conceal)
    while len(slots) * _samples_per_frame(toc) > MAX_OPUS_SAMPLES:
        slots.pop(0)
    frames = [b"" if s is None else _payload(s)[1:] for s in slots]
    first = next(s for s in slots if s is not None)
    return JitterFrame(data=_code3_packet(toc, frames), timestamp=first.timestamp)


def _trim_concealment(slots: list[Slot], max_conceal: int) -> list[Slot]:
    """Keep at most `max_conceal` lost slots, dropping the oldest ones."""
    excess = sum(s is None for s in slots) - max_conceal
    kept: list[Slot] = []
    for slot in slots:
        if slot is None and excess > 0:
            excess -= 1
            continue
        kept.append(slot)
    return kept


def _payload(packet: RtpPacket) -> bytes:
    data: bytes = getattr(packet, "_data", packet.payload)  # aiortc stores the depayloaded bytes there
    return data


def _joinable(toc: int, reference: int) -> bool:
    """Code-0 packets (one frame) with the same configuration and channel count can share a packet."""
    return toc & 0x03 == 0 and toc >> 2 == reference >> 2


def _samples_per_frame(toc: int) -> int:
    """Frame duration from the TOC byte (RFC 6716 section 3.1), in samples at 48 kHz."""
    if toc & 0x80:  # CELT only: 2.5, 5, 10, 20 ms
        return (SAMPLE_RATE << ((toc >> 3) & 0x03)) // 400
    if toc & 0x60 == 0x60:  # hybrid: 10 or 20 ms
        return SAMPLE_RATE // 50 if toc & 0x08 else SAMPLE_RATE // 100
    size = (toc >> 3) & 0x03  # SILK only: 10, 20, 40, 60 ms
    return SAMPLE_RATE * 60 // 1000 if size == 3 else (SAMPLE_RATE << size) // 100


def _code3_packet(toc: int, frames: list[bytes]) -> bytes:
    """A variable-bitrate code-3 packet; libopus treats a zero-length frame as lost and conceals it."""
    header = bytes([(toc & 0xFC) | 0x03, 0x80 | len(frames)])
    lengths = b"".join(_frame_length(len(f)) for f in frames[:-1])
    return header + lengths + b"".join(frames)


def _frame_length(n: int) -> bytes:
    return bytes([n]) if n < 252 else bytes([252 + ((n - 252) & 0x03), (n - 252) >> 2])


def buffer_for(capacity: int, prefetch: int = 0, is_video: bool = False) -> Any:
    """What `RTCRtpReceiver.__init__` gets when it calls `JitterBuffer(...)`: ours for audio, aiortc's
    for video."""
    if is_video:
        return JitterBuffer(capacity=capacity, prefetch=prefetch, is_video=True)
    return HoleSkippingJitterBuffer(capacity=capacity)
