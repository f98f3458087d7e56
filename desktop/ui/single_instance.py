"""One app, one window: a second launch brings the running window to the front and exits, instead of
opening a second conversation on the same sound card.

The app takes a lock file before it makes its window (Qt's QLockFile: a lock left by a crashed app is
recognised by its process id and boot and taken over), so two launches at the same moment cannot both
win. The lock guards this computer's sound card and window, so it lives in the per-boot runtime folder
where there is one (Linux: XDG_RUNTIME_DIR, a tmpfs of the person's own): a home folder restored from
a backup or shared over NFS never carries it. Elsewhere it is in the data folder, and a lock that
another computer took there is removed (Qt cannot see that computer's processes and would keep it
forever).

Once its window is shown, the winner listens on a local socket (a Unix socket in the temporary folder,
a named pipe on Windows) named for the person and the data folder; a launch that finds the lock held
connects there, sends `show` with the launcher's activation token and waits for `shown`. Quitting
closes the socket at once (the lock stays until the process exits): a launch in the meantime gets no
answer, waits for the lock and becomes the app. Both are per data folder, so a test with a folder of
its own (VOICE_ASSISTANT_DATA_DIR) is an app of its own. `--check` and `--self-test` take no part.

QtNetwork is imported only after the window is shown, or by a second launch, which shows no window.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import sys
import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLockFile, QObject, QSysInfo, Qt, Signal
from PySide6.QtWidgets import QWidget

from desktop.storage import data_dir

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

LOCK_NAME = "instance.lock"
SHOW = "show"
SHOWN = b"shown\n"
# The launcher's token that lets the window take the focus: Wayland's xdg-activation, X11's startup id.
TOKEN_VARIABLES = ("XDG_ACTIVATION_TOKEN", "DESKTOP_STARTUP_ID")
ALREADY_RUNNING = "Voice Assistant is already running; its window was brought to the front."
NOT_ANSWERING = str(
    QT_TRANSLATE_NOOP(
        "SingleInstance",
        "Voice Assistant is already running (process {pid}) but does not answer; close it, or end that "
        "process, and start it again.",
    )
)
# A running app answers once its window is shown (well under a second); a busy machine gets more.
ANSWER_WAIT_ENV = "VOICE_ASSISTANT_ANSWER_WAIT_S"  # the tests' shorter wait for an app that never answers
_ANSWER_WAIT_S = 10.0
_RETRY_S = 0.1
_SOCKET_WAIT_MS = 2000
_TOKEN = re.compile(r"[!-~]{1,512}")  # printable ASCII without spaces, as launchers make them
_LONGEST_REQUEST = 600
_GARBLED_LOCK_AGE_S = 5.0  # Qt writes a lock's lines at once when it creates it: empty for long is dead


def server_name() -> str:
    """The person's and the data folder's; short, because a Unix socket's path is limited (~100 bytes)."""
    import getpass
    import hashlib  # loads OpenSSL: not before the window (docs/measurements.md, Launch)

    user = str(os.getuid()) if hasattr(os, "getuid") else getpass.getuser()
    digest = hashlib.sha256(f"{user}\0{data_dir().resolve()}".encode()).hexdigest()[:16]
    return f"VoiceAssistant-{digest}"


