"""One app, one window: a second launch brings the running window to the front and exits, instead of
opening a second conversation on the same sound card.

The app takes a lock file in its data folder before it makes its window (Qt's QLockFile: a lock left
by a crashed app is recognised by its process id and taken over), so two launches at the same moment
cannot both win. Once its window is shown, the winner listens on a local socket (a Unix socket in the
temporary folder, a named pipe on Windows) named for the person and the data folder; a launch that
finds the lock held connects there, asks for the window and exits. Both are per data folder, so a
test with a folder of its own (VOICE_ASSISTANT_DATA_DIR) is an app of its own. `--check` and
`--self-test` open no window and take no part.

QtNetwork is imported only after the window is shown, or by a second launch, which shows no window.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from desktop.paths import data_dir

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

LOCK_NAME = "instance.lock"
SHOW = b"show\n"
ALREADY_RUNNING = "Voice Assistant is already running; its window was brought to the front."
NOT_ANSWERING = (
    "Voice Assistant is already running (process {pid}) but does not answer; close it, or end that "
    "process, and start it again."
)
# A running app answers once its window is shown (well under a second); a busy machine gets more.
_ANSWER_WAIT_S = 10.0
_RETRY_S = 0.1
_SOCKET_WAIT_MS = 2000


def server_name() -> str:
    """The person's and the data folder's; short, because a Unix socket's path is limited (~100 bytes)."""
    import getpass
    import hashlib  # loads OpenSSL (2 ms): not before the window

    user = str(os.getuid()) if hasattr(os, "getuid") else getpass.getuser()
    digest = hashlib.sha256(f"{user}\0{data_dir().resolve()}".encode()).hexdigest()[:16]
    return f"VoiceAssistant-{digest}"


class Instance(QObject):
    """This process is the app of its data folder; `showRequested` is a later launch asking for the
    window. Released when the process exits (a crash leaves a lock the next launch takes over)."""

    showRequested = Signal()

    def __init__(self, lock: QLockFile, *, guarded: bool = True) -> None:
        super().__init__()
        self._lock = lock
        self._guarded = guarded
        self._server: QLocalServer | None = None
        atexit.register(self.release)

    def listen(self, window: QWidget) -> None:
        """From now on a later launch brings `window` to the front."""
        if not self._guarded:
            return
        from PySide6.QtNetwork import QLocalServer

        self.showRequested.connect(lambda: bring_to_front(window))
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        name = server_name()
        QLocalServer.removeServer(name)  # a crashed app's socket: this process holds the lock
        if not self._server.listen(name):
            log.warning("A second launch cannot reach this window: %s", self._server.errorString())

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
        self._lock.unlock()

    def _accept(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda socket=socket: self._read(socket))
            socket.disconnected.connect(socket.deleteLater)
            self._read(socket)  # what arrived before the connection was accepted

    def _read(self, socket: QLocalSocket) -> None:
        if socket.canReadLine() and socket.readLine().data() == SHOW:
            log.info("A second launch asked for the window: bringing it to the front")
            self.showRequested.emit()


def bring_to_front(window: QWidget) -> None:
    """Restores a minimised window and asks the window system to raise and focus it (on Wayland and
    Windows the desktop may only mark it as wanting attention)."""
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()


def claim() -> Instance | int:
    """This process's hold on its data folder's window, or this launch's exit status when the app
    runs already: 0 once it was asked to bring its window to the front, 1 when it does not answer."""
    lock = QLockFile(str(data_dir() / LOCK_NAME))
    lock.setStaleLockTime(0)  # held for as long as the app runs: only a dead holder makes it stale
    deadline = time.monotonic() + _ANSWER_WAIT_S
    while not lock.tryLock(0):
        if lock.error() != QLockFile.LockError.LockFailedError:
            log.warning("The instance lock cannot be taken (%s): a second launch will not be noticed",
                        lock.error().name)  # fmt: skip
            return Instance(lock, guarded=False)
        if _ask_to_show(server_name()):
            print(ALREADY_RUNNING, flush=True)
            return 0
        if time.monotonic() > deadline:
            print(NOT_ANSWERING.format(pid=lock.getLockInfo()[0]), file=sys.stderr)
            return 1
        time.sleep(_RETRY_S)  # it is starting (not listening yet), or it is quitting (the lock frees)
    return Instance(lock)


def _ask_to_show(name: str) -> bool:
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(_SOCKET_WAIT_MS):
        return False
    if sys.platform == "win32":  # Windows lets the app take the foreground only if this launch allows it
        import ctypes

        ctypes.windll.user32.AllowSetForegroundWindow(-1)  # ASFW_ANY
    socket.write(SHOW)
    sent = socket.waitForBytesWritten(_SOCKET_WAIT_MS) or socket.bytesToWrite() == 0
    socket.disconnectFromServer()
    return sent
