"""`voice-assistant --check` as a person runs it: a new process, the stored settings, the keychain
(here keyring's in-memory-free null backend plus environment keys) and the app's own tools."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.loopback.thread import LoopbackThread

KEY = "right-key-0123456789abcdef"


@pytest.fixture
def server() -> object:
    thread = LoopbackThread()
    thread.server.api_key = KEY
    base = thread.start()
    yield base
    thread.stop()


def _run_check(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AZURE_OPENAI", "OPENAI", "VOICE_ASSISTANT_PROVIDER"))
    }
    # Isolated settings and keychain: never the person's own.
    environ.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        HOME=str(tmp_path),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--check", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _store_settings(tmp_path: Path, **values: str) -> None:
    folder = tmp_path / "config" / "VoiceAssistant"
    folder.mkdir(parents=True)
    lines = "\n".join(f"{key}={value}" for key, value in values.items())
    (folder / "VoiceAssistant.conf").write_text(f"[General]\n{lines}\n", encoding="utf-8")


def test_the_stored_provider_is_checked_with_the_apps_tools(tmp_path: Path, server: str) -> None:
    _store_settings(tmp_path, provider="azure", endpoint=server, deployment="gpt-realtime")
    done = _run_check(tmp_path, AZURE_OPENAI_API_KEY=KEY)
    assert done.returncode == 0, done.stderr
    assert "azure" in done.stdout
    assert "createMeeting" in done.stdout and "queryKnowledgeBase" in done.stdout


def test_a_wrong_key_fails_with_one_sentence_and_no_key(tmp_path: Path, server: str) -> None:
    _store_settings(tmp_path, provider="openai", endpoint=server, deployment="gpt-realtime")
    wrong = "sk-wrong-key-9876543210zyxwvu"
    done = _run_check(tmp_path, OPENAI_API_KEY=wrong)
    assert done.returncode == 1
    assert "key" in done.stderr.lower()
    assert wrong not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_provider_is_refused_with_the_choices(tmp_path: Path) -> None:
    done = _run_check(tmp_path, "--provider", "nonsense")
    assert done.returncode == 2
    choices = "'azure-preview', 'azure', 'openai', 'demo'"
    assert f"invalid choice: 'nonsense' (choose from {choices})" in done.stderr


def test_the_provider_name_is_read_without_regard_to_case(tmp_path: Path, server: str) -> None:
    _store_settings(tmp_path, provider="openai", endpoint=server, deployment="gpt-realtime")
    done = _run_check(tmp_path, "--provider", "Azure", AZURE_OPENAI_API_KEY=KEY)
    assert done.returncode == 0, done.stderr
    assert "Checking the connection to azure" in done.stdout
