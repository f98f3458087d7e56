"""Connect with real sound devices: start -> session.updated with the app's Microphone and Speaker
(PortAudio streams on the virtual PulseAudio devices, benchmarks/virtual_devices.py), against the demo
server in a child process (benchmarks/far_end.py), each client a fresh process
(benchmarks/connect_child.py) on the app's loop (qasync; `--loop asyncio` for plain asyncio). A
process's FIRST connect is counted apart from the repeats after it: the first pays for whatever the
app's start-up left to the first call, as a person's first call does.

Each connect is broken down by the time from start at which each step was seen: the devices open
(the stream keeper's log), the key minted, the SDP answer in, ICE/DTLS connected, the data channel
open, session.update sent and session.updated back (the connection's `on_step` hook).

`--trees A B ...` runs the client from each source tree in turn (round-robin, so the trees share the
machine's load alike): `--trees /tmp/before .` compares a checkout of main with this tree.

    python -m benchmarks.connect_devices [--processes 8] [--connects 4] [--audio devices|synthetic|both]
                                         [--loop qasync|asyncio] [--trees TREE ...] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.far_end import FarEndProcess
from benchmarks.figures import ROOT, Figure, print_rows
from benchmarks.virtual_devices import missing_tool, virtual_audio

TARGET_MS = 100.0
CHILD = Path(__file__).with_name("connect_child.py")
STEPS = (  # in the order they usually come; a step absent from a run is left out of its row
    "microphone_open", "speaker_open", "mint", "sdp", "ice", "data_channel",
    "session_update_sent", "session_updated",
)  # fmt: skip


@dataclass
class Runs:
    """Every connect of one tree and audio kind: the first of each process, and the repeats."""

    first: list[dict[str, float]] = field(default_factory=list)
    repeats: list[dict[str, float]] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)  # a client that crashed: not 0


async def run_child(far: FarEndProcess, tree: Path, audio: str, args: argparse.Namespace) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), far.url, far.api_key, far.deployment,
        "--connects", str(args.connects), "--audio", audio, "--loop", args.loop,
        env=env, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await process.communicate()
    # A client that crashed (`exit_codes`) keeps the connects it finished.
    connects = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]
    return {"connects": connects, "exit_code": process.returncode}


async def measure(args: argparse.Namespace) -> dict[tuple[str, str], Runs]:
    audios = ["devices", "synthetic"] if args.audio == "both" else [args.audio]
    results: dict[tuple[str, str], Runs] = {}
    far = await FarEndProcess.start(0.0, "webrtc")
    try:
        for _ in range(args.processes):
            for tree in args.trees:
                for audio in audios:
                    answer = await run_child(far, tree, audio, args)
                    runs = results.setdefault((str(tree), audio), Runs())
                    runs.first += answer["connects"][:1]
                    runs.repeats += answer["connects"][1:]
                    runs.exit_codes.append(answer["exit_code"])
    finally:
        await far.stop()
    return results


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples):.0f}" if samples else "–"


def summary(connects: list[dict[str, float]]) -> str:
    totals = [c["session_updated"] for c in connects if "session_updated" in c]
    if not totals:
        return "no connect finished"
    return f"{median_ms(totals)} ms ({min(totals):.0f}–{max(totals):.0f}, n={len(totals)})"


def breakdown(connects: list[dict[str, float]]) -> str:
    """The median time from start at which each step was seen."""
    parts = []
    for step in STEPS:
        seen = [c[step] for c in connects if step in c]
        if seen:
            parts.append(f"{step} {median_ms(seen)}")
    return ", ".join(parts)


def figures(results: dict[tuple[str, str], Runs]) -> list[Figure]:
    rows = []
    for (tree, audio), runs in results.items():
        label = "real devices" if audio == "devices" else "synthetic audio"
        where = "" if Path(tree).resolve() == ROOT else f", tree {tree}"
        for which, connects in (("first in a fresh process", runs.first), ("repeat", runs.repeats)):
            name = f"connect with {label}, {which}{where} (start to session.updated)"
            target = f"≤ {TARGET_MS:.0f} ms" if audio == "devices" else ""
            rows.append(Figure(name, summary(connects), target, breakdown(connects)))
    return rows


def table_figures(processes: int) -> list[Figure]:
    """The rows `python -m benchmarks` prints: this tree, real devices, the app's loop."""
    if (tool := missing_tool()) is not None:
        return [Figure("connect with real devices", "not measured", f"≤ {TARGET_MS:.0f} ms", f"no {tool}")]
    args = argparse.Namespace(processes=processes, connects=4, audio="devices", loop="qasync", trees=[ROOT])
    with virtual_audio():
        return figures(asyncio.run(measure(args)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.connect_devices", description=__doc__)
    parser.add_argument("--processes", type=int, default=8, help="fresh client processes per tree")
    parser.add_argument("--connects", type=int, default=4, help="connects per process (1 first + repeats)")
    parser.add_argument("--audio", choices=["devices", "synthetic", "both"], default="devices")
    parser.add_argument("--loop", choices=["qasync", "asyncio"], default="qasync", help="the client's loop")
    parser.add_argument("--trees", type=Path, nargs="+", default=[ROOT])
    parser.add_argument("--json", type=Path, help="also write every connect's steps here")
    args = parser.parse_args(argv)
    if (tool := missing_tool()) is not None:
        print(f"{tool} is missing: the virtual sound devices cannot be made", file=sys.stderr)
        return 1
    load_before = os.getloadavg()
    with virtual_audio():
        results = asyncio.run(measure(args))
    rows = figures(results)
    print_rows(rows)
    for row in rows:
        print(f"- {row.name}: {row.note}")
    for (tree, audio), runs in results.items():
        crashed = sum(code != 0 for code in runs.exit_codes)
        print(f"- {tree} {audio}: {crashed} of {len(runs.exit_codes)} client processes crashed")
    load = ", ".join(f"{x:.2f}" for x in (*load_before, *os.getloadavg()))
    print(f"\nLoad average (1, 5, 15 min) before, after: {load}")
    if args.json is not None:
        dump = {f"{tree} {audio}": vars(runs) for (tree, audio), runs in results.items()}
        args.json.write_text(json.dumps(dump, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
