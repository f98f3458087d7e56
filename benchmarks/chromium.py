"""Headless Chromium for the side-by-side bench, and the CPU of a client's whole process tree.

Chromium is Debian's `chromium` package (`apt-get install -y chromium`); the bench installs nothing and
says so when it is missing. It runs with a fresh profile, no GPU, no background services, autoplay and
microphone permission granted, and reaches the bench's private PulseAudio through the environment
(XDG_RUNTIME_DIR and PULSE_SERVER), so it captures from and plays to the same virtual devices as our app.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import psutil

NAMES = ("chromium", "chromium-browser")
INSTALL_HINT = "install Debian's chromium (apt-get install -y chromium)"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    "--use-fake-ui-for-media-stream",
)


def find_chromium() -> str | None:
    return next((path for name in NAMES if (path := shutil.which(name)) is not None), None)


def pulse_env(runtime_dir: Path) -> dict[str, str]:
    """The environment that points a client at the bench's PulseAudio daemon."""
    return {
        **os.environ,
        "XDG_RUNTIME_DIR": str(runtime_dir),
        "PULSE_SERVER": f"unix:{runtime_dir / 'pulse' / 'native'}",
    }


def launch(chromium: str, url: str, profile: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Chromium on `url` in its own process group (stopped with `stop`)."""
    command = [chromium, *FLAGS, f"--user-data-dir={profile}", url]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop Chromium and every process it started (its process group), by the group's id."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class TreeCpu:
    """User + system seconds of a process and all its descendants between `start()` and `seconds()`.
    A process born in between counts from zero; one that ended in between loses its share (Chromium
    keeps its processes for the whole call)."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self._before: dict[int, float] = {}
        self.processes = 0
        self.by_kind: dict[str, float] = {}  # seconds per kind of process (Chromium's --type=, else its name)
        self._kinds: dict[int, str] = {}

    def _snapshot(self) -> dict[int, float]:
        times = {}
        for process in [self.root, *self.root.children(recursive=True)]:
            try:
                cpu = process.cpu_times()
                times[process.pid] = cpu.user + cpu.system
                if process.pid not in self._kinds:
                    self._kinds[process.pid] = _kind(process)
            except psutil.NoSuchProcess:
                continue
        return times

    def start(self) -> None:
        self._before = self._snapshot()

    def seconds(self) -> float:
        after = self._snapshot()
        self.processes = len(after)
        self.by_kind = {}
        for pid, cpu in after.items():
            kind = self._kinds[pid]
            self.by_kind[kind] = self.by_kind.get(kind, 0.0) + cpu - self._before.get(pid, 0.0)
        return sum(self.by_kind.values())


def _kind(process: psutil.Process) -> str:
    """Chromium's process type (`--type=renderer`, its utility's sub-type) or the program's name."""
    arguments = process.cmdline()
    kind = next((a.split("=", 1)[1] for a in arguments if a.startswith("--type=")), process.name())
    sub = next((a.split("=", 1)[1] for a in arguments if a.startswith("--utility-sub-type=")), "")
    return f"{kind} {sub.split('.')[0]}" if sub else kind
