"""The app's identity on the desktop: one reverse-DNS id everywhere, a desktop entry and metainfo that
the freedesktop validators accept, hicolor icons of every size, and the script that puts them into a
person's launcher from the unpacked bundle (and takes them out again)."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from desktop import __version__
from desktop.storage.paths import APP_ID

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "resources" / "linux"
ENTRY = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
INSTALLER = LINUX / "install-desktop-entry.sh"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def test_one_id_everywhere() -> None:
    metainfo = METAINFO.read_text(encoding="utf-8")
    assert f"<id>{APP_ID}</id>" in metainfo
    assert f'<launchable type="desktop-id">{APP_ID}.desktop</launchable>' in metainfo
    assert f"Icon={APP_ID}\n" in ENTRY.read_text(encoding="utf-8")
    assert f'bundle_identifier="{APP_ID}"' in (ROOT / "build.spec").read_text(encoding="utf-8")
    for script in (INSTALLER, ROOT / "resources" / "build" / "hicolor_icons.py"):
        assert re.search(rf'^APP_ID ?= ?"?{re.escape(APP_ID)}"?', script.read_text("utf-8"), re.MULTILINE)
    assert f'#define AppId "{APP_ID}"' in (ROOT / "resources" / "build" / "windows-installer.iss").read_text()


def test_the_packaged_app_carries_the_linux_files() -> None:
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    block = spec[spec.index("datas = [") : spec.index("]\n", spec.index("datas = ["))]
    assert '"linux"' in block


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_hicolor_icons_of_every_size() -> None:
    for size in ICON_SIZES:
        icon = LINUX / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert png_size(icon) == (size, size)


def validator(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def test_the_desktop_entry_is_valid() -> None:
    result = subprocess.run([validator("desktop-file-validate"), str(ENTRY)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout


def test_the_metainfo_is_valid_without_warnings() -> None:
    # (appstreamcli 0.16 has no notes on it either, only the pedantic one on the id's capital letters.)
    command = [validator("appstreamcli"), "validate", "--no-net", "--no-color", str(METAINFO)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert not re.search(r"^[EW]: ", result.stdout, re.MULTILINE), result.stdout


def test_the_metainfos_newest_release_is_this_version() -> None:
    """Software centres show the newest <release> as the installed version: it must be the app's."""
    releases = ET.parse(METAINFO).getroot().findall("./releases/release")
    assert releases, "the metainfo lists no release"
    newest = max(releases, key=lambda release: (release.get("date", ""), version(release.get("version", ""))))
    assert newest.get("version") == __version__
    assert newest is releases[0]  # AppStream lists the newest first


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text))


def test_chinese_keywords_are_in_their_own_key() -> None:
    """A launcher searches `Keywords[zh_CN]` in a Chinese session; Chinese words in the untranslated
    list would be shown to (and searched by) everyone else."""
    lines = dict(line.split("=", 1) for line in ENTRY.read_text(encoding="utf-8").splitlines() if "=" in line)
    assert lines["Keywords"].isascii()
    assert "语音" in lines["Keywords[zh_CN]"].split(";")


def fake_bundle(folder: Path) -> Path:
    """The unpacked bundle's layout (PyInstaller 6): the executable, and resources/ in _internal/."""
    bundle = folder / "Voice Assistant"
    shutil.copytree(LINUX, bundle / "_internal" / "resources" / "linux")
    executable = bundle / "voice-assistant"
    executable.write_text("#!/bin/sh\n", encoding="utf-8")
    executable.chmod(0o755)
    return executable


def run_installer(script: Path, data: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "XDG_DATA_HOME": str(data)}
    return subprocess.run(
        ["sh", str(script), *arguments], env=environment, capture_output=True, text=True, timeout=60
    )


def test_the_script_installs_the_entry_for_the_bundle_and_removes_it(tmp_path: Path) -> None:
    executable = fake_bundle(tmp_path)
    script = executable.parent / "_internal" / "resources" / "linux" / INSTALLER.name
    data = tmp_path / "xdg-data"
    installed = run_installer(script, data)
    assert installed.returncode == 0, installed.stderr
    entry = data / "applications" / f"{APP_ID}.desktop"
    text = entry.read_text(encoding="utf-8")
    assert f'\nExec="{executable}"\n' in text and f"\nTryExec={executable}\n" in text
    assert (data / "metainfo" / f"{APP_ID}.metainfo.xml").read_bytes() == METAINFO.read_bytes()
    for size in ICON_SIZES:
        assert png_size(data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png") == (
            size,
            size,
        )
    if shutil.which("desktop-file-validate"):
        assert subprocess.run(["desktop-file-validate", str(entry)], capture_output=True).returncode == 0

    removed = run_installer(script, data, "--uninstall")
    assert removed.returncode == 0, removed.stderr
    assert [path for path in data.rglob("*") if path.is_file()] == []


def test_the_script_says_what_to_do_without_a_bundle(tmp_path: Path) -> None:
    result = run_installer(INSTALLER, tmp_path)  # from the source tree: no executable beside it
    assert result.returncode == 1 and "--exec" in result.stderr
    assert run_installer(INSTALLER, tmp_path, "--bogus").returncode == 2
