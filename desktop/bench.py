"""The benchmark command: `python -m desktop.bench` prints a Markdown table of the figures the README
carries, each the median of several runs, with the machine described.

Figures: connect time per dialect against the loopback server, launch-to-window time, the app's
memory idle and after a call, the bundle's size, and the audio latencies (desktop/audio/bench.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from desktop.realtime.config import ProviderKind, SessionConfig

ROOT = Path(__file__).resolve().parent.parent
BUNDLE_DIR = ROOT / "dist" / "Voice Assistant"
SHOWN_MARKER = "window-shown"


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    value: str
    target: str = ""
    note: str = ""


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


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


# --- connect time ---------------------------------------------------------------------------


def loopback_config(kind: ProviderKind, base: str, api_key: str, deployment: str) -> SessionConfig:
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
    from desktop.session import VoiceSession

    session = VoiceSession(config, SyntheticMicrophone(), RecordingSpeaker())
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


async def measure_connect(runs: int) -> list[Figure]:
    from desktop.loopback.server import LoopbackServer

    server = LoopbackServer()
    base = await server.start()
    figures: list[Figure] = []
    try:
        for kind in (ProviderKind.AZURE_PREVIEW, ProviderKind.AZURE, ProviderKind.OPENAI):
            config = loopback_config(kind, base, server.api_key, server.deployment)
            await _connect_once(config)  # warm-up: first imports and codec set-up
            times = [await _connect_once(config) for _ in range(runs)]
            median, p95 = _percentiles(times)
            figures.append(
                Figure(
                    f"connect, {kind.value} (start to session.updated)",
                    f"{median * 1000:.0f} ms (p95 {p95 * 1000:.0f} ms)",
                    "≤ 150 ms",
                )
            )
    finally:
        await server.stop()
    return figures


# --- start-up, memory, bundle ---------------------------------------------------------------


def _app_command() -> list[str]:
    return [sys.executable, "-m", "desktop"]


def measure_window_shown(runs: int) -> Figure:
    """Launch the app as a person would (new process, offscreen) until its window is on screen."""
    times = []
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "VOICE_ASSISTANT_EXIT_WHEN_SHOWN": "1"}
    for _ in range(runs + 1):
        started = time.perf_counter()
        process = subprocess.Popen(_app_command(), env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(SHOWN_MARKER):
                times.append(time.perf_counter() - started)
                break
        process.wait(timeout=30)
    median, p95 = _percentiles(times[1:])  # the first run fills the disk cache
    return Figure("launch to window shown", f"{median * 1000:.0f} ms (p95 {p95 * 1000:.0f} ms)", "≤ 500 ms")


def measure_memory(call_seconds: float) -> list[Figure]:
    """RSS of the app idle (connected to the demo server, nobody talking) and after a call."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "VOICE_ASSISTANT_MEMORY_PROBE": str(call_seconds),
    }
    result = subprocess.run(
        [*_app_command(), "--self-test"], env=env, capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    idle = after = ""
    for line in result.stdout.splitlines():
        if line.startswith("rss-idle"):
            idle = line.split()[1]
        elif line.startswith("rss-after-call"):
            after = line.split()[1]
    if not idle:
        return [Figure("memory", "not measured", note=result.stdout.strip()[-200:])]
    return [
        Figure("RSS idle (connected, window shown)", f"{idle} MB", "< 150 MB"),
        Figure(f"RSS after a {call_seconds:.0f} s call", f"{after} MB", "< 200 MB"),
    ]


def measure_bundle() -> Figure:
    if not BUNDLE_DIR.exists():
        return Figure("bundle size on disk", "not built", "< 200 MB", "pyinstaller --noconfirm build.spec")
    size = sum(path.stat().st_size for path in BUNDLE_DIR.rglob("*") if path.is_file())
    return Figure("bundle size on disk", f"{size / 1e6:.0f} MB", "< 200 MB")


def measure_audio(seconds: float) -> list[Figure]:
    from desktop.audio import bench as audio_bench

    return [Figure(name, value, target) for name, value, target in audio_bench.figures(seconds)]


def render(machine: str, figures: list[Figure]) -> str:
    lines = [f"Machine: {machine}", "", "| figure | value | target |", "|---|---|---|"]
    lines += [f"| {f.name} | {f.value} | {f.target} |" + (f" {f.note}" if f.note else "") for f in figures]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (the median is shown)")
    parser.add_argument("--call-seconds", type=float, default=60.0)
    parser.add_argument("--only", choices=["connect", "startup", "memory", "bundle", "audio"], nargs="*")
    args = parser.parse_args(argv)
    wanted = set(args.only or ["connect", "startup", "memory", "bundle", "audio"])
    steps: list[tuple[str, Callable[[], list[Figure]]]] = [
        ("connect", lambda: asyncio.run(measure_connect(args.runs))),
        ("startup", lambda: [measure_window_shown(args.runs)]),
        ("memory", lambda: measure_memory(args.call_seconds)),
        ("bundle", lambda: [measure_bundle()]),
        ("audio", lambda: measure_audio(args.call_seconds)),
    ]
    figures: list[Figure] = []
    for name, step in steps:
        if name in wanted:
            print(f"measuring {name}…", file=sys.stderr)
            figures += step()
    print(render(describe_machine(), figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
