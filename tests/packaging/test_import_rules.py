"""The import rules that import-linter cannot express (pyproject.toml's [tool.importlinter] holds the
others, and `lint-imports` checks them in CI).

Code outside a package imports only the names its `__init__.py` lists, and it lists only names other
packages use; each package lists its surface
the same way in its three places (`__all__`, the `if TYPE_CHECKING:` imports for mypy, the lazy table
that imports them at run time) and every name there resolves; settings take only QtCore from Qt; and
no module of `desktop` imports itself back at run time (the contract lets type-only imports close a loop).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(f"desktop.{init.parent.name}" for init in (ROOT / "desktop").glob("*/__init__.py"))
# Tests, benchmarks and scripts may import internals: they test, measure and rebuild the product and
# are not part of it. A package's surface is what the product's other packages use.
SOURCES = ("desktop",)


@dataclass(frozen=True)
class Imported:
    """One import statement's target, as written in a file."""

    file: str
    line: int
    module: str
    names: tuple[str, ...]  # empty for `import module`


def _python_files() -> list[Path]:
    return sorted(path for folder in SOURCES for path in (ROOT / folder).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, module_name: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module_name.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(path: Path) -> Iterator[Imported]:
    """Every import in the file, at module level, in functions and under `if TYPE_CHECKING:`."""
    name, file = _module_name(path), str(path.relative_to(ROOT))
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=file)):
        if isinstance(node, ast.Import):
            yield from (Imported(file, node.lineno, alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, name, path.name == "__init__.py")
            yield Imported(file, node.lineno, module, tuple(alias.name for alias in node.names))


def _home(path: Path) -> str:
    """The package a file belongs to: desktop.<package>, or the folder outside desktop/ (or desktop)."""
    parts = path.relative_to(ROOT).parts
    return f"desktop.{parts[1]}" if parts[0] == "desktop" and len(parts) > 2 else parts[0]


def _literal_all(init: ast.Module) -> list[str]:
    for node in init.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return list(ast.literal_eval(node.value))
    return []


def _init_tree(package: str) -> ast.Module:
    path = ROOT / package.replace(".", "/") / "__init__.py"
    return ast.parse(path.read_text(encoding="utf-8"))


def _surface(package: str) -> set[str]:
    return set(_literal_all(_init_tree(package)))


def _surface_problems(imported: Imported, home: str) -> Iterator[str]:
    parts = imported.module.split(".")
    if parts[0] != "desktop" or len(parts) < 2 or f"desktop.{parts[1]}" == home:
        return
    package = f"desktop.{parts[1]}"
    if len(parts) > 2:
        yield (
            f"{imported.file}:{imported.line} imports {imported.module}, a module inside another "
            f"package: import its names from {package} (add them to its __init__.py if missing)."
        )
        return
    for name in sorted(set(imported.names) - _surface(package)):
        yield (
            f"{imported.file}:{imported.line} imports {name} from {package}, which is not in "
            f"{package}'s __all__: add it to the package's __init__.py or import a listed name."
        )


def test_other_packages_import_only_a_package_surface() -> None:
    problems = [
        problem
        for path in _python_files()
        for imported in _imports(path)
        for problem in _surface_problems(imported, _home(path))
    ]
    assert not problems, "\n".join(problems)


def test_every_listed_name_is_used_by_another_package() -> None:
    """A surface is what other packages need, not everything one caller once reached for."""
    used: dict[str, set[str]] = {package: set() for package in PACKAGES}
    for path in _python_files():
        home = _home(path)
        for imported in _imports(path):
            if imported.module in used and imported.module != home:
                used[imported.module].update(imported.names)
    problems = [
        f"{package}'s __all__ lists {name}, which no other package imports: drop it from __init__.py."
        for package in PACKAGES
        for name in sorted(_surface(package) - used[package])
    ]
    assert not problems, "\n".join(problems)


def test_what_tests_benchmarks_and_scripts_import_from_desktop_exists() -> None:
    """They may import internals, but only ones that exist: a name a package dropped fails here, with
    its file and line, rather than as one test module that no longer collects."""
    problems = []
    outside = ("tests", "benchmarks", "scripts", "examples")
    for path in sorted(p for folder in outside for p in (ROOT / folder).rglob("*.py")):
        for imported in _imports(path):
            if imported.module.split(".")[0] != "desktop":
                continue
            module = importlib.import_module(imported.module)
            problems += [
                f"{imported.file}:{imported.line} imports {name} from {imported.module}, which has none."
                for name in imported.names
                if not hasattr(module, name) and importlib.util.find_spec(f"{imported.module}.{name}") is None
            ]
    assert not problems, "\n".join(problems)


def test_settings_take_only_qtcore_from_qt() -> None:
    problems = [
        f"{imported.file}:{imported.line} imports {module}: settings may use Qt only for QSettings "
        f"(PySide6.QtCore)."
        for path in sorted((ROOT / "desktop" / "settings").rglob("*.py"))
        for imported in _imports(path)
        for module in (
            [f"{imported.module}.{name}" for name in imported.names]
            if imported.module == "PySide6"
            else [imported.module]
        )
        if module.split(".")[0] == "PySide6" and module.split(".")[:2] != ["PySide6", "QtCore"]
    ]
    assert not problems, "\n".join(problems)


@dataclass
class Surface:
    """A package's public names, as each of its three places in `__init__.py` lists them."""

    listed: set[str]  # __all__
    typed: dict[str, str]  # TYPE_CHECKING imports: name -> module it comes from (or "" for a submodule)
    lazy: dict[str, str]  # the lazy table: name -> module


def _type_checking_imports(package: str, init: ast.Module) -> dict[str, str]:
    typed: dict[str, str] = {}
    for node in init.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), f"{package}: only imports under TYPE_CHECKING"
                module = statement.module or ""
                source = "" if module == package else module.removeprefix(f"{package}.")
                typed.update({alias.asname or alias.name: source for alias in statement.names})
    return typed


