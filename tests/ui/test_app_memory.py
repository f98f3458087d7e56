"""What keeps the app's resident memory down (desktop/app/memory.py, lazy imports); each check runs in a
fresh interpreter, because the import machinery it looks at is process-wide."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from desktop.app.memory import limit_malloc_arenas, release_free_memory

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.strip()


def test_modules_imported_after_the_app_keep_no_source_in_memory() -> None:
    # PySide6's __feature__ hook would read xml.dom.minidom's source into linecache and keep it.
    out = _run(
        "import builtins, linecache, sys\n"
        "import desktop.app.launch\n"
        "from xml.dom.minidom import parseString\n"
        "cached = [name for name in linecache.cache if name.endswith('minidom.py')]\n"
        "print(cached, builtins.__import__ is getattr(builtins, '__orig_import__', builtins.__import__))\n"
    )
    assert out == "[] True"


def test_qt_still_works_with_the_plain_import() -> None:
    out = _run(
        "import os\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "import desktop.app.launch\n"
        "from PySide6.QtCore import Qt\n"
        "from PySide6.QtWidgets import QApplication, QLabel\n"
        "app = QApplication([])\n"
        "label = QLabel('你好')\n"
        "label.setAlignment(Qt.AlignmentFlag.AlignCenter)\n"
        "print(label.text(), label.alignment() == Qt.AlignmentFlag.AlignCenter)\n"
    )
    assert out == "你好 True"


def test_the_calendar_pane_leaves_icalendar_until_an_export_or_import() -> None:
    out = _run("import sys\nimport desktop.ui.calendar_pane\nprint('icalendar' in sys.modules)\n")
    assert out == "False"


def test_the_malloc_settings_are_harmless_to_call_again() -> None:
    limit_malloc_arenas()
    release_free_memory()
    assert bytearray(10_000_000)  # malloc still serves large blocks
