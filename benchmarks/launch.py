"""The launch figures of `python -m benchmarks`: time from launch to the window shown, and the
app's resident memory idle, connected with nobody talking, and after a call. Each run is a new
process launched as a person would launch it, with a data folder and settings of its own.
"""

from __future__ import annotations

import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from benchmarks.figures import BUNDLE_DIR, ROOT, Figure, percentiles
from desktop.storage.paths import DATA_DIR_ENV

LAUNCH_LIMIT_S = 30.0
BUNDLE_BINARY = BUNDLE_DIR / ("voice-assistant.exe" if sys.platform == "win32" else "voice-assistant")


def _app_command() -> list[str]:
    return [sys.executable, "-m", "desktop"]


def _private_env(folder: str, **extra: str) -> dict[str, str]:
    """Offscreen, with a data folder and settings of its own: the runs never touch the person's
    calendar or settings (so the app opens on the demo, as on a first run). Bytecode caching stays on
    whatever the shell says, as for an installed app (pip writes the .pyc files) and in the bundle:
    without it every launch compiles the app's modules again (~40 ms)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", DATA_DIR_ENV: folder, "XDG_CONFIG_HOME": folder}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return {**env, **extra}


def _seconds_to_window(command: list[str], env: dict[str, str], marker: str) -> tuple[float, float] | None:
    """Launch as a person would (a new process) until the app prints that its window is shown; it
    then quits by itself (VOICE_ASSISTANT_EXIT_WHEN_SHOWN). Returns the wall-clock seconds and the
    process's CPU seconds (user + system) by then: the second barely depends on what else the
    machine is doing. None when the marker never comes."""
    import psutil

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
                wall = time.perf_counter() - started
                cpu = psutil.Process(process.pid).cpu_times()
                return wall, cpu.user + cpu.system
        return None
    except (queue.Empty, psutil.NoSuchProcess):
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


SOURCE_TARGET, PACKAGED_TARGET = "≤ 500 ms", "≤ 200 ms"  # the packaged app's: issue #20
COLD_RUNS = 5
DROP_CACHES = "/proc/sys/vm/drop_caches"


def measure_window_shown(runs: int) -> list[Figure]:
    """Warm: the median after a first launch that fills the page cache. Cold (packaged app, where the
    benchmark may empty the page cache, i.e. as root on Linux): each launch after `sync` and
    drop_caches, so the app's files, Python's and Qt's come from the disk again."""
    from desktop.app.launch import EXIT_WHEN_SHOWN_ENV, SHOWN_MARKER

    figures = []
    with tempfile.TemporaryDirectory() as folder:
        env = _private_env(folder, **{EXIT_WHEN_SHOWN_ENV: "1"})
        for where, command in _launches():
            name = f"launch to window shown ({where})"
            target = PACKAGED_TARGET if where == "packaged app" else SOURCE_TARGET
            times: list[tuple[float, float]] = []
            while len(times) <= runs and (launch := _seconds_to_window(command, env, SHOWN_MARKER)):
                times.append(launch)
            if len(times) <= runs:
                figures.append(Figure(name, "not measured", target, "(no window-shown marker)"))
                continue
            # the first launch fills the disk cache (and writes the bytecode cache)
            figures.append(Figure(f"{name}, warm", _launch_value(times[1:]), target))
            if where == "packaged app" and _can_drop_page_cache():
                cold = [t for _ in range(COLD_RUNS) if _drop_page_cache()
                        and (t := _seconds_to_window(command, env, SHOWN_MARKER))]  # fmt: skip
                figures.append(Figure(f"{name}, cold (page cache dropped)", _launch_value(cold), target))
    return figures


def _launch_value(times: list[tuple[float, float]]) -> str:
    median, p95 = percentiles([wall for wall, _cpu in times])
    cpu = statistics.median(cpu for _wall, cpu in times)
    return f"{median * 1000:.0f} ms (p95 {p95 * 1000:.0f} ms; CPU {cpu * 1000:.0f} ms)"


def _can_drop_page_cache() -> bool:
    return sys.platform.startswith("linux") and os.access(DROP_CACHES, os.W_OK)


def _drop_page_cache() -> bool:
    os.sync()
    with open(DROP_CACHES, "w") as control:
        control.write("3\n")
    return True


IDLE_SETTLED_MB = 1.0  # idle: RSS moved less than this over IDLE_SETTLED_S
IDLE_SETTLED_S = 4.0
IDLE_LIMIT_S = 40.0


def _settled_rss_mb(command: list[str], env: dict[str, str]) -> float:
    """The app launched as a person would, left alone (window open, no call): its RSS once start-up
    (the media stack's preload, the calendar, the knowledge index) is over, read from outside."""
    import psutil

    quiet = subprocess.DEVNULL
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=quiet, stderr=quiet)
    samples: list[float] = []
    window = int(IDLE_SETTLED_S / 0.5)
    try:
        started = time.monotonic()
        while time.monotonic() - started < IDLE_LIMIT_S and process.poll() is None:
            time.sleep(0.5)
            samples.append(psutil.Process(process.pid).memory_info().rss / 1e6)
            recent = samples[-window:]
            if len(recent) == window and max(recent) - min(recent) < IDLE_SETTLED_MB:
                break
    finally:
        process.kill()
        process.wait()
    if not samples:
        raise RuntimeError("the app stopped at once")
    return samples[-1]


def _self_test_rss(command: list[str], call_seconds: float) -> dict[str, float] | str:
    """The self-test's memory probe: connected to the demo with nobody talking, and after a call."""
    with tempfile.TemporaryDirectory() as folder:
        result = subprocess.run(
            [*command, "--self-test"],
            env=_private_env(folder, VOICE_ASSISTANT_MEMORY_PROBE=str(call_seconds)),
            capture_output=True, text=True, cwd=ROOT, timeout=call_seconds + 120,
        )  # fmt: skip
    probes = dict(line.split()[:2] for line in result.stdout.splitlines() if line.startswith("rss-"))
    if "rss-after-call" not in probes:
        return (result.stderr.strip().splitlines() or ["no probe"])[-1]
    return {name: float(value) for name, value in probes.items()}


def measure_memory(call_seconds: float, runs: int) -> list[Figure]:
    """RSS (MB) of the app idle (window open, no call: the issue's "idle"), connected to the demo
    with nobody talking (the stricter reading; the demo server runs inside the app, as on a first
    run) and after a call; each the median of `runs`."""
    figures = []
    for where, command in _launches():
        with tempfile.TemporaryDirectory() as folder:
            idle = [_settled_rss_mb(command, _private_env(folder)) for _ in range(runs)]
        figures.append(Figure(f"RSS idle, window open, no call ({where})", _mb(idle), "< 150 MB"))
        probes = [_self_test_rss(command, call_seconds) for _ in range(runs)]
        failed = [probe for probe in probes if isinstance(probe, str)]
        if failed:
            figures.append(Figure(f"memory in a call ({where})", "not measured", note=failed[0]))
            continue
        measured = [probe for probe in probes if isinstance(probe, dict)]
        figures += [
            Figure(f"RSS connected to the demo, nobody talking ({where})",
                   _mb([probe["rss-idle"] for probe in measured]), "< 150 MB if idle means in a call"),
            Figure(f"RSS after a {call_seconds:.0f} s call ({where})",
                   _mb([probe["rss-after-call"] for probe in measured]), "< 200 MB"),
        ]  # fmt: skip
    return figures


def _mb(samples: list[float]) -> str:
    return f"{statistics.median(samples):.0f} MB (of {', '.join(f'{s:.0f}' for s in samples)})"
