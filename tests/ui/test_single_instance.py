"""One app, one window: real processes on one data folder. A second launch brings the running window
to the front (with the launcher's activation token) and exits 0; a crashed app's lock and socket do not
stop the next launch; two launches at the same moment end with one app; a launch while the app quits
becomes the app; an app that holds the folder but does not answer is not joined by a second window,
and the person is told in a box.

The launched script is the app itself, plus hooks that only report or hold it at a point where a real
app can be slow (starting, quitting), released by a file the test creates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.ui.single_instance import ALREADY_RUNNING, ANSWER_WAIT_ENV, NOT_ANSWERING

ROOT = Path(__file__).resolve().parents[2]

# The app as launched. Reports "claimed" once it holds the lock and the first answer it gets from a
# running app ("asked: False" when none answered). HOLD_LISTEN keeps a starting app from listening,
# HOLD_SHUTDOWN keeps a quitting one in its shutdown, until that file exists. A watcher minimises the
# window once the app is up (the calendar pane is in), then reports when something has brought it back;
# it also closes a message box, printing its text.
LAUNCH = """
import asyncio, os, sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox
qt = QApplication([sys.argv[0]])
import desktop.app.launch as app
import desktop.app.composition as composition
import desktop.ui.single_instance as single
from desktop.ui.main_window import MainWindow

claim, ask, listen = app.claim, single._ask_to_show, single.Instance.listen
shutdown = composition.Root.shutdown
answers = set()
def claimed():
    held = claim()
    if not isinstance(held, int):
        print("claimed", flush=True)
    return held
def asked(name, token):
    answer = ask(name, token)
    if answer not in answers:
        answers.add(answer)
        print("asked:", answer, flush=True)
    return answer
def held_listen(instance, window):
    while "HOLD_LISTEN" in os.environ and not Path(os.environ["HOLD_LISTEN"]).exists():
        time.sleep(0.05)  # a slow start: the window is up, nothing listens yet
    listen(instance, window)
async def held_shutdown(root):
    print("quitting", flush=True)
    while "HOLD_SHUTDOWN" in os.environ and not Path(os.environ["HOLD_SHUTDOWN"]).exists():
        await asyncio.sleep(0.05)  # a slow shutdown: a long hang-up, stores finishing their writes
    await shutdown(root)
def activate(window):
    print("activated with token:", os.environ.get("XDG_ACTIVATION_TOKEN"), flush=True)
    QMainWindow.activateWindow(window)
app.claim, single._ask_to_show, single.Instance.listen = claimed, asked, held_listen
composition.Root.shutdown, MainWindow.activateWindow = held_shutdown, activate

minimised = []
def watch():
    box = qt.activeModalWidget()
    if isinstance(box, QMessageBox):
        print("box:", box.text(), flush=True)
        box.accept()
    windows = [widget for widget in qt.topLevelWidgets() if isinstance(widget, MainWindow)]
    if not windows or windows[0]._splitter.count() < 2:
        return
    if not minimised:
        windows[0].showMinimized()
        minimised.append(True)
        print("up and minimised", flush=True)
    elif not windows[0].isMinimized():
        print("brought to the front; token left:", os.environ.get("XDG_ACTIVATION_TOKEN"), flush=True)
        timer.stop()
