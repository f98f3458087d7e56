"""The real entry point in its own process: it shows the window, wires the calendar, and quits
cleanly on window close, on Ctrl+C (SIGINT), on `kill` and logging out (SIGTERM) and on a closed
terminal (SIGHUP): exit status 0, the stores closed (SQLite removes a database's -wal file when its
last connection closes), the instance lock released."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.ui.single_instance import LOCK_NAME

ROOT = Path(__file__).resolve().parents[2]

# Records what was loaded when the window appeared, then closes it (or waits for SIGINT).
LAUNCH = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import desktop.app as app
from desktop.ui.main_window import MainWindow

shown = MainWindow.show
def show(window):
    shown(window)
    print("media stack loaded at show:", "aiortc" in sys.modules, flush=True)
    def ready():
        if window._splitter.count() < 2:  # the calendar pane arrives once the stores are open
            return
        print("calendar pane shown", flush=True)
        timer.stop()
        if sys.argv[1] == "close":
            window.close()
    timer = QTimer(window)
    timer.timeout.connect(ready)
    timer.start(50)
MainWindow.show = show
sys.exit(app.main(["voice-assistant"]))
"""


def launch(how: str, tmp_path: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VOICE_ASSISTANT_DATA_DIR=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONPATH=str(ROOT))  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCH, how], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def test_launch_then_close_the_window(tmp_path: Path) -> None:
    process = launch("close", tmp_path)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "media stack loaded at show: False" in out and "calendar pane shown" in out
    assert "Traceback" not in err


STOP_SIGNALS = [signal.SIGINT] if sys.platform == "win32" else [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]


@pytest.mark.parametrize("signum", STOP_SIGNALS, ids=lambda signum: signal.Signals(signum).name)
def test_a_stop_signal_quits_cleanly(tmp_path: Path, signum: signal.Signals) -> None:
    process = launch("stay", tmp_path)
    assert process.stdout is not None
    for line in process.stdout:
        if "calendar pane shown" in line:
            break
    assert (tmp_path / "calendar.sqlite3-wal").exists()  # the calendar is open
    process.send_signal(signum)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    leftovers = {"calendar.sqlite3-wal", "knowledge.sqlite3-wal", LOCK_NAME} & {
        path.name for path in tmp_path.iterdir()
    }
    assert leftovers == set()
