"""build.spec leaves Qt modules out of the bundle to keep it small; a module the app starts to use must
not be among them (the packaged app would fail where the source tree works). It also keeps the
benchmarks, the scripts and the tests out, and fails the build if the analysis collected any of them:
checked here without building (.ci/run lists the built archive as well)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "resources" / "build"))

from developer_only import DEVELOPER_ONLY, developer_only, refuse_developer_only  # noqa: E402

SPEC = (ROOT / "build.spec").read_text(encoding="utf-8")


def excluded_qt_modules() -> set[str]:
    block = SPEC[SPEC.index("excluded = [") : SPEC.index("]", SPEC.index("excluded = ["))]
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


def test_every_top_level_folder_of_python_but_the_product_is_developer_only() -> None:
    folders = {
        folder.name
        for folder in ROOT.iterdir()
        if folder.is_dir() and not folder.name.startswith((".", "build", "dist", "venv"))
        and next(folder.rglob("*.py"), None) is not None
    }  # fmt: skip
    # resources/build holds build.spec's helpers and PyInstaller's runtime hook, never imported as modules.
    assert folders - {"desktop", "resources"} == set(DEVELOPER_ONLY)


def test_developer_only_modules_are_told_from_the_product() -> None:
    names = ["desktop.audio", "benchmarks", "benchmarks.far_end", "tests.demo.partition", "scripts.x",
             "testsuite", "pytest", "desktop.tests", "examples.token_service.server", "example"]  # fmt: skip
    assert developer_only(names) == [
        "benchmarks", "benchmarks.far_end", "examples.token_service.server", "scripts.x",
        "tests.demo.partition",
    ]  # fmt: skip


def test_a_developer_only_module_in_the_analysis_fails_the_build() -> None:
    refuse_developer_only(["desktop", "desktop.__main__", "aiortc.rtp"])
    with pytest.raises(SystemExit, match=r"developer-only modules \(1\): tests\.demo\.partition"):
        refuse_developer_only(["desktop", "tests.demo.partition"])


def test_the_spec_excludes_them_and_checks_what_the_analysis_collected() -> None:
    assert "from developer_only import DEVELOPER_ONLY, refuse_developer_only" in SPEC
    assert 'hidden = collect_submodules("desktop")\n' in SPEC  # the whole product, nothing filtered out
    excluded = SPEC[SPEC.index("excluded = [") : SPEC.index("\n]\n", SPEC.index("excluded = ["))]
    assert "*DEVELOPER_ONLY," in excluded
    steps = ("a = Analysis(", "refuse_developer_only(", "PYZ(")
    analysis, check, archive = (SPEC.index(step) for step in steps)
    assert analysis < check < archive
    assert "refuse_developer_only(name for name, _path, _kind in a.pure)" in SPEC
