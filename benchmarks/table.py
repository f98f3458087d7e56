"""The benchmark command: `python -m benchmarks` prints a Markdown table of the figures the README
carries, each the median of several runs, with the machine described and its load average.

Figures: connect time per dialect and transport against the demo server, and with real sound devices
from fresh processes (benchmarks/connect_devices.py), launch-to-window time, the app's
memory idle and after a call (those two in benchmarks/launch.py), the bundle's size, the audio
latencies (benchmarks/audio.py), a call's CPU next to Chromium's on the browser demo
(benchmarks/browser_side_by_side.py), and the knowledge index's indexing and search times
(benchmarks/knowledge.py).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import os
import platform
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from benchmarks import connect_devices, launch
from benchmarks.figures import BUNDLE_DIR, Figure, percentiles
from desktop.audio import aiortc_patches
from desktop.realtime.config import ProviderKind, SessionConfig, TransportChoice


def describe_machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = ", ".join(
        f"{name} {_version(name)}" for name in ("PySide6-Essentials", "aiortc", "qasync", "av")
    )
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {versions}"
    )


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


# --- connect time ---------------------------------------------------------------------------


def demo_config(kind: ProviderKind, base: str, api_key: str, deployment: str) -> SessionConfig:
    return SessionConfig(
        provider=kind,
        endpoint=base,
        webrtc_url=f"{base}/v1/realtimertc" if kind is ProviderKind.AZURE_PREVIEW else "",
        deployment=deployment,
        api_key=api_key,
        greet_first=False,
    )


async def _connect_once(config: SessionConfig) -> float:
    from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
    from desktop.realtime import Connection, websocket_connector
    from desktop.session.voice_session import VoiceSession

    connect = websocket_connector(None) if config.transport == "websocket" else Connection
    session = VoiceSession(config, SyntheticMicrophone(), RecordingSpeaker(), connect=connect)
    drain = asyncio.create_task(_drain(session))
    started = time.perf_counter()
    try:
        await session.connect()  # returns once session.updated has arrived
        return time.perf_counter() - started
    finally:
        await session.hang_up()
        await drain


async def _drain(session: object) -> None:
    async for _event in session.events():  # type: ignore[attr-defined]
        pass


TRANSPORTS: tuple[TransportChoice, ...] = ("webrtc", "websocket")
CONNECT_KINDS = (ProviderKind.AZURE_PREVIEW, ProviderKind.AZURE, ProviderKind.OPENAI)


async def measure_connect(runs: int) -> list[Figure]:
    from desktop.demo.server import DemoServer

    server = DemoServer()
    base = await server.start()
    figures: list[Figure] = []
    try:
        for transport, kind in itertools.product(TRANSPORTS, CONNECT_KINDS):
            config = demo_config(kind, base, server.api_key, server.deployment)
            config = dataclasses.replace(config, transport=transport)
            await _connect_once(config)  # warm-up: first imports and codec set-up
            times = [await _connect_once(config) for _ in range(runs)]
            median, p95 = percentiles(times)
            over = "" if transport == "webrtc" else ", over the WebSocket"
            figures.append(
                Figure(
                    f"connect, {kind.value}{over} (start to session.updated)",
                    f"{median * 1000:.0f} ms (p95 {p95 * 1000:.0f} ms)",
                    "≤ 150 ms",
                )
            )
    finally:
        await server.stop()
    return figures


# --- bundle, audio ---------------------------------------------------------------------------


BUNDLE_TARGET = "≤ 120 MiB"  # issue #20 (CI's own limit, 200 MB, only catches a large part coming back)


def measure_bundle() -> Figure:
    """Disk usage as `du` counts it: allocated blocks, each file once (the bundle has symlinks)."""
    if not BUNDLE_DIR.exists():
        return Figure("bundle size on disk", "not built", BUNDLE_TARGET, "pyinstaller --noconfirm build.spec")
    used = 0
    for folder, _dirs, files in os.walk(BUNDLE_DIR):
        for name in files:
            info = os.lstat(os.path.join(folder, name))
            used += getattr(info, "st_blocks", 0) * 512 or info.st_size
    return Figure("bundle size on disk", f"{used / 2**20:.0f} MiB", BUNDLE_TARGET,
                  "its largest items: python -m benchmarks.bundle_items")


def measure_audio(seconds: float) -> list[Figure]:
    from benchmarks import audio as audio_bench

    return [Figure(name, value, target) for name, value, target in audio_bench.figures(seconds)]


def measure_side_by_side() -> list[Figure]:
    from benchmarks import browser_side_by_side

    return browser_side_by_side.figures()


def measure_knowledge() -> list[Figure]:
    from benchmarks import knowledge

    return knowledge.figures()


def _load_average() -> str:
    """Other work on the machine stretches every wall-clock figure: say how much there was."""
    return ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"


def render(machine: str, figures: list[Figure]) -> str:
    lines = [f"Machine: {machine}", "", "| figure | value | target |", "|---|---|---|"]
    lines += [f"| {f.name} | {f.value} | {f.target} |" + (f" {f.note}" if f.note else "") for f in figures]
    return "\n".join(lines)


FIGURES = ["connect", "connect-devices", "startup", "memory", "bundle", "audio", "chromium", "knowledge"]

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (the median is shown)")
    parser.add_argument("--call-seconds", type=float, default=60.0)
    parser.add_argument("--memory-runs", type=int, default=3, help="runs per memory figure (each has a call)")
    parser.add_argument(
        "--only",
        choices=FIGURES,
        nargs="*",
    )
    args = parser.parse_args(argv)
    aiortc_patches.install()  # as the app at start-up: the connect and audio figures run in this process
    wanted = set(args.only or FIGURES)
    steps: list[tuple[str, Callable[[], list[Figure]]]] = [
        ("connect", lambda: asyncio.run(measure_connect(args.runs))),
        ("connect-devices", lambda: connect_devices.table_figures(max(args.runs, 8))),
        ("startup", lambda: launch.measure_window_shown(args.runs)),
        ("memory", lambda: launch.measure_memory(args.call_seconds, args.memory_runs)),
        ("bundle", lambda: [measure_bundle()]),
        ("audio", lambda: measure_audio(args.call_seconds)),
        ("chromium", measure_side_by_side),
        ("knowledge", measure_knowledge),
    ]
    figures: list[Figure] = []
    load_before = _load_average()
    for name, step in steps:
        if name in wanted:
            print(f"measuring {name}…", file=sys.stderr)
            figures += step()
    print(render(describe_machine(), figures))
    print(f"\nLoad average (1, 5, 15 min) before: {load_before}; after: {_load_average()}")
    return 0
