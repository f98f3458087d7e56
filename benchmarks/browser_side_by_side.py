"""Side by side: our app's call against Chromium running the user's browser demo, CPU of each client.

Each call is 20 s of full duplex against the same far end (the demo server in a child process,
benchmarks/far_end.py, on the azure-preview dialect): the far end talks (speech, benchmarks/speech_loop.py)
while the same speech plays into the virtual microphone. Both clients use the same private PulseAudio
(benchmarks/virtual_devices.py): our app through PortAudio, Chromium through its own PulseAudio client
(the bench checks that each really opened a playback and a capture stream there, and prints them).
Chromium (benchmarks/chromium.py) loads the demo's page (benchmarks/browser_page/, served by
benchmarks/page_server.py), which starts the session on load; our app's call runs in a process of its
own (benchmarks/side_by_side_ours.py). Runs alternate, ours first (ours, Chromium, ours, ...), and each
figure is the CPU of the client's whole process tree (psutil: for Chromium the browser, renderer,
utility and GPU processes) over the measured seconds after a warm-up, as a share of one core; the far
end and the page server are not counted.

    python -m benchmarks.browser_side_by_side [--rounds 3] [--seconds 20] [--battery-saver] [--json out.json]
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from benchmarks import chromium
from benchmarks.far_end import ROOT, FarEndProcess
from benchmarks.figures import Figure, command_parser
from benchmarks.page_server import PageServer
from benchmarks.speech_loop import speech_wav
from benchmarks.virtual_devices import VirtualAudio, missing_tool, virtual_audio

WARM_UP = 3.0  # s between the media flowing and the measurement (streams settle, ICE and DTLS are done)
CONNECT_TIMEOUT = 30.0
TARGET, LONG_TERM = 0.5, 0.25  # ours / Chromium
Client = Literal["ours", "ours, 40 ms packets", "chromium"]
BLOCKS_PER_PACKET: dict[str, str] = {"ours": "1", "ours, 40 ms packets": "2"}


@dataclass
class Run:
    client: Client
    cpu_percent: float  # the client's process tree, share of one core
    processes: int
    packets_arrived: int  # the client's RTP packets the far end received while measured
    streams: str  # what the client opened on the virtual devices
    load_average: float  # the 1-minute load average at the end
    by_kind: dict[str, float]  # % of one core per kind of process (Chromium's browser, renderer, ...)


def speaking_into(audio: VirtualAudio, seconds: float) -> contextlib.AbstractContextManager[None]:
    """Speech played into the virtual microphone for `seconds`, stopped on leaving."""
    return audio.playing_into_mic(lambda folder: speech_wav(folder / "speech.wav", seconds))


def client_streams(audio: VirtualAudio) -> str:
    """The programs playing to and capturing from the virtual devices, other than the bench's own."""
    found = []
    for kind in ("sink-inputs", "source-outputs"):
        binaries = [
            line.split("=", 1)[1].strip().strip('"')
            for line in audio.pactl("list", kind).splitlines()
            if "application.process.binary" in line
        ]
        found.append(
            f"{kind}: {', '.join(b for b in binaries if b not in ('paplay', 'parec', 'pacat')) or 'none'}"
        )
    return "; ".join(found)


@contextlib.asynccontextmanager
async def ours(far: FarEndProcess, client: Client) -> AsyncIterator[int]:
    """Our app's call in a process of its own; yields its pid once connected."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.side_by_side_ours", far.url, far.api_key, far.deployment,
        BLOCKS_PER_PACKET[client],
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            if not await process.stdout.readline():
                raise RuntimeError("our app's call did not connect")
        yield process.pid
    finally:
        if process.returncode is None:
            process.stdin.write(b"quit\n")
            process.stdin.close()
            try:
                async with asyncio.timeout(15):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()


@contextlib.asynccontextmanager
async def browser(far: FarEndProcess, audio: VirtualAudio, executable: str) -> AsyncIterator[int]:
    """Chromium on the demo's page with a fresh profile; yields its pid (the page connects by itself)."""
    pages = PageServer(far.url, far.api_key, far.deployment)
    url = await pages.start()
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        process = chromium.launch(executable, url, Path(profile), chromium.pulse_env(audio.runtime_dir))
        try:
            yield process.pid
        finally:
            await asyncio.to_thread(chromium.stop, process)
            await pages.stop()


async def media_flowing(far: FarEndProcess) -> int:
    """Waits until the far end has a call and receives its RTP; returns the packets so far."""
    async with asyncio.timeout(CONNECT_TIMEOUT):
        while True:
            calls = await far.ask("calls")
            if calls["calls"] and calls["packets_arrived"]:
                return int(calls["packets_arrived"])
            await asyncio.sleep(0.2)


async def measure(client: Client, audio: VirtualAudio, seconds: float, executable: str) -> Run:
    far = await FarEndProcess.start(0.0)
    total = WARM_UP + seconds + 5
    try:
        opened = browser(far, audio, executable) if client == "chromium" else ours(far, client)
        async with opened as pid:
            await media_flowing(far)
            await far.ask(f"speech {total}")
            with speaking_into(audio, total):
                await asyncio.sleep(WARM_UP)
                packets_before = (await far.ask("calls"))["packets_arrived"]
                tree = chromium.TreeCpu(pid)
                tree.start()
                started = time.monotonic()
                await asyncio.sleep(seconds)
                busy, elapsed = tree.seconds(), time.monotonic() - started
                packets = (await far.ask("calls"))["packets_arrived"] - packets_before
                streams = client_streams(audio)
    finally:
        await far.stop()
    by_kind = {kind: round(seconds / elapsed * 100, 1) for kind, seconds in tree.by_kind.items()}
    load = os.getloadavg()[0]
    return Run(client, round(busy / elapsed * 100, 1), tree.processes, packets, streams, load, by_kind)


