"""build.spec leaves Qt modules out of the bundle to keep it small; a module the app starts to use must
not be among them (the packaged app would fail where the source tree works)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def excluded_qt_modules() -> set[str]:
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    block = spec[spec.index("excluded = [") : spec.index("]", spec.index("excluded = ["))]
    return set(re.findall(r'"PySide6\.(Qt\w+)"', block))


def used_qt_modules() -> set[str]:
    pattern = re.compile(r"^\s*(?:from|import) PySide6\.(Qt\w+)", re.MULTILINE)
    return {
        name for path in (ROOT / "desktop").rglob("*.py") for name in pattern.findall(path.read_text("utf-8"))
    }


def test_the_bundle_keeps_every_qt_module_the_app_imports() -> None:
    assert excluded_qt_modules(), "the spec's exclusion list was not found"
    assert used_qt_modules() >= {"QtCore", "QtGui", "QtWidgets"}
    assert used_qt_modules() & excluded_qt_modules() == set()
