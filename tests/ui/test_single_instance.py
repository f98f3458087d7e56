"""One app, one window: real processes on one data folder. A second launch brings the running window
to the front and exits 0; a crashed app's lock and socket do not stop the next launch; two launches
at the same moment end with one app; an app that holds the folder but does not answer is not joined
by a second window."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.ui.single_instance import ALREADY_RUNNING, LOCK_NAME, NOT_ANSWERING

ROOT = Path(__file__).resolve().parents[2]

# The app as launched, plus a watcher: once the app is up (the calendar pane is in) it minimises the
# window, then reports when something has brought it back.
FIRST = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
qt = QApplication([sys.argv[0]])
import desktop.app as app
from desktop.ui.main_window import MainWindow

minimised = []
def watch():
    windows = [widget for widget in qt.topLevelWidgets() if isinstance(widget, MainWindow)]
    if not windows or windows[0]._splitter.count() < 2:
        return
    if not minimised:
        windows[0].showMinimized()
        minimised.append(True)
        print("up and minimised", flush=True)
    elif not windows[0].isMinimized():
        print("brought to the front", flush=True)
        timer.stop()
timer = QTimer()
timer.timeout.connect(watch)
timer.start(50)
sys.exit(app.main([sys.argv[0]]))
"""


def _env(folder: Path) -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", VOICE_ASSISTANT_DATA_DIR=str(folder),
                XDG_CONFIG_HOME=str(folder / "config"), PYTHONPATH=str(ROOT))  # fmt: skip


def _first(folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", FIRST], cwd=ROOT, env=_env(folder), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait_for(process: subprocess.Popen[str], text: str) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        if text in line:
            return
    raise AssertionError(f"never printed {text!r}: {(process.communicate(timeout=60)[1] or '')[-2000:]}")


def _second(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop"], cwd=ROOT, env=_env(folder),
        capture_output=True, text=True, timeout=90,
    )  # fmt: skip


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    return err


def test_a_second_launch_brings_the_running_window_to_the_front(tmp_path: Path) -> None:
    first = _first(tmp_path)
    _wait_for(first, "up and minimised")
    second = _second(tmp_path)
    assert second.returncode == 0, second.stderr
    assert ALREADY_RUNNING in second.stdout
    _wait_for(first, "brought to the front")
    err = _stop(first)
    assert "A second launch asked for the window" in err  # the running app's log
    assert not (tmp_path / LOCK_NAME).exists()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_crashed_apps_lock_and_socket_do_not_stop_the_next_launch(tmp_path: Path) -> None:
    crashed = _first(tmp_path)
    _wait_for(crashed, "up and minimised")
    crashed.kill()  # SIGKILL: no shutdown, the lock file and the socket stay behind
    crashed.communicate(timeout=60)
    assert (tmp_path / LOCK_NAME).exists()
    first = _first(tmp_path)
    _wait_for(first, "up and minimised")
    second = _second(tmp_path)  # reaches the new app, not the dead one's socket
    assert second.returncode == 0, second.stderr
    _wait_for(first, "brought to the front")
    _stop(first)


def test_two_launches_at_the_same_moment_make_one_app(tmp_path: Path) -> None:
    launches = [_first(tmp_path), _first(tmp_path)]
    while not (ended := [launch for launch in launches if launch.poll() is not None]):
        time.sleep(0.2)  # the one that lost waits for the other's window, asks for it, and exits
    (loser,) = ended
    (winner,) = [launch for launch in launches if launch is not loser]
    out, err = loser.communicate(timeout=60)
    assert loser.returncode == 0, err
    assert ALREADY_RUNNING in out
    _wait_for(winner, "up and minimised")
    assert "A second launch asked for the window" in _stop(winner)


# A live process holding the data folder's lock that never listens (a hung app, as far as a launch
# can tell).
HOLDER = """
import sys, time
from PySide6.QtCore import QLockFile
lock = QLockFile(sys.argv[1])
lock.setStaleLockTime(0)
assert lock.tryLock(0)
print("holding", flush=True)
time.sleep(120)
"""


def test_an_app_that_does_not_answer_gets_no_second_window(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / LOCK_NAME)], text=True,
                              stdout=subprocess.PIPE)  # fmt: skip
    try:
        _wait_for(holder, "holding")
        second = _second(tmp_path)  # asks for about 10 s, then gives up
    finally:
        holder.kill()
        holder.communicate(timeout=60)
    assert second.returncode == 1
    assert NOT_ANSWERING.format(pid=holder.pid) in second.stderr
    assert not (tmp_path / "calendar.sqlite3").exists()  # it opened nothing
