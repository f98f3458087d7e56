"""The log file: in the platform's log folder, never the real one under test, rotated, and no key in it
even when some code logs one."""

from __future__ import annotations

import logging
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import platformdirs
import pytest
from keyring.backend import KeyringBackend

from desktop.app.log_file import BACKUP_COUNT, FILE_NAME, log_file_path, start_log_file
from desktop.realtime.config import ProviderKind
from desktop.settings.keychain import KeyStore
from desktop.storage import paths
from desktop.storage.paths import APP_AUTHOR, APP_NAME, DATA_DIR_ENV, LOG_DIR_ENV, log_dir

log = logging.getLogger("tests.log_file")


def test_the_log_folder_is_the_platforms(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(DATA_DIR_ENV)
    monkeypatch.delenv(LOG_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))  # where platformdirs puts logs on Linux
    assert log_dir() == Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))
    assert log_file_path() == log_dir() / FILE_NAME


def test_tests_and_the_self_test_log_into_their_own_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert log_dir() == paths.data_dir() / "logs"  # conftest overrides the data folder for every test
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "elsewhere"))
    assert log_dir() == tmp_path / "elsewhere"


def test_it_starts_with_the_version_and_the_platform() -> None:
    from desktop import __version__

    log_file = start_log_file(console=False)
    try:
        first = log_file.path.read_text(encoding="utf-8").splitlines()[0]
    finally:
        log_file.stop()
    assert log_file.path.parent == log_dir()
    assert f"Voice Assistant {__version__} (from source) on " in first and "Python 3." in first


def test_it_rotates() -> None:
    log_file = start_log_file(max_bytes=2_000, console=False)
    try:
        for number in range(200):
            log.info("line %d of a long session, padded to fill the file: %s", number, "." * 40)
    finally:
        log_file.stop()
    rotated = sorted(path.name for path in log_file.path.parent.iterdir())
    assert rotated == [FILE_NAME, *(f"{FILE_NAME}.{n}" for n in range(1, BACKUP_COUNT + 1))]
    assert all(path.stat().st_size <= 2_000 for path in log_file.path.parent.iterdir())
    assert "line 199 " in log_file.path.read_text(encoding="utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_the_files_are_the_persons_alone(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / FILE_NAME).write_text("written by an older version\n", encoding="utf-8")
    (folder / FILE_NAME).chmod(0o644)
    log_file = start_log_file(folder, max_bytes=2_000, console=False)
    try:
        for number in range(40):  # past a rotation: the new file is private too
            log.info("line %d, padded: %s", number, "." * 60)
    finally:
        log_file.stop()
    files = sorted(folder.iterdir())
    assert len(files) > 1
    assert {stat.S_IMODE(path.stat().st_mode) for path in files} == {0o600}


def test_a_windowed_build_without_stderr_logs_to_the_file_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", None)  # PyInstaller's windowed app on Windows and macOS
    log_file = start_log_file()
    try:
        log.info("a line with no console to go to")
    finally:
        log_file.stop()
    assert [type(handler).__name__ for handler in log_file.handlers] == ["PrivateRotatingFileHandler"]
    assert "a line with no console to go to" in log_file.path.read_text(encoding="utf-8")


class OneKeyKeyring(KeyringBackend):
    """A keychain holding one stored key, as the system's would."""

    priority = 1

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def get_password(self, service: str, username: str) -> str | None:
        return self.key

    def set_password(self, service: str, username: str, password: str) -> None:
        self.key = password

    def delete_password(self, service: str, username: str) -> None:
        self.key = ""


@pytest.fixture
def keychain_key() -> Iterator[str]:
    previous = keyring.get_keyring()
    key = "keychain-key-n0t-k3y-5hap3d"
    keyring.set_keyring(OneKeyKeyring(key))
    yield key
    keyring.set_keyring(previous)


async def test_no_key_reaches_the_file_even_when_logged(
    monkeypatch: pytest.MonkeyPatch, keychain_key: str
) -> None:
    from_environment = "environment-key-5up3r-53cr3t"
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", from_environment)
    log_file = start_log_file(console=False)
    try:
        log.info("careless: %s", from_environment)
        loaded = await KeyStore({}).load(ProviderKind.OPENAI)  # the keychain's key, as a call reads it
        assert loaded.value == keychain_key
        log.warning("careless too: %s, ek_abcdef123456 and sk-proj-abcdef123456", keychain_key)
        try:
            raise ValueError(f"a failure that quotes the key {keychain_key}")
        except ValueError:
            log.exception("and a traceback")
    finally:
        log_file.stop()
    text = log_file.path.read_text(encoding="utf-8")
    assert "careless: ***" in text and "careless too: ***" in text and "quotes the key ***" in text
    for secret in (from_environment, keychain_key, "ek_abcdef123456", "sk-proj-abcdef123456"):
        assert secret not in text