def _lazy_table(init: ast.Module) -> dict[str, str]:
    for node in ast.walk(init):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "lazy_exports":
            table: dict[str, tuple[str, ...]] = ast.literal_eval(node.args[1])
            return {name: module for module, names in table.items() for name in names}
    return {}


def _surface_of(package: str) -> Surface:
    init = _init_tree(package)
    return Surface(set(_literal_all(init)), _type_checking_imports(package, init), _lazy_table(init))


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_lists_its_surface_the_same_way_in_all_three_places(package: str) -> None:
    surface = _surface_of(package)
    init = f"{package.replace('.', '/')}/__init__.py"
    problems = [
        f"{init} lists {name} in __all__ but does not import it under TYPE_CHECKING."
        for name in sorted(surface.listed - surface.typed.keys())
    ] + [
        f"{init} imports {name} under TYPE_CHECKING but does not list it in __all__."
        for name in sorted(surface.typed.keys() - surface.listed)
    ]
    for name, module in sorted(surface.typed.items()):
        lazy = surface.lazy.get(name, "")
        if lazy != module:
            where = f"from {lazy}" if lazy else "nowhere"
            wanted = f"from {module}" if module else "nowhere (it is a submodule)"
            problems.append(f"{init}'s lazy table takes {name} {where}, its TYPE_CHECKING import {wanted}.")
    problems += [
        f"{init}'s lazy table has {name}, which neither __all__ nor the TYPE_CHECKING imports list."
        for name in sorted(surface.lazy.keys() - surface.typed.keys())
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_of_a_package_surface_resolves(package: str) -> None:
    module = importlib.import_module(package)
    problems = []
    for name in sorted(_surface(package)):
        if importlib.util.find_spec(f"{package}.{name}") is not None:
            continue  # a submodule: `from package import name` imports it
        try:
            getattr(module, name)
        except (AttributeError, ImportError) as error:
            problems.append(f"{package}.{name} is in __all__ but does not resolve at run time: {error}.")
    assert not problems, "\n".join(problems)


def test_no_module_imports_itself_back_at_run_time() -> None:
    graph = grimp.build_graph("desktop", exclude_type_checking_imports=True, cache_dir=None)
    problems, seen = [], set()
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None and frozenset(back) not in seen:
                seen.add(frozenset(back))
                problems.append(f"{importer} imports {imported}, which imports it back: {' -> '.join(back)}.")
    assert not problems, "\n".join(problems)
