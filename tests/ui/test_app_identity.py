"""The launched app names its desktop entry (Wayland's app id, GNOME's match to the launcher) and
writes its log file, in the log folder an overridden data folder implies: never the person's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop.storage.paths import APP_ID

ROOT = Path(__file__).resolve().parents[2]

# desktop.app.launch.run_window as launched, up to the point where the conversation machinery would start.
LAUNCH = """
import sys
from PySide6.QtGui import QGuiApplication
import desktop.app.launch as app

def run(_app, window, _instance):
    print("desktop file name:", QGuiApplication.desktopFileName(), flush=True)
    window.close()
    return 0

app._run = run
sys.exit(app.run_window(["voice-assistant"]))
"""


def test_the_app_names_its_desktop_entry_and_logs_where_it_should(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VOICE_ASSISTANT_DATA_DIR=str(tmp_path / "data"),
               HOME=str(home), XDG_STATE_HOME=str(home / "state"), XDG_CONFIG_HOME=str(home / "config"),
               PYTHONPATH=str(ROOT))  # fmt: skip
    env.pop("VOICE_ASSISTANT_LOG_DIR", None)
    result = subprocess.run(
        [sys.executable, "-c", LAUNCH], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert f"desktop file name: {APP_ID}" in result.stdout
    log = (tmp_path / "data" / "logs" / "voice-assistant.log").read_text(encoding="utf-8")
    assert "Voice Assistant " in log and " window system offscreen" in log
    assert not (home / "state").exists()  # the platform's own log folder (Linux) stays untouched