def lock_path() -> Path:
    """In the per-boot runtime folder where the system has one (see the module's docstring), named for
    the data folder (crc32: hashlib would load OpenSSL before the window); else in the data folder."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isdir(runtime):  # the person's own, emptied at every boot
        folder = str(data_dir().resolve()).encode()
        return Path(runtime) / f"VoiceAssistant-{zlib.crc32(folder):08x}.lock"
    return data_dir() / LOCK_NAME


class Instance(QObject):
    """This process is the app of its data folder; `showRequested` is a later launch asking for the
    window (with its activation token, or ""). Released when the process exits (a crash leaves a lock
    the next launch takes over)."""

    showRequested = Signal(str)

    def __init__(self, lock: QLockFile, *, guarded: bool = True) -> None:
        super().__init__()
        self._lock = lock
        self._guarded = guarded
        self._server: QLocalServer | None = None
        self._quitting = False
        atexit.register(self.release)

    def listen(self, window: QWidget) -> None:
        """From now on a later launch brings `window` to the front."""
        if not self._guarded or self._quitting:
            return
        from PySide6.QtNetwork import QLocalServer

        self.showRequested.connect(lambda token: bring_to_front(window, token))
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        name = server_name()
        QLocalServer.removeServer(name)  # a crashed app's socket: this process holds the lock
        if not self._server.listen(name):
            log.warning("A second launch cannot reach this window: %s", self._server.errorString())

    def stop_listening(self) -> None:
        """Quitting has begun: no window comes back, and a launch from now on waits for the lock (held
        until this process exits) and becomes the app."""
        self._quitting = True
        if self._server is not None:
            self._server.close()  # also drops the connections not accepted yet

    def release(self) -> None:
        self.stop_listening()
        self._lock.unlock()

    def _accept(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda socket=socket: self._read(socket))
            socket.disconnected.connect(socket.deleteLater)
            self._read(socket)  # what arrived before the connection was accepted

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > _LONGEST_REQUEST:
                socket.abort()
            return
        words = bytes(socket.readLine(_LONGEST_REQUEST).data()).decode("ascii", "replace").split()
        if self._quitting or not words or words[0] != SHOW:
            socket.abort()  # no answer: the launch keeps waiting, and takes over once this app is gone
            return
        token = words[1] if len(words) > 1 and _TOKEN.fullmatch(words[1]) else ""
        log.info("A second launch asked for the window%s: bringing it to the front",
                 " (with an activation token)" if token else "")  # fmt: skip
        self.showRequested.emit(token)
        socket.write(SHOWN)
        socket.disconnectFromServer()  # after the answer is written


def bring_to_front(window: QWidget, token: str = "") -> None:
    """Restores a minimised window and asks the window system to raise and focus it. Wayland grants
    the focus with the launcher's activation token, which Qt's Wayland plugin reads from the
    environment when asked to activate; without one the desktop may only mark the window as wanting
    attention (so may Windows)."""
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    if token:
        os.environ["XDG_ACTIVATION_TOKEN"] = token
    window.activateWindow()
    os.environ.pop("XDG_ACTIVATION_TOKEN", None)  # used once; programs started later must not inherit it


def claim() -> Instance | int:
    """This process's hold on its data folder's window, or this launch's exit status when the app
    runs already: 0 once it brought its window to the front, 1 when it does not answer."""
    path = lock_path()
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # held for as long as the app runs: only a dead holder makes it stale
    deadline = time.monotonic() + _answer_wait()
    while not lock.tryLock(0):
        if lock.error() != QLockFile.LockError.LockFailedError:
            log.warning("The instance lock cannot be taken (%s): a second launch will not be noticed",
                        lock.error().name)  # fmt: skip
            return Instance(lock, guarded=False)
        if _ask_to_show(server_name(), activation_token()):
            print(ALREADY_RUNNING, flush=True)
            return 0
        if _remove_if_dead(lock, path):
            continue
        if time.monotonic() > deadline:
            _say_not_answering(lock.getLockInfo()[0])
            return 1
        time.sleep(_RETRY_S)  # it is starting (not listening yet), or it is quitting (the lock frees)
    return Instance(lock)


def activation_token() -> str:
    """The token the launcher gave this launch, for the running app to take the focus with."""
    for name in TOKEN_VARIABLES:
        token = os.environ.get(name, "")
        if _TOKEN.fullmatch(token):
            return token
    return ""


def _answer_wait() -> float:
    try:
        return float(os.environ.get(ANSWER_WAIT_ENV, _ANSWER_WAIT_S))
    except ValueError:
        return _ANSWER_WAIT_S


def _remove_if_dead(lock: QLockFile, path: Path) -> bool:
    """Removes a lock that no app on this computer holds although Qt keeps it: one that another
    computer took (a restored or shared home folder), or one without a process id in it."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
        age = time.time() - path.stat().st_mtime
    except OSError:
        return False  # gone already: the next try takes it
    if lines[0].strip().isdigit():
        elsewhere = _other_computer(lines)
        if not elsewhere:
            return False
        why = f"it was taken on another computer ({elsewhere})"
    elif age > _GARBLED_LOCK_AGE_S:
        why = "it names no process"
    else:
        return False
    if not lock.removeStaleLockFile():  # e.g. that computer's app still holds it over NFS
        return False
    log.warning("Removed the instance lock %s: %s", path, why)
    return True


def _other_computer(lines: list[str]) -> str:
    """The host named in a Qt lock file's lines (pid, app, host, machine id, boot id) when it is not
    this computer, else "". The machine id decides where both have one: a renamed host is the same."""
    host = lines[2] if len(lines) > 2 else ""
    theirs = lines[3] if len(lines) > 3 else ""
    ours = bytes(QSysInfo.machineUniqueId().data()).decode("ascii", "replace")
    if theirs and ours:
        return "" if theirs == ours else host or theirs
    return "" if not host or host == QSysInfo.machineHostName() else host


def _say_not_answering(pid: int) -> None:
    """On stderr for a terminal, and in a box for someone who clicked the launcher."""
    print(NOT_ANSWERING.format(pid=pid), file=sys.stderr)
    from PySide6.QtWidgets import QMessageBox

    title = QCoreApplication.translate("SingleInstance", "Voice Assistant")
    text = QCoreApplication.translate("SingleInstance", NOT_ANSWERING).format(pid=pid)
    QMessageBox.warning(None, title, text)


def _ask_to_show(name: str, token: str) -> bool:
    """True once the running app answered that its window is in front; False when nothing listens,
    or the app is quitting (it closes the connection without an answer)."""
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(_SOCKET_WAIT_MS):
        return False
    if sys.platform == "win32":  # Windows lets the app take the foreground only if this launch allows it
        import ctypes

        ctypes.windll.user32.AllowSetForegroundWindow(-1)  # ASFW_ANY
    socket.write(f"{SHOW} {token}\n".encode() if token else f"{SHOW}\n".encode())
    socket.waitForBytesWritten(_SOCKET_WAIT_MS)
    while not socket.canReadLine():
        if not socket.waitForReadyRead(_SOCKET_WAIT_MS):  # closed without an answer, or too slow
            socket.abort()
            return False
    answered = socket.readLine().data() == SHOWN
    socket.abort()
    return answered
