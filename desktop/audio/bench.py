"""Audio latency benchmark on loopback with the virtual PulseAudio devices.

mouth-to-wire: the microphone callback receives a click (played into the virtual microphone) -> the
RTP packet carrying it reaches the peer. wire-to-ear: the peer sends the RTP packet of a click -> the
speaker callback hands the click to the device. Clicks are recognised by content (loud samples, big
Opus packets), not by counting frames: encoders and buffers may hold frames back. Both directions
run at once over two aiortc peer pairs in this process (so CPU and RSS include the far peers' Opus
work too), with packet loss injected on the sending side.

    python -m desktop.audio.bench [--seconds 12] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import wave
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import psutil
from aiortc import rtcrtpreceiver
from aiortc.jitterbuffer import JitterBuffer
from aiortc.mediastreams import MediaStreamTrack
from av import AudioFrame

from desktop.audio import jitter
from desktop.audio.block_track import BLOCK_FRAMES, BLOCK_SECONDS, SILENCE, BlockTrack
from desktop.audio.microphone import Microphone
from desktop.audio.peer_pair import PeerPair, Wire
from desktop.audio.speaker import Speaker
from desktop.audio.virtual_devices import VirtualAudio, missing_tool, virtual_audio

CLICK_EVERY = 25  # one 20 ms click every half second
CLICK = (np.random.default_rng(3).normal(0, 8000, BLOCK_FRAMES)).clip(-32000, 32000).astype("<i2").tobytes()
LOUD_PACKET_BYTES = 60  # Opus silence takes a few bytes per packet, a noise click hundreds
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


def wire_onsets(wire: Wire, times: dict[int, float]) -> list[float]:
    """Times (from `times`) of the packets where loud audio starts after quiet, in sending order."""
    onsets, quiet = [], True
    for seq, size in wire.sizes.items():
        if size > LOUD_PACKET_BYTES and quiet and seq in times:
            onsets.append(times[seq])
        quiet = size <= LOUD_PACKET_BYTES
    return onsets


def latencies(starts: list[float], ends: list[float]) -> list[float]:
    """Pair each end with the latest start before it (clicks are half a second apart)."""
    found = []
    for end in ends:
        earlier = [start for start in starts if 0 <= end - start < CLICK_EVERY * BLOCK_SECONDS * 0.8]
        if earlier:
            found.append(end - max(earlier))
    return found


async def pace_clicks(track: BlockTrack) -> None:
    """Silence with a click every half second, on a monotonic clock with catch-up."""
    start, count = time.monotonic(), 0
    while True:
        while start + count * BLOCK_SECONDS <= time.monotonic():
            track.push(CLICK if count % CLICK_EVERY == 0 else SILENCE, start + count * BLOCK_SECONDS)
            count += 1
        await asyncio.sleep(BLOCK_SECONDS / 2)


def click_train(path: Path, seconds: float) -> Path:
    blocks = [CLICK if i % CLICK_EVERY == 0 else SILENCE for i in range(int(seconds / BLOCK_SECONDS))]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(48000)
        out.writeframes(b"".join(blocks))
    return path


class Onsets:
    """Times at which loud audio starts after quiet, fed chunk by chunk."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._quiet = True

    def feed(self, at: float, pcm: bytes) -> None:
        peak = int(np.abs(np.frombuffer(pcm, dtype=np.int16)).max())
        if peak > 4000 and self._quiet:
            self.times.append(at)
        self._quiet = peak < 1000


def watch_capture(microphone: Microphone, onsets: Onsets) -> None:
    """Note when each captured block that reaches aiortc was captured, and whether a click starts."""
    track = microphone.track
    captured_at = [0.0]
    track.observer = lambda pts, at: captured_at.__setitem__(0, at)
    receive = track.recv

    async def recv() -> AudioFrame:
        frame = await receive()
        onsets.feed(captured_at[0], frame.to_ndarray().tobytes())
        return frame

    track.recv = recv  # type: ignore[method-assign]


