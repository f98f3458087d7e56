"""THIRD_PARTY_NOTICES: what the app is built from, under which licences, with their texts.

Generated from the installed distributions' metadata: the app's own distribution and everything it
requires (not its extras), plus the distributions named (the echo canceller the bundle carries),
each with its version, its licence as declared, and the licence files it ships. Native parts that
carry no licence file of their own in the Python metadata are listed apart with the texts in
resources/licenses/: Qt (LGPL-3.0, through PySide6), FFmpeg and the libraries PyAV's wheels bundle
(LGPL-2.1-or-later), PortAudio (MIT).

build.spec writes it into the bundle at build time, naming the native libraries it actually bundles;
a source install has no such file and Help → About generates the same text from the metadata.
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from desktop.storage import resource

APP_DISTRIBUTION = "voice-assistant"
BUNDLED_EXTRAS = ("aec-audio-processing",)  # the packaged app always carries the echo canceller
FILE_NAME = "THIRD_PARTY_NOTICES.txt"
_LICENCE_FILE = re.compile(r"(^|/)(LICEN[CS]E|COPYING|NOTICE|AUTHORS)[^/]*$", re.IGNORECASE)
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True, slots=True)
class NativePart:
    name: str
    licence: str
    texts: tuple[str, ...]  # files in resources/licenses/
    libraries: re.Pattern[str]  # the bundled files that belong to it
    note: str


NATIVE_PARTS = (
    NativePart("Qt 6 (through PySide6 and Shiboken6)", "LGPL-3.0-only", ("LGPL-3.0.txt", "GPL-3.0.txt"),
               re.compile(r"Qt6|qt6|PySide6|shiboken6", re.IGNORECASE),
               "The Qt libraries are dynamically linked and may be replaced by the person (LGPL-3.0 §4); "
               "the source is at https://download.qt.io/official_releases/qt/ and "
               "https://download.qt.io/official_releases/QtForPython/."),
    NativePart("FFmpeg and the libraries bundled with PyAV", "LGPL-2.1-or-later", ("LGPL-2.1.txt",),
               re.compile(r"libav|libsw|av\.libs|avcodec|avformat|avutil|swresample|avfilter|avdevice"),
               "Dynamically linked, as built for PyAV's wheels (https://github.com/PyAV-Org/pyav-ffmpeg); "
               "the FFmpeg source is at https://ffmpeg.org/download.html."),
    NativePart("PortAudio", "MIT", ("PortAudio.txt",), re.compile(r"portaudio", re.IGNORECASE),
               "Loaded by sounddevice; https://www.portaudio.com/."),
)


def third_party_notices(bundled: Iterable[str] = ()) -> str:
    """The whole text; `bundled` are the bundle's native library paths (build.spec), none from source."""
    files = sorted(set(bundled))
    parts = ["Third-party notices for Voice Assistant", "=" * 39, ""]
    for dist in _closure([APP_DISTRIBUTION, *BUNDLED_EXTRAS]):
        if _key(dist.name) != APP_DISTRIBUTION:
            parts += _distribution_section(dist)
    for part in NATIVE_PARTS:
        parts += _native_section(part, [f for f in files if part.libraries.search(f)])
    return "\n".join(parts)


def bundled_or_generated() -> str:
    """The bundle's file where there is one (its metadata is not all bundled), else generated now.
    Reads files: call it off the GUI thread."""
    shipped = resource("..", FILE_NAME).resolve()
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    return third_party_notices()


def _closure(roots: list[str]) -> list[metadata.Distribution]:
    """The installed distributions `roots` need, without extras; sorted by name."""
    found: dict[str, metadata.Distribution] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if _key(name) in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional or platform-only requirement not installed here
        found[_key(name)] = dist
        for requirement in dist.requires or []:
            marker = requirement.partition(";")[2]
            if "extra" not in marker and (match := _NAME.match(requirement)):
                todo.append(match.group(1))
    return [found[key] for key in sorted(found)]


def _distribution_section(dist: metadata.Distribution) -> list[str]:
    meta = dist.metadata.json  # missing fields are missing keys, on every Python
    classifiers = [c.rsplit(" :: ", 1)[-1] for c in meta.get("classifier", []) if c.startswith("License")]
    declared = meta.get("license_expression") or _short(str(meta.get("license") or ""))
    licence = declared or ", ".join(classifiers) or "see below"
    lines = [_heading(f"{dist.name} {dist.version}"), f"Licence: {licence}"]
    if home := meta.get("home_page") or _project_url(list(meta.get("project_url", []))):
        lines.append(f"Home: {home}")
    for path in dist.files or []:
        if _LICENCE_FILE.search(str(path)) and str(path).endswith((".txt", ".md", ".rst", "LICENSE", "NOTICE",
                                                                   "COPYING", "AUTHORS", ".APACHE", ".BSD")):
            text = _read(path)
            if text:
                lines += ["", f"--- {Path(str(path)).name} ---", text.rstrip()]
    return [*lines, ""]


def _native_section(part: NativePart, files: list[str]) -> list[str]:
    lines = [_heading(part.name), f"Licence: {part.licence}", part.note]
    if files:
        lines += ["Bundled files:", *(f"  {name}" for name in files)]
    for text in part.texts:
        lines += ["", f"--- {text} ---", resource("licenses", text).read_text(encoding="utf-8").rstrip()]
    return [*lines, ""]


def _read(path: metadata.PackagePath) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _heading(title: str) -> str:
    return f"\n{title}\n{'-' * len(title)}"


def _short(licence: str | None) -> str:
    """A declared licence name; a whole licence text pasted into the field is left to the files."""
    return licence.strip() if licence and len(licence) < 80 and "\n" not in licence.strip() else ""


def _project_url(urls: list[str]) -> str:
    for url in urls:
        label, _, address = url.partition(",")
        if label.strip().lower() in {"homepage", "home", "source", "repository", "source code"}:
            return address.strip()
    return ""


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
