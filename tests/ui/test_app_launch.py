"""The real entry point in its own process: it shows the window, wires the calendar, and quits
cleanly on window close, on Ctrl+C (SIGINT), on `kill` and logging out (SIGTERM) and on a closed
terminal (SIGHUP), also in the middle of a call: exit status 0, the call ended, the stores closed
(SQLite removes a database's -wal file when its last connection closes), the instance lock released
(here in the data folder: no per-boot runtime folder is given), and the log says why it stopped. A
signal ignored at launch (`nohup`) stays ignored."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.ui.single_instance import LOCK_NAME
from tests.ui.test_single_instance import wait_for

ROOT = Path(__file__).resolve().parents[2]

# Records what was loaded when the window appeared, then closes it ("close"), waits for a signal
# ("stay"), or starts a call with the demo assistant, as a fresh launch would, and waits ("call"; a
# synthetic microphone and a recording speaker stand in for the sound cards).
LAUNCH = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import desktop.app.launch as app
from desktop.session.events import SessionState
from desktop.ui.main_window import MainWindow

if sys.argv[1] == "call":
    import desktop.app.session_factory

    def synthetic_audio(_prefs):
        from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
        return SyntheticMicrophone(), RecordingSpeaker()

    class SyntheticSessionFactory(desktop.app.session_factory.AppSessionFactory):
        def __init__(self):
            super().__init__(audio=synthetic_audio)

    desktop.app.session_factory.AppSessionFactory = SyntheticSessionFactory

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
        elif sys.argv[1] == "call":
            window.start.click()
            calling.start(50)
    def in_call():
        if window.controller.state in (SessionState.READY, SessionState.LISTENING):
            print("call up", flush=True)
            calling.stop()
    calling = QTimer(window)
    calling.timeout.connect(in_call)
    timer = QTimer(window)
    timer.timeout.connect(ready)
    timer.start(50)
MainWindow.show = show
sys.exit(app.run_window(["voice-assistant"]))
"""


def launch(how: str, tmp_path: Path, *, through: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VOICE_ASSISTANT_DATA_DIR=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONPATH=str(ROOT))  # fmt: skip
    env.pop("XDG_RUNTIME_DIR", None)
    return subprocess.Popen(
        [*through, sys.executable, "-c", LAUNCH, how], cwd=ROOT, env=env, text=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def assert_closed(tmp_path: Path) -> None:
    leftovers = {"calendar.sqlite3-wal", "knowledge.sqlite3-wal", LOCK_NAME} & {
        path.name for path in tmp_path.iterdir()
    }
    assert leftovers == set()


def test_launch_then_close_the_window(tmp_path: Path) -> None:
    process = launch("close", tmp_path)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "media stack loaded at show: False" in out and "calendar pane shown" in out
    assert "Traceback" not in err
    assert "Stopping: the window was closed" in err and "Stopped cleanly" in err


STOP_SIGNALS = [signal.SIGINT] if sys.platform == "win32" else [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]


@pytest.mark.parametrize("signum", STOP_SIGNALS, ids=lambda signum: signal.Signals(signum).name)
def test_a_stop_signal_quits_cleanly(tmp_path: Path, signum: signal.Signals) -> None:
    process = launch("stay", tmp_path)
    wait_for(process, "calendar pane shown")
    assert (tmp_path / "calendar.sqlite3-wal").exists()  # the calendar is open
    process.send_signal(signum)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert f"Stopping: signal {signal.Signals(signum).name}" in err and "Stopped cleanly" in err
    assert_closed(tmp_path)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
def test_sigterm_in_a_call_ends_the_call_and_quits_cleanly(tmp_path: Path) -> None:
    process = launch("call", tmp_path)
    wait_for(process, "call up")  # connected to the built-in demo assistant
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    lines = err.splitlines()
    order = [next(n for n, line in enumerate(lines) if text in line)
             for text in ("Connected to ", "Stopping: signal SIGTERM", "The conversation is closed",
                          "Stopped cleanly")]  # fmt: skip
    assert order == sorted(order), err
    assert_closed(tmp_path)


@pytest.mark.skipif(shutil.which("nohup") is None, reason="needs nohup (POSIX)")
def test_a_hangup_does_not_stop_an_app_started_with_nohup(tmp_path: Path) -> None:
    """`nohup voice-assistant &`: the closed terminal's SIGHUP stays ignored. (Were it handled, it
    would be the first reason to stop: sent first, and Python runs pending handlers in signal order.)"""
    process = launch("stay", tmp_path, through=("nohup",))
    wait_for(process, "calendar pane shown")
    process.send_signal(signal.SIGHUP)
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Stopping: signal SIGTERM" in err and "SIGHUP" not in err
    assert_closed(tmp_path)
