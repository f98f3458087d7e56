"""The real entry point in its own process: it shows the window, wires the calendar, and quits
cleanly on window close and on Ctrl+C (SIGINT)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

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


def test_ctrl_c_quits_cleanly(tmp_path: Path) -> None:
    process = launch("stay", tmp_path)
    assert process.stdout is not None
    for line in process.stdout:
        if "calendar pane shown" in line:
            break
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
