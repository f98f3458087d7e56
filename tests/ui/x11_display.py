"""A real X display for a test (Xvfb), and processes on it whose printed lines a test waits for."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("x11_shortcut_child.py")


@contextmanager
def xvfb() -> Iterator[str | None]:
    """The display's name (":N"), or None where Xvfb is not installed."""
    if shutil.which("Xvfb") is None:
        yield None
        return
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write)
    with os.fdopen(read) as announced:
        number = announced.readline().strip()  # Xvfb writes it once it accepts clients
    try:
        yield f":{number}" if number else None
    finally:
        server.terminate()
        server.wait(timeout=10)


class Child:
    """A child process on the display; its stdout's lines arrive in `lines`, in order."""

    def __init__(self, display: str, *arguments: str) -> None:
        environment = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT))
        for wayland in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):  # a plain X11 session
            environment.pop(wayland, None)
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD), *arguments], env=environment, cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.seen: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))

    def wait_for(self, start: str, timeout: float = 20.0) -> str:
        """The first line from here on that starts with `start` (every line read is kept in `seen`)."""
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no {start!r} line; saw {self.seen}") from None
            self.seen.append(line)
            if line.startswith(start):
                return line

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def xdotool(display: str, *arguments: str) -> str:
    done = subprocess.run(
        ["xdotool", *arguments], env=dict(os.environ, DISPLAY=display), capture_output=True, text=True,
        timeout=20, check=True,
    )  # fmt: skip
    return done.stdout.strip()