timer = QTimer()
timer.timeout.connect(watch)
timer.start(50)
sys.exit(app.run_window([sys.argv[0]]))
"""


def _env(folder: Path, **extra: str) -> dict[str, str]:
    (folder / "run").mkdir(exist_ok=True)  # the per-boot runtime folder, where the lock lives
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", VOICE_ASSISTANT_DATA_DIR=str(folder),
                       XDG_CONFIG_HOME=str(folder / "config"), XDG_RUNTIME_DIR=str(folder / "run"),
                       PYTHONPATH=str(ROOT), **{ANSWER_WAIT_ENV: "60"})  # fmt: skip
    for name in ("XDG_ACTIVATION_TOKEN", "DESKTOP_STARTUP_ID"):
        environment.pop(name, None)
    return {**environment, **extra}


def _launch(folder: Path, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCH], cwd=ROOT, env=_env(folder, **extra), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_for(process: subprocess.Popen[str], text: str) -> str:
    assert process.stdout is not None
    for line in process.stdout:
        if text in line:
            return line
    raise AssertionError(f"never printed {text!r}: {(process.communicate(timeout=60)[1] or '')[-2000:]}")


def _second(folder: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop"], cwd=ROOT, env=_env(folder, **extra),
        capture_output=True, text=True, timeout=90,
    )  # fmt: skip


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    return out, err


def _locks(folder: Path) -> list[Path]:
    return list((folder / "run").glob("VoiceAssistant-*.lock"))


def test_a_second_launch_brings_the_running_window_to_the_front(tmp_path: Path) -> None:
    first = _launch(tmp_path)
    wait_for(first, "up and minimised")
    second = _second(tmp_path, XDG_ACTIVATION_TOKEN="launcher-token_1.2")
    assert second.returncode == 0, second.stderr
    assert ALREADY_RUNNING in second.stdout
    assert "launcher-token_1.2" in wait_for(first, "activated with token:")  # Wayland's focus grant
    assert wait_for(first, "brought to the front").strip().endswith("token left: None")  # used once
    _out, err = _stop(first)
    assert "A second launch asked for the window (with an activation token)" in err  # the app's log
    assert "launcher-token" not in err
    assert _locks(tmp_path) == [] and not (tmp_path / "instance.lock").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_crashed_apps_lock_and_socket_do_not_stop_the_next_launch(tmp_path: Path) -> None:
    crashed = _launch(tmp_path)
    wait_for(crashed, "up and minimised")
    crashed.kill()  # SIGKILL: no shutdown, the lock file and the socket stay behind
    crashed.communicate(timeout=60)
    assert len(_locks(tmp_path)) == 1
    first = _launch(tmp_path)
    wait_for(first, "up and minimised")
    second = _second(tmp_path)  # reaches the new app, not the dead one's socket
    assert second.returncode == 0, second.stderr
    wait_for(first, "brought to the front")
    _stop(first)


def test_two_launches_at_the_same_moment_make_one_app(tmp_path: Path) -> None:
    """Whichever wins the lock starts slowly: the other finds nothing listening yet, waits, and is
    answered once the winner's window listens."""
    listening = tmp_path / "listen now"
    launches = [_launch(tmp_path, HOLD_LISTEN=str(listening)) for _ in range(2)]
    said = {launch: launch.stdout.readline().strip() for launch in launches if launch.stdout}
    assert sorted(said.values()) == ["asked: False", "claimed"], said
    (winner,) = [launch for launch, line in said.items() if line == "claimed"]
    (loser,) = [launch for launch in launches if launch is not winner]
    listening.touch()
    out, err = loser.communicate(timeout=90)
    assert loser.returncode == 0, err
    assert "asked: True" in out and ALREADY_RUNNING in out
    wait_for(winner, "up and minimised")
    assert "A second launch asked for the window" in _stop(winner)[1]


def test_a_launch_while_the_app_quits_becomes_the_app(tmp_path: Path) -> None:
    """The quitting app answers no more (its window does not come back); the launch waits for the lock
    and opens the window itself."""
    quit_now = tmp_path / "quit now"
    first = _launch(tmp_path, HOLD_SHUTDOWN=str(quit_now))
    wait_for(first, "up and minimised")
    first.send_signal(signal.SIGTERM)
    wait_for(first, "quitting")
    second = _launch(tmp_path)
    wait_for(second, "asked: False")  # the quitting app does not answer
    quit_now.touch()
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert "brought to the front" not in out and "asked for the window" not in err
    assert "Stopping: signal SIGTERM" in err and "Stopped cleanly" in err
    wait_for(second, "claimed")
    wait_for(second, "up and minimised")
    _stop(second)


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
    environment = _env(tmp_path)
    lock = _lock_path(environment)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock)], text=True, stdout=subprocess.PIPE)
    try:
        wait_for(holder, "holding")
        second = _launch(tmp_path, **{ANSWER_WAIT_ENV: "1"})  # asks for a second, then gives up
        out, err = second.communicate(timeout=90)
    finally:
        holder.kill()
        holder.communicate(timeout=60)
    assert second.returncode == 1
    sentence = NOT_ANSWERING.format(pid=holder.pid)
    assert sentence in err  # for a terminal
    assert f"box: {sentence}" in out  # for someone who clicked the launcher
    assert not (tmp_path / "calendar.sqlite3").exists()  # it opened nothing


def _lock_path(environment: dict[str, str]) -> Path:
    """Where the app of this environment puts its lock (asked of the app's own code)."""
    code = "from desktop.ui.single_instance import lock_path; print(lock_path())"
    found = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True,
                           check=True, timeout=60)  # fmt: skip
    return Path(found.stdout.strip())