async def measure_call(
    audio: VirtualAudio, loss: float, seconds: float, stock_jitter: bool = False
) -> CallFigures:
    if stock_jitter:
        rtcrtpreceiver.JitterBuffer = JitterBuffer  # type: ignore[misc]
    else:
        jitter.install()
    microphone, speaker, clicks = Microphone(), Speaker(), BlockTrack()
    captured, heard = Onsets(), Onsets()
    watch_capture(microphone, captured)
    uplink, downlink = PeerPair(microphone.track, loss, seed=11), PeerPair(clicks, loss, seed=12)
    tasks = {asyncio.create_task(pace_clicks(clicks))}
    await microphone.start()
    await speaker.start()
    await uplink.connect()
    await downlink.connect()
    speaker.attach(await downlink.remote_track())
    tasks.add(asyncio.create_task(_drain(await uplink.remote_track())))
    with tempfile.TemporaryDirectory() as folder:
        player = audio.play_into_mic(click_train(Path(folder) / "clicks.wav", WARM_UP + seconds + 2))
        await asyncio.sleep(WARM_UP)
        speaker.take_played()
        captured.times.clear()
        window_start, process = time.monotonic(), psutil.Process()
        cpu_before = sum(process.cpu_times()[:2])
        while time.monotonic() < window_start + seconds:
            await asyncio.sleep(0.1)
            for chunk in speaker.take_played():
                heard.feed(chunk.at, chunk.pcm)
        cpu = (sum(process.cpu_times()[:2]) - cpu_before) / (time.monotonic() - window_start) * 100
        player.kill()
        player.wait()
    figures = CallFigures(
        loss=loss,
        jitter_buffer="aiortc" if stock_jitter else "hole-skipping",
        mouth_to_wire=Spread.of(latencies(captured.times, wire_onsets(uplink.wire, uplink.wire.arrived))),
        wire_to_ear=Spread.of(latencies(wire_onsets(downlink.wire, downlink.wire.sent), heard.times)),
        cpu_percent=round(cpu, 1),
        rss_mb=round(process.memory_info().rss / 2**20, 1),
        underruns=speaker.underruns,
        trimmed_ms=round(speaker.trimmed_seconds * 1000, 1),
    )
    for task in tasks:
        task.cancel()
    for part in (microphone, speaker, uplink, downlink):
        await part.close() if isinstance(part, PeerPair) else await part.stop()
    return figures


async def _drain(track: MediaStreamTrack) -> None:
    while True:
        await track.recv()


async def run_bench(audio: VirtualAudio, seconds: float = 12.0) -> list[CallFigures]:
    """Each scenario is a fresh call; aiortc's own jitter buffer is measured once for comparison."""
    scenarios = [(0.0, False), (0.01, False), (0.05, False), (0.01, True)]
    results = []
    for loss, stock in scenarios:
        results.append(await measure_call(audio, loss, seconds, stock_jitter=stock))
    jitter.install()
    return results


def figures(seconds: float = 12.0) -> list[tuple[str, str, str]]:
    """(name, value, target) rows for the project's bench (desktop/bench.py)."""
    tool = missing_tool()
    if tool is not None:
        return [("audio latencies", f"not measured: {tool} is missing", "-")]
    with virtual_audio() as audio:
        results = asyncio.run(run_bench(audio, seconds))
    rows = []
    for r in results:
        label = f"{r.loss:.0%} loss" + (", aiortc's jitter buffer" if r.jitter_buffer == "aiortc" else "")
        rows.append((f"mouth-to-wire ({label})", _spread(r.mouth_to_wire), "median < 40 ms"))
        rows.append((f"wire-to-ear ({label})", _spread(r.wire_to_ear), "median < 150 ms"))
    first = results[0]
    rows.append(("audio call CPU, both peers in one process", f"{first.cpu_percent} % of a core", "< 35 %"))
    rows.append(("audio call RSS", f"{first.rss_mb} MB", "< 200 MB"))
    return rows


def _spread(spread: Spread) -> str:
    return f"median {spread.median_ms} ms p95 {spread.p95_ms} ms (n={spread.count})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    with virtual_audio() as audio:
        results = asyncio.run(run_bench(audio, args.seconds))
    for r in results:
        print(
            f"loss {r.loss:4.0%} {r.jitter_buffer:13} | mouth-to-wire {_spread(r.mouth_to_wire)} | "
            f"wire-to-ear {_spread(r.wire_to_ear)} | CPU {r.cpu_percent} % RSS {r.rss_mb} MB "
            f"underruns {r.underruns} trimmed {r.trimmed_ms} ms"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump([asdict(r) for r in results], out, indent=2)


if __name__ == "__main__":
    main()
