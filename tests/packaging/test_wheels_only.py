"""The plain install needs no compiler: pyproject.toml's runtime dependencies resolve to wheels alone on
this machine (pip's dry run, nothing installed). `.ci/run` also installs into a fresh venv this way and
checks every other target's wheels (`.ci/wheels`)."""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def index_reachable() -> None:
    index = urlsplit(os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple"))
    try:
        socket.create_connection((index.hostname or "pypi.org", index.port or 443), timeout=5).close()
    except OSError as error:
        pytest.skip(f"the package index {index.hostname} cannot be reached: {error}")


@pytest.mark.pypi
@pytest.mark.timeout(600)
def test_the_runtime_dependencies_resolve_to_wheels_alone(index_reachable: None, tmp_path: Path) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
               "--only-binary=:all:", "--report", str(report), *project["dependencies"]]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=540)
    assert result.returncode == 0, result.stderr  # pip names the package that has no wheel here
    installs = json.loads(report.read_text())["install"]
    chosen = {canonicalize_name(item["metadata"]["name"]): item for item in installs}
    assert {"pyside6-essentials", "aiortc", "av", "sounddevice"} <= chosen.keys()
    assert [name for name, item in chosen.items() if not item["download_info"]["url"].endswith(".whl")] == []
    # The compiled canceller comes by default only where it has wheels (pyproject.toml's marker).
    windows_x64 = sys.platform == "win32" and platform.machine() == "AMD64"
    assert ("aec-audio-processing" in chosen) == (windows_x64 and sys.version_info < (3, 14))
