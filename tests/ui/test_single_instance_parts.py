"""The single-instance parts in this process: which lock files a launch may remove, and the socket's
small protocol (`show [token]` answered by `shown`, and no answer once the app quits)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QLockFile
from PySide6.QtNetwork import QLocalSocket
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.storage.paths import data_dir
from desktop.ui import single_instance
from desktop.ui.single_instance import (
    ANSWER_WAIT_ENV,
    LOCK_NAME,
    SHOWN,
    Instance,
    claim,
    lock_path,
    server_name,
)


@pytest.fixture
def in_data_folder(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The lock in the data folder, as where the system has no per-boot runtime folder. A lock that is
    kept makes `claim` fail the test after a short wait, instead of showing its box."""
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv(ANSWER_WAIT_ENV, "2")

    def kept(pid: int) -> None:
        raise AssertionError(f"the lock of process {pid} was kept")

    monkeypatch.setattr(single_instance, "_say_not_answering", kept)
    assert lock_path() == data_dir() / LOCK_NAME
    return lock_path()


def test_the_lock_lives_in_the_runtime_folder_where_there_is_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert lock_path().parent == tmp_path and lock_path().name.startswith("VoiceAssistant-")


def test_a_lock_taken_on_another_computer_is_removed(qapp: object, in_data_folder: Path) -> None:
    """A home folder restored from a backup, or shared over NFS: Qt cannot see that computer's
    processes and would keep the lock forever."""
    other_machine = "0123456789abcdef0123456789abcdef"
    in_data_folder.write_text(f"{os.getpid()}\nVoiceAssistant\nold-laptop\n{other_machine}\nboot\n")
    held = claim()
    assert isinstance(held, Instance)
    try:
        assert "old-laptop" not in in_data_folder.read_text()  # ours now
    finally:
        held.release()


def test_a_lock_without_a_process_is_removed_once_it_is_old(qapp: object, in_data_folder: Path) -> None:
    in_data_folder.write_text("")  # a crash or a full disk between creating and writing it
    long_ago = time.time() - 60
    os.utime(in_data_folder, (long_ago, long_ago))
    held = claim()
    assert isinstance(held, Instance)
    held.release()


class Window(QWidget):
    """Notes the activation token Qt's Wayland plugin would read when asked to activate."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: list[str | None] = []

    def activateWindow(self) -> None:
        self.tokens.append(os.environ.get("XDG_ACTIVATION_TOKEN"))
        super().activateWindow()


@pytest.fixture
def listening(qtbot: QtBot, tmp_path: Path) -> tuple[Instance, Window]:
    lock = QLockFile(str(tmp_path / "held.lock"))
    assert lock.tryLock(0)
    instance, window = Instance(lock), Window()
    qtbot.addWidget(window)
    instance.listen(window)
    return instance, window


def _connect(qtbot: QtBot, instance: Instance) -> QLocalSocket:
    """A client whose connection the app has accepted."""
    accepted = len(instance.findChildren(QLocalSocket))
    client = QLocalSocket()
    client.connectToServer(server_name())
    qtbot.waitUntil(lambda: len(instance.findChildren(QLocalSocket)) > accepted)
    return client


def _answer(qtbot: QtBot, client: QLocalSocket, request: bytes) -> bytes:
    """What the app answers before it closes the connection."""
    answer = bytearray()
    client.readyRead.connect(lambda: answer.extend(client.readAll().data()))
    client.write(request)
    qtbot.waitUntil(lambda: client.state() == QLocalSocket.LocalSocketState.UnconnectedState)
    return bytes(answer)


def test_show_is_answered_and_its_token_reaches_the_window(
    qtbot: QtBot, listening: tuple[Instance, Window]
) -> None:
    instance, window = listening
    assert _answer(qtbot, _connect(qtbot, instance), b"show\n") == SHOWN  # as older launches ask
    assert _answer(qtbot, _connect(qtbot, instance), b"show token-1:2\n") == SHOWN
    assert _answer(qtbot, _connect(qtbot, instance), b"show bad\x01token\n") == SHOWN  # shown, no token
    assert window.tokens == [None, "token-1:2", None]
    assert "XDG_ACTIVATION_TOKEN" not in os.environ  # used once
    assert _answer(qtbot, _connect(qtbot, instance), b"hello\n") == b""
    instance.release()


def test_no_show_once_quitting_began(qtbot: QtBot, listening: tuple[Instance, Window]) -> None:
    """Asked exactly as quitting begins (the connection accepted before): no window comes back, and
    no answer, so that the launch waits for the lock and becomes the app."""
    instance, window = listening
    window.hide()
    client = _connect(qtbot, instance)
    instance.stop_listening()
    assert _answer(qtbot, client, b"show token-2\n") == b""
    assert window.tokens == [] and not window.isVisible()
    late = QLocalSocket()
    late.connectToServer(server_name())
    qtbot.waitUntil(lambda: late.state() == QLocalSocket.LocalSocketState.UnconnectedState)
    instance.release()
