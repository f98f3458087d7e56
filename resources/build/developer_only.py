"""What never goes into the packaged app: the benchmarks, the examples (the reference token service),
the scripts and the tests, top-level folders beside desktop/ that nothing under desktop/ imports
(tests/packaging/test_product_boundary.py).

build.spec excludes them from PyInstaller's analysis and fails the build if the analysis collected any
of them anyway; tests/packaging/test_build_spec.py checks that without building, and .ci/run lists the
built archive.
"""

from __future__ import annotations

from collections.abc import Iterable

DEVELOPER_ONLY = ("benchmarks", "examples", "scripts", "tests")


def developer_only(modules: Iterable[str]) -> list[str]:
    """The names among `modules` that are, or are inside, a developer-only package."""
    return sorted(name for name in modules if name.split(".")[0] in DEVELOPER_ONLY)


def refuse_developer_only(modules: Iterable[str]) -> None:
    """Ends the build when the analysis collected a developer-only module."""
    found = developer_only(modules)
    if found:
        shown = ", ".join(found[:10]) + (", …" if len(found) > 10 else "")
        raise SystemExit(f"The bundle would contain developer-only modules ({len(found)}): {shown}")
