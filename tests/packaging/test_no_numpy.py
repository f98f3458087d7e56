"""The app runs without numpy (its weight in the bundle and in memory: docs/measurements.md): its audio
is bytes handled by `desktop.audio.pcm`. The self-test proves it for a whole conversation
(tests/packaging/test_self_test.py); this checks the modules only a real call with devices loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = (
    "desktop.app.composition",
    "desktop.audio.microphone",
    "desktop.audio.speaker",
    "desktop.audio.echo",
    "desktop.audio.aiortc_patches",
    "desktop.audio.synthetic",
    "desktop.demo.server",
    "desktop.app.self_test",
)
GUARD = """
import importlib, sys
class NoNumpy:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "numpy":
            raise ImportError("numpy imported by the app")
sys.meta_path.insert(0, NoNumpy())
for module in sys.argv[1:]:
    importlib.import_module(module)
"""


def test_the_app_modules_import_without_numpy() -> None:
    result = subprocess.run(
        [sys.executable, "-c", GUARD, *RUNTIME], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
