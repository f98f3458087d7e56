"""The app's log file: what a person can send when a call went wrong in the field.

It lives in the platform's log folder (platformdirs' `user_log_dir`; `desktop.storage.paths.log_dir` has the
overrides the tests and the self-test use), rotates so that it never holds more than a few MB, and
every line passes through the masker on its way out: a key that some code logged by mistake still
never reaches the file (the code that logs masks first; this is the second line of defence). On POSIX
the files are the person's alone (0600, in a 0700 folder): they name the service, the computer and
what was said to the tools.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
from dataclasses import dataclass
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path

from desktop import __version__
from desktop.realtime import AZURE_VARS, OPENAI_VARS, TOKEN_BEARER, mask_secrets, remember_secrets
from desktop.storage import log_dir

FILE_NAME = "voice-assistant.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3  # voice-assistant.log.1 … .3: about a week of daily use at the lines below
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# aioice logs every ICE check (with the computer's addresses) at INFO; their warnings still come through.
_CHATTY_LIBRARIES = ("aioice", "aiortc")
_PRIVATE = 0o600  # rw for the owner; Windows keeps only the read-only bit of it (off)

log = logging.getLogger(__name__)


class MaskingFormatter(logging.Formatter):
    """Formats as usual, then masks the whole line: message, arguments and traceback alike."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))


class PrivateRotatingFileHandler(RotatingFileHandler):
    """Creates each file (the first and every one after a rotation) readable by its owner only."""

    def _open(self) -> TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, _PRIVATE)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)  # rotation always appends


def log_file_path(folder: Path | None = None) -> Path:
    return (folder or log_dir()) / FILE_NAME


@dataclass(frozen=True)
class LogFile:
    path: Path
    handlers: tuple[logging.Handler, ...]
    levels: dict[str, int]  # the loggers' levels before, by name ("" is the root)

    def stop(self) -> None:
        """Undoes `start_log_file` and closes the file (for tests)."""
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()
        for name, level in self.levels.items():
            logging.getLogger(name or None).setLevel(level)


def start_log_file(
    folder: Path | None = None, *, max_bytes: int = MAX_BYTES, console: bool = True
) -> LogFile:
    """Adds the rotating, masked log file (and, with `console`, the same lines on stderr) to the root
    logger, then writes what the app is and where it runs. A windowed build has no stderr
    (sys.stderr is None): its lines go to the file only."""
    path = log_file_path(folder)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        path.chmod(_PRIVATE)  # written by an older version with the default permissions
    remember_secrets(*_environment_keys())
    formatter = MaskingFormatter(LINE_FORMAT)
    handlers: list[logging.Handler] = [
        PrivateRotatingFileHandler(path, maxBytes=max_bytes, backupCount=BACKUP_COUNT, encoding="utf-8")
    ]
    if console and sys.stderr is not None:
        handlers.append(logging.StreamHandler())
    levels = {name: logging.getLogger(name or None).level for name in ("", *_CHATTY_LIBRARIES)}
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    for name in _CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    log.info(
        "Voice Assistant %s (%s) on %s, Python %s; log file %s",
        __version__,
        "packaged" if getattr(sys, "frozen", False) else "from source",
        platform.platform(),
        platform.python_version(),
        path,
    )
    return LogFile(path, tuple(handlers), levels)


def _environment_keys() -> list[str]:
    """The keys given by environment variable: masked even before any call reads them."""
    names = {
        name for table in (AZURE_VARS, OPENAI_VARS) for name, field in table.items() if field == "api_key"
    }
    names.add(TOKEN_BEARER)  # the token service's bearer token is a secret like them
    return [os.environ.get(name, "").strip() for name in sorted(names)]
