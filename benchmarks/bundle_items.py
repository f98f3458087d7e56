"""The packaged app's largest items (`python -m benchmarks.bundle_items [FOLDER] [--top N]`): the
one-folder bundle's files grouped by what they are (a Qt library, FFmpeg's, a wheel's folder, Python's
standard library, the system libraries PyInstaller copies), in MiB, largest first; the README's
Performance section and docs/measurements.md (Bundle) show this table before and after a change.

Sizes are the files' own (symbolic links not counted); `du` counts allocated blocks, a little more.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path

from benchmarks.figures import BUNDLE_DIR

_QT_PREFIXES = (("plugins", "Qt plugins"), ("translations", "Qt translations"))


def item_of(relative: Path) -> str:
    """The group a bundled file belongs to, e.g. "Qt library Qt6Gui" or "FFmpeg libavcodec"."""
    parts = relative.parts
    if parts[0] != "_internal":
        return "the launcher with the Python modules (PYZ archive)"
    inner, name = parts[1:], relative.name
    if inner[0] == "PySide6":
        for folder, label in _QT_PREFIXES:
            if folder in inner:
                return label
        if name.startswith("libicu"):
            return "ICU (libicu*)"
        if name.startswith("libQt6"):
            return f"Qt library {name.split('.')[0][3:]}"
        return f"PySide6 binding {name.split('.')[0]}" if name.endswith(".so") else "PySide6, other"
    if inner[0] == "av.libs":
        return f"FFmpeg {name.split('-')[0]}"
    if inner[0].startswith("python3") or name == "base_library.zip" or name.startswith("libpython"):
        return "Python: libpython, standard library (zip, extension modules)"
    if len(inner) == 1 and ".so" in name:
        if name.startswith(("libcrypto", "libssl")):
            return "OpenSSL (Python's ssl and hashlib)"
        return "system libraries at the top level"
    return inner[0]


def largest_items(folder: Path = BUNDLE_DIR) -> list[tuple[str, float]]:
    sizes: Counter[str] = Counter()
    for directory, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(directory, name)
            if not path.is_symlink():
                sizes[item_of(path.relative_to(folder))] += path.stat().st_size
    return [(item, size / 2**20) for item, size in sizes.most_common()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=BUNDLE_DIR)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    items = largest_items(args.folder)
    print(f"| item | MiB |\n|---|---|\n| all ({len(items)} items) | {sum(s for _i, s in items):.1f} |")
    for item, size in items[: args.top]:
        print(f"| {item} | {size:.1f} |")


if __name__ == "__main__":
    main()
