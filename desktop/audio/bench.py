"""Audio latency benchmark on loopback with the virtual PulseAudio devices.

mouth-to-wire: the microphone callback receives a block -> the RTP packet carrying it reaches the peer.
wire-to-ear: the peer sends the RTP packet of a click -> the speaker callback hands the click to the
device. Both directions run at once over two aiortc peer pairs in this process (so CPU and RSS include
the far peers' Opus work too), with packet loss injected on the sending side.

    python -m desktop.audio.bench [--seconds 12] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import statistics
import time
from dataclasses import asdict, dataclass

import numpy as np
import psutil
from aiortc import rtcrtpreceiver
from aiortc.jitterbuffer import JitterBuffer

from desktop.audio import jitter
from desktop.audio.block_track import BLOCK_FRAMES, BLOCK_SECONDS, SILENCE, BlockTrack
from desktop.audio.microphone import Microphone
from desktop.audio.peer_pair import PeerPair, Wire
from desktop.audio.speaker import Speaker
from desktop.audio.virtual_devices import virtual_audio

CLICK_EVERY = 25  # one 20 ms click every half second
CLICK = (np.random.default_rng(3).normal(0, 8000, BLOCK_FRAMES)).clip(-32000, 32000).astype("<i2").tobytes()
WARM_UP = 3.0  # PulseAudio through ALSA stalls about 1.3 s after a stream opens


@dataclass
class Spread:
    median_ms: float
    p95_ms: float
    count: int

    @classmethod
    def of(cls, seconds: list[float]) -> Spread:
        if not seconds:
            return cls(float("nan"), float("nan"), 0)
        ordered = sorted(seconds)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        return cls(round(statistics.median(ordered) * 1000, 1), round(p95 * 1000, 1), len(ordered))


@dataclass
class CallFigures:
    loss: float
    jitter_buffer: str
    mouth_to_wire: Spread
    wire_to_ear: Spread
    cpu_percent: float
    rss_mb: float
    underruns: int
    trimmed_ms: float


def first_packet_after(wire: Wire, moment: float) -> int | None:
    """The sequence number of the first RTP packet sent at or after `moment`."""
    sent = list(wire.sent.items())
    index = bisect.bisect_left([t for _, t in sent], moment)
    return sent[index][0] if index < len(sent) else None


async def pace_clicks(track: BlockTrack) -> None:
    """Silence with a click every half second, on a monotonic clock with catch-up."""
    start, count = time.monotonic(), 0
    while True:
        while start + count * BLOCK_SECONDS <= time.monotonic():
            track.push(CLICK if count % CLICK_EVERY == 0 else SILENCE, start + count * BLOCK_SECONDS)
            count += 1
        await asyncio.sleep(BLOCK_SECONDS / 2)


def click_onsets(speaker: Speaker, onsets: list[float], quiet: list[bool]) -> None:
    """Times at which the callback handed over a loud chunk after a quiet one."""
    for chunk in speaker.take_played():
        peak = int(np.abs(np.frombuffer(chunk.pcm, dtype=np.int16)).max())
        if peak > 4000 and quiet[0]:
            onsets.append(chunk.at)
        quiet[0] = peak < 1000


async def measure_call(loss: float, seconds: float, stock_jitter: bool = False) -> CallFigures:
    if stock_jitter:
        rtcrtpreceiver.JitterBuffer = JitterBuffer  # type: ignore[misc]
    else:
        jitter.install()
    microphone, speaker, clicks = Microphone(), Speaker(), BlockTrack()
    captured: list[tuple[float, float]] = []  # (captured by the callback, handed to aiortc)
    microphone.track.observer = lambda pts, at: captured.append((at, time.monotonic()))
    click_sent: list[float] = []
    clicks.observer = lambda pts, at: click_sent.append(time.monotonic()) if pts // BLOCK_FRAMES % CLICK_EVERY == 0 else None
    uplink, downlink = PeerPair(microphone.track, loss, seed=11), PeerPair(clicks, loss, seed=12)
    pacer = asyncio.create_task(pace_clicks(clicks))
    await microphone.start()
    await speaker.start()
    await uplink.connect()
    await downlink.connect()
    speaker.attach(await downlink.remote_track())
    receiving = asyncio.create_task(_drain(await uplink.remote_track()))
    await asyncio.sleep(WARM_UP)
    onsets: list[float] = []
    quiet = [True]
    speaker.take_played()
    captured.clear()
    window_start = time.monotonic()
    process = psutil.Process()
    cpu_before = sum(process.cpu_times()[:2])
    while time.monotonic() < window_start + seconds:
        await asyncio.sleep(0.1)
        click_onsets(speaker, onsets, quiet)
    cpu = (sum(process.cpu_times()[:2]) - cpu_before) / (time.monotonic() - window_start) * 100
    figures = CallFigures(
        loss=loss,
        jitter_buffer="aiortc" if stock_jitter else "hole-skipping",
        mouth_to_wire=Spread.of(_mouth_to_wire(uplink.wire, captured)),
        wire_to_ear=Spread.of(_wire_to_ear(downlink.wire, click_sent, onsets)),
        cpu_percent=round(cpu, 1),
        rss_mb=round(process.memory_info().rss / 2**20, 1),
        underruns=speaker.underruns,
        trimmed_ms=round(speaker._buffer.dropped_seconds * 1000, 1),
    )
    for task in (pacer, receiving):
        task.cancel()
    await microphone.stop()
    await speaker.stop()
    await uplink.close()
    await downlink.close()
    return figures


async def _drain(track: object) -> None:
    while True:
        await track.recv()  # type: ignore[attr-defined]


def _mouth_to_wire(wire: Wire, captured: list[tuple[float, float]]) -> list[float]:
    latencies = []
    for captured_at, handed_at in captured:
        seq = first_packet_after(wire, handed_at)
        if seq is not None and seq in wire.arrived:
            latencies.append(wire.arrived[seq] - captured_at)
    return latencies


def _wire_to_ear(wire: Wire, click_handed: list[float], onsets: list[float]) -> list[float]:
    sent = [wire.sent[seq] for t in click_handed if (seq := first_packet_after(wire, t)) is not None]
    latencies = []
    for onset in onsets:
        earlier = [s for s in sent if 0 <= onset - s < CLICK_EVERY * BLOCK_SECONDS * 0.8]
        if earlier:
            latencies.append(onset - max(earlier))
    return latencies


async def run_bench(seconds: float = 12.0) -> list[CallFigures]:
    scenarios = [(0.0, False), (0.01, False), (0.05, False), (0.01, True)]
    results = []
    for loss, stock in scenarios:
        results.append(await measure_call(loss, seconds, stock_jitter=stock))
    jitter.install()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    with virtual_audio():
        results = asyncio.run(run_bench(args.seconds))
    for r in results:
        print(
            f"loss {r.loss:4.0%} {r.jitter_buffer:13}  mouth-to-wire median {r.mouth_to_wire.median_ms} ms "
            f"p95 {r.mouth_to_wire.p95_ms} ms | wire-to-ear median {r.wire_to_ear.median_ms} ms "
            f"p95 {r.wire_to_ear.p95_ms} ms (n={r.wire_to_ear.count}) | CPU {r.cpu_percent} % "
            f"RSS {r.rss_mb} MB underruns {r.underruns} trimmed {r.trimmed_ms} ms"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump([asdict(r) for r in results], out, indent=2)


if __name__ == "__main__":
    main()
