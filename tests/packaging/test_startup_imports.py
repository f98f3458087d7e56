"""The window must be on screen within half a second, so nothing of the media stack, the network or the
keychain may be imported before it is shown. The app itself tells when its window is shown (and then
quits) for the startup benchmark; `-X importtime` lists everything imported until then."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop.app.launch import EXIT_WHEN_SHOWN_ENV, SHOWN_MARKER

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "aiortc", "av", "aiohttp", "sounddevice", "keyring", "numpy", "qasync", "desktop.session.voice_session"
)


def test_no_media_stack_before_the_window_shows(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VOICE_ASSISTANT_DATA_DIR=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONPATH=str(ROOT))  # fmt: skip
    env[EXIT_WHEN_SHOWN_ENV] = "1"
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "desktop"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[-1] == SHOWN_MARKER
    imported = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "desktop.ui.main_window" in imported
    early = sorted(name for name in imported if name in HEAVY or name.split(".")[0] in HEAVY)
    assert early == [], f"imported before the window was shown: {early}"