async def run_rounds(
    audio: VirtualAudio, clients: tuple[Client, ...], rounds: int, seconds: float, executable: str
) -> list[Run]:
    runs = []
    for _ in range(rounds):
        for client in clients:
            run = await measure(client, audio, seconds, executable)
            print(
                f"{run.client:20} CPU {run.cpu_percent:5.1f} % of one core ({run.processes} processes) | "
                f"{run.packets_arrived} RTP packets out | load {run.load_average:.2f} | {run.streams}"
                + ("" if run.client != "chromium" else f"\n    by process: {_by_kind(run)}"),
                flush=True,
            )
            runs.append(run)
    return runs


def _by_kind(run: Run) -> str:
    return ", ".join(
        f"{kind} {percent} %" for kind, percent in sorted(run.by_kind.items(), key=lambda k: -k[1])
    )


def summary(runs: list[Run]) -> list[str]:
    """Each client's median and range, its ratio to Chromium (median of the rounds' ratios, and
    their range) against the targets, and the load average."""
    chromium_cpu = [r.cpu_percent for r in runs if r.client == "chromium"]
    spread = f"({min(chromium_cpu)}–{max(chromium_cpu)})"
    lines = [f"{'chromium':20} median {statistics.median(chromium_cpu):.1f} % {spread}"]
    for client in BLOCKS_PER_PACKET:
        cpu = [r.cpu_percent for r in runs if r.client == client]
        if not cpu:
            continue
        ratios = [o / c for o, c in zip(cpu, chromium_cpu, strict=False) if c]
        ratio = statistics.median(ratios)
        verdict = "met" if ratio <= TARGET else "not met"
        lines.append(
            f"{client:20} median {statistics.median(cpu):.1f} % ({min(cpu)}–{max(cpu)}); ratio to Chromium "
            f"{ratio:.2f} ({min(ratios):.2f}–{max(ratios):.2f}); target ≤ {TARGET}× ({verdict}), "
            f"long-term {LONG_TERM}×"
        )
    loads = [r.load_average for r in runs]
    lines.append(
        f"load average (1 min) at the runs' ends: {min(loads):.2f}–{max(loads):.2f}, {os.cpu_count()} cores"
    )
    return lines


def figures(rounds: int = 3, seconds: float = 20.0) -> list[Figure]:
    """The rows of the project's bench (benchmarks/table.py): both clients' medians and the ratio."""
    executable = chromium.find_chromium()
    missing = f"Chromium ({chromium.INSTALL_HINT})" if executable is None else missing_tool()
    if executable is None or missing is not None:
        return [Figure("CPU side by side with Chromium", f"not measured: {missing} is missing", "-")]
    with virtual_audio() as audio, contextlib.redirect_stdout(sys.stderr):  # each run's line: progress
        runs = asyncio.run(run_rounds(audio, ("ours", "chromium"), rounds, seconds, executable))
    cpu = {c: [r.cpu_percent for r in runs if r.client == c] for c in ("ours", "chromium")}
    ratios = [o / c for o, c in zip(cpu["ours"], cpu["chromium"], strict=True) if c]
    call = f"{seconds:.0f} s full-duplex call, speech both ways, {rounds} rounds in turn"
    return [
        Figure(f"CPU, Chromium on the browser demo ({call})", f"{statistics.median(cpu['chromium']):.1f} %"),
        Figure(f"CPU, our app ({call})", f"{statistics.median(cpu['ours']):.1f} % of one core"),
        Figure(
            "CPU, ours / Chromium (median of the rounds' ratios, range)",
            f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})",
            f"≤ {TARGET}× (long-term {LONG_TERM}×)",
        ),
    ]


def main() -> None:
    parser = command_parser("benchmarks.browser_side_by_side", __doc__)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of ours then Chromium")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--battery-saver", action="store_true", help="also our call with 40 ms uplink packets, in each round"
    )
    parser.add_argument("--json", help="also write the runs to this file")
    args = parser.parse_args()
    executable = chromium.find_chromium()
    if executable is None:
        parser.exit(1, f"Chromium is not installed, nothing measured: {chromium.INSTALL_HINT}.\n")
    if (tool := missing_tool()) is not None:
        parser.exit(1, f"{tool} is missing, nothing measured: the bench needs PulseAudio's tools.\n")
    clients: tuple[Client, ...] = (
        ("ours", "ours, 40 ms packets", "chromium") if args.battery_saver else ("ours", "chromium")
    )
    version = subprocess.run([executable, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{version}; {args.rounds} rounds of {args.seconds:.0f} s full-duplex calls: {', '.join(clients)}")
    with virtual_audio() as audio:
        runs = asyncio.run(run_rounds(audio, clients, args.rounds, args.seconds, executable))
    print("\n".join(summary(runs)))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in runs], indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
