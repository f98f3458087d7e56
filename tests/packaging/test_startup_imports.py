"""The window must be on screen within half a second, so nothing of the media stack, the network or the
keychain may be imported before it is shown; this checks what was loaded at that moment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("aiortc", "av", "aiohttp", "sounddevice", "keyring", "numpy", "desktop.session")

# Launches the app through its real entry point and reports the loaded modules when the window shows.
LAUNCH = """
import os
import sys
from desktop.ui.main_window import MainWindow

shown = MainWindow.show
def show(window):
    shown(window)
    print("loaded:", " ".join(sorted(sys.modules)), flush=True)
    os._exit(0)
MainWindow.show = show
from desktop.__main__ import main
main([])
"""


def test_no_media_stack_before_the_window_shows(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VOICE_ASSISTANT_DATA_DIR=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONPATH=str(ROOT))  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", LAUNCH], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("loaded:")]
    loaded = set(line.split()[1:])
    assert "desktop.ui.main_window" in loaded
    early = sorted(name for name in loaded if name in HEAVY or name.split(".")[0] in HEAVY)
    assert early == [], f"imported before the window was shown: {early}"
