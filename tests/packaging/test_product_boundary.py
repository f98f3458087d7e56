"""The product holds only the product: nothing under desktop/ imports the benchmarks, the scripts or the
tests, at the top of a module, inside a function, or by name through importlib. (build.spec keeps them
out of the bundle: tests/packaging/test_build_spec.py.)"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEVELOPER_ONLY = ("benchmarks", "examples", "scripts", "tests")
IMPORTING_CALLS = {"import_module", "__import__", "find_spec", "run_module"}
DOTTED_NAME = re.compile(rf"^(?:{'|'.join(DEVELOPER_ONLY)})(?:\.\w+)+$")


def imported_names(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, module) of every import statement anywhere in the module, and of every module named by a
    string: an argument of importlib's calls, or a dotted name such as a table of modules to load."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call) and _called_name(node.func) in IMPORTING_CALLS:
            named = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
            yield from ((node.lineno, name) for name in named if isinstance(name, str))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED_NAME.match(node.value):
            yield node.lineno, node.value


def _called_name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def developer_only_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = [(line, name) for line, name in imported_names(tree) if name.split(".")[0] in DEVELOPER_ONLY]
    return [f"{path.relative_to(ROOT)}:{line} imports {name}" for line, name in found]


def test_nothing_in_the_product_imports_benchmarks_scripts_or_tests() -> None:
    modules = sorted((ROOT / "desktop").rglob("*.py"))
    assert len(modules) > 50
    assert [found for path in modules for found in developer_only_imports(path)] == []


def test_the_check_sees_every_way_of_importing(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import benchmarks.table\n"
        "from tests.demo import partition\n"
        "def later():\n"
        "    import scripts.make_speech_clips\n"
        "    importlib.import_module('tests')\n"
        "    __import__('benchmarks')\n"
        "HEAVY = ('desktop.audio.devices', 'benchmarks.far_end')\n"
        "from . import sibling\n"
        "import testsuite, desktop.tests_helper\n"
        '"""The tests say so (tests/demo/partition.py)."""\n',
        encoding="utf-8",
    )
    found = [name for _line, name in imported_names(ast.parse(sample.read_text(encoding="utf-8")))]
    assert sorted(name for name in found if name.split(".")[0] in DEVELOPER_ONLY) == [
        "benchmarks", "benchmarks.far_end", "benchmarks.table", "scripts.make_speech_clips", "tests",
        "tests.demo",
    ]  # fmt: skip
