"""The hole-skipping jitter buffer: packet by packet, and between two real aiortc peers under loss."""

from __future__ import annotations

import asyncio
import fractions
import itertools
import statistics
import time
from typing import cast

import av
import numpy as np
import pytest
from aiortc import rtcrtpreceiver
from aiortc.codecs.opus import OpusDecoder, OpusEncoder
from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from benchmarks.peer_pair import PeerPair
from desktop.audio.aiortc_patches.jitter_buffer import HoleSkippingJitterBuffer
from desktop.audio.synthetic import SyntheticMicrophone


def opus_packets(count: int) -> list[RtpPacket]:
    """Real Opus packets of a 440 Hz tone, as the receiver hands them to the jitter buffer."""
    encoder = OpusEncoder()
    t = np.arange(count * 960) / 48000
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    packets = []
    for i in range(count):
        frame = av.AudioFrame.from_ndarray(tone[i * 960 : (i + 1) * 960].reshape(1, -1), layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = 48000, i * 960, fractions.Fraction(1, 48000)
        payloads, _ = encoder.encode(frame)
        packet = RtpPacket(payload_type=111, sequence_number=(65530 + i) % 65536, timestamp=i * 960)
        packet._data = payloads[0]  # type: ignore[attr-defined]
        packets.append(packet)
    return packets


def decoded_lengths(buffer: HoleSkippingJitterBuffer, packets: list[RtpPacket]) -> list[int]:
    decoder = OpusDecoder()
    lengths = []
    for packet in packets:
        _, frame = buffer.add(packet)
        if frame is not None:
            out = decoder.decode(frame)
            lengths.append(sum(f.samples for f in out))  # type: ignore[attr-defined]
        else:
            lengths.append(0)
    return lengths


def test_in_order_packets_leave_at_once() -> None:
    packets = opus_packets(10)  # the sequence numbers wrap past 65535 on the way
    assert decoded_lengths(HoleSkippingJitterBuffer(), packets) == [960] * 10


def test_a_lost_packet_is_concealed_as_soon_as_the_next_one_arrives() -> None:
    packets = opus_packets(8)
    del packets[3]
    lengths = decoded_lengths(HoleSkippingJitterBuffer(), packets)
    assert lengths == [960, 960, 960, 2 * 960, 960, 960, 960]  # nothing goes missing from the timeline


def test_a_lost_packet_is_concealed_after_waiting_when_asked_to_wait() -> None:
    packets = opus_packets(8)
    del packets[3]
    lengths = decoded_lengths(HoleSkippingJitterBuffer(reorder_wait=1), packets)
    assert lengths == [960, 960, 960, 0, 3 * 960, 960, 960]


def test_a_reordered_packet_is_played_in_order_when_waiting() -> None:
    packets = opus_packets(6)
    packets[2], packets[3] = packets[3], packets[2]
    buffer = HoleSkippingJitterBuffer(reorder_wait=1)
    assert decoded_lengths(buffer, packets) == [960, 960, 0, 2 * 960, 960, 960]


def test_concealment_is_audible_not_silence() -> None:
    packets = opus_packets(12)
    decoder, buffer = OpusDecoder(), HoleSkippingJitterBuffer()
    frames = []
    for packet in packets[:6] + packets[7:]:
        _, frame = buffer.add(packet)
        if frame is not None:
            frames += decoder.decode(frame)
    merged = next(f for f in frames if isinstance(f, av.AudioFrame) and f.samples == 2 * 960)
    concealed = cast(av.AudioFrame, merged).to_ndarray()[0, : 960 * 2]
    assert np.abs(concealed).max() > 1000


def test_late_and_duplicate_packets_are_dropped_and_a_restart_is_followed() -> None:
    packets = opus_packets(5)
    buffer = HoleSkippingJitterBuffer()
    assert buffer.add(packets[0])[1] is not None
    assert buffer.add(packets[2])[1] is not None  # no waiting: packet 1 is concealed
    assert buffer.add(packets[1])[1] is None  # too late
    assert buffer.add(packets[2])[1] is None  # duplicate
    restarted = opus_packets(1)[0]
    restarted.sequence_number = 30000
    assert buffer.add(restarted)[1] is not None


def test_installed_it_replaces_audio_buffers_only() -> None:
    audio = rtcrtpreceiver.JitterBuffer(capacity=16, prefetch=4)
    video = rtcrtpreceiver.JitterBuffer(capacity=512, is_video=True)
    assert isinstance(audio, HoleSkippingJitterBuffer)
    assert isinstance(video, JitterBuffer)


async def receive_for(seconds: float, loss: float) -> tuple[PeerPair, list[tuple[float, int]]]:
    """Send a steady tone through a lossy link; return (arrival time, decoded samples) per frame."""
    microphone = SyntheticMicrophone()
    tone = (8000 * np.sin(2 * np.pi * 300 * np.arange(int(48000 * (seconds + 1))) / 48000)).astype("<i2")
    microphone.say(tone.tobytes())
    pair = PeerPair(microphone.track, loss=loss, seed=7)
    await pair.connect()
    remote = await asyncio.wait_for(pair.remote_track(), 10)
    received: list[tuple[float, int]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        frame = cast(av.AudioFrame, await asyncio.wait_for(remote.recv(), 5))
        received.append((time.monotonic(), frame.samples))
    return pair, received


@pytest.mark.parametrize("loss", [0.01, 0.05])
async def test_delay_stays_bounded_under_loss(loss: float) -> None:
    pair, received = await receive_for(4.0, loss)
    try:
        send_times = list(pair.wire.sent.values())  # in sending order, whatever the sequence numbers
        delays, total = [], 0
        for arrived_at, samples in received:
            total += samples
            newest = total // 960 - 1  # concealment keeps the timeline, so samples count frames
            delays.append(arrived_at - send_times[newest])
        gaps = [b[0] - a[0] for a, b in itertools.pairwise(received)]
        assert pair.wire.dropped > 0
        # aiortc's own buffer holds every frame for 80 ms and falls ~200 ms behind after one loss.
        assert statistics.median(delays) < 0.06
        assert max(delays[len(delays) // 4 :]) < 0.2  # it does not drift behind as losses add up
        assert max(gaps) < 0.3  # no stall
    finally:
        await pair.close()
