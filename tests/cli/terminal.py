"""Running `voice-assistant` as a person does in a terminal: a new process with settings, data and
keychain of its own, and no service chosen by the shell."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Offscreen, with settings (tmp_path/config), data (tmp_path/data) and keychain of its own."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AZURE_OPENAI", "OPENAI", "VOICE_ASSISTANT_"))}  # fmt: skip
    env.update(QT_QPA_PLATFORM="offscreen", VOICE_ASSISTANT_DATA_DIR=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path), PYTHONPATH=str(ROOT),
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", **extra)  # fmt: skip
    return env


def run(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """`python -m desktop ARGS`; `extra` adds to the environment (e.g. TZ)."""
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args], env=environment(tmp_path, **extra), cwd=ROOT,
        capture_output=True, text=True, encoding="utf-8", timeout=60,
    )  # fmt: skip


def store_settings(tmp_path: Path, **values: str) -> None:
    """The app's settings as QSettings keeps them on Linux (XDG_CONFIG_HOME/VoiceAssistant/...)."""
    folder = tmp_path / "config" / "VoiceAssistant"
    folder.mkdir(parents=True, exist_ok=True)
    lines = "\n".join(f"{key}={value}" for key, value in values.items())
    (folder / "VoiceAssistant.conf").write_text(f"[General]\n{lines}\n", encoding="utf-8")


def one_sentence(stderr: str) -> bool:
    """A failure as the person should see it: one line, a full stop, no traceback."""
    text = stderr.strip()
    return bool(text) and "\n" not in text and text.endswith(".") and "Traceback" not in stderr
