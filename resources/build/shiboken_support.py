"""Build time: Shiboken's Python support files (the signature loader) as compiled files in the bundle.

Shiboken carries these modules inside its library as zipped source and compiles them at every launch,
before PySide6's first module is usable (docs/measurements.md, Launch). Where the folder
`shiboken6/files.dir` exists next to the package, its bootstrap imports them from there instead, with
Python's ordinary import; this writes that folder as sourceless .pyc files (no source to check, no
compiling at launch). Shiboken's own switch (SBK_EMBED=0) unpacks them, into a copy of the package
made here so that the build environment stays untouched.
"""

from __future__ import annotations

import os
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

FOLDER = "files.dir"


def compiled_support_files(shiboken_package: Path, work: Path) -> list[tuple[str, str]]:
    """The (source, destination folder) entries for build.spec's datas; [] where unpacking fails."""
    copy = work / "shiboken6"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(shiboken_package, copy, ignore=shutil.ignore_patterns("__pycache__", FOLDER, "include"))
    env = {**os.environ, "SBK_EMBED": "0", "PYTHONPATH": str(work)}
    subprocess.run([sys.executable, "-c", "import shiboken6"], env=env, check=False, cwd=work)
    files = copy / FOLDER
    if not (files / "shibokensupport" / "signature" / "loader.py").is_file():
        print("note: Shiboken's support files could not be unpacked; they stay embedded (compiled at launch)")
        return []
    entries = []
    for source in sorted(files.rglob("*.py")):
        relative = source.relative_to(files)
        compiled = source.with_suffix(".pyc")  # beside its package, not in __pycache__: sourceless
        py_compile.compile(str(source), cfile=str(compiled), dfile=str(relative), doraise=True)
        source.unlink()
        entries.append((str(compiled), str(Path("shiboken6", FOLDER, relative.parent))))
    return entries
