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
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from desktop.paths import DATA_DIR_ENV
from desktop.realtime.config import ProviderKind, SessionConfig

ROOT = Path(__file__).resolve().parent.parent
BUNDLE_DIR = ROOT / "dist" / "Voice Assistant"


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

LAUNCH_LIMIT_S = 30.0
BUNDLE_BINARY = BUNDLE_DIR / ("voice-assistant.exe" if sys.platform == "win32" else "voice-assistant")


def _app_command() -> list[str]:
    return [sys.executable, "-m", "desktop"]


def _private_env(folder: str, **extra: str) -> dict[str, str]:
    """Offscreen, with a data folder of its own: the runs never touch the person's calendar."""
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", DATA_DIR_ENV: folder, **extra}


def _seconds_to_window(command: list[str], env: dict[str, str], marker: str) -> float | None:
    """Launch as a person would (a new process) until the app prints that its window is shown; it
    then quits by itself (VOICE_ASSISTANT_EXIT_WHEN_SHOWN). None when the marker never comes."""
    lines: queue.Queue[str | None] = queue.Queue()
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )

    def read() -> None:  # a thread, so that a silent app cannot hang the benchmark
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        while (line := lines.get(timeout=LAUNCH_LIMIT_S)) is not None:
            if line.startswith(marker):
                return time.perf_counter() - started
        return None
    except queue.Empty:
        return None
    finally:
        process.kill()
        process.wait()


def _launches() -> list[tuple[str, list[str]]]:
    """The app from the source tree, and the packaged app when it has been built."""
    launches = [("source tree", _app_command())]
    if BUNDLE_BINARY.exists():
        launches.append(("packaged app", [str(BUNDLE_BINARY)]))
    return launches


def measure_window_shown(runs: int) -> list[Figure]:
    from desktop.app import EXIT_WHEN_SHOWN_ENV, SHOWN_MARKER

    figures = []
    with tempfile.TemporaryDirectory() as folder:
        env = _private_env(folder, **{EXIT_WHEN_SHOWN_ENV: "1"})
        for where, command in _launches():
            name = f"launch to window shown ({where})"
            times: list[float] = []
            while len(times) <= runs and (seconds := _seconds_to_window(command, env, SHOWN_MARKER)):
                times.append(seconds)
            if len(times) <= runs:
                figures.append(Figure(name, "not measured", "≤ 500 ms", "(no window-shown marker)"))
                continue
            median, p95 = _percentiles(times[1:])  # the first launch fills the disk cache
            figures.append(Figure(name, f"{median * 1000:.0f} ms (p95 {p95 * 1000:.0f} ms)", "≤ 500 ms"))
    return figures


def measure_memory(call_seconds: float) -> list[Figure]:
    """RSS of the app idle (connected to the demo server, nobody talking) and after a call, read
    from the self-test's memory probe (the demo server runs inside the app, as on a first run)."""
    figures = []
    for where, command in _launches():
        with tempfile.TemporaryDirectory() as folder:
            result = subprocess.run(
                [*command, "--self-test"],
                env=_private_env(folder, VOICE_ASSISTANT_MEMORY_PROBE=str(call_seconds)),
                capture_output=True, text=True, cwd=ROOT, timeout=call_seconds + 120,
            )  # fmt: skip
        probes = dict(line.split()[:2] for line in result.stdout.splitlines() if line.startswith("rss-"))
        if "rss-after-call" not in probes:
            note = (result.stderr.strip().splitlines() or [""])[-1]
            figures.append(Figure(f"memory ({where})", "not measured", note=note))
            continue
        figures += [
            Figure(f"RSS idle, connected ({where})", f"{probes['rss-idle']} MB", "< 150 MB"),
            Figure(f"RSS after a {call_seconds:.0f} s call ({where})", f"{probes['rss-after-call']} MB",
                   "< 200 MB"),
        ]  # fmt: skip
    return figures


def measure_bundle() -> Figure:
    """Disk usage as `du` counts it: allocated blocks, each file once (the bundle has symlinks)."""
    if not BUNDLE_DIR.exists():
        return Figure("bundle size on disk", "not built", "< 200 MB", "pyinstaller --noconfirm build.spec")
    used = 0
    for folder, _dirs, files in os.walk(BUNDLE_DIR):
        for name in files:
            info = os.lstat(os.path.join(folder, name))
            used += getattr(info, "st_blocks", 0) * 512 or info.st_size
    return Figure("bundle size on disk", f"{used / 2**20:.0f} MiB", "< 200 MB")


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
        ("startup", lambda: measure_window_shown(args.runs)),
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
