"""What a Linux shared library exports and imports, read with binutils' readelf (PyInstaller already
needs binutils on Linux). Used by build.spec's helpers; not part of the app."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

# "  12: 00000000000a1b20    42 FUNC    GLOBAL DEFAULT   12 x264_encoder_open_165@@X264_1 (3)"
_SYMBOL = re.compile(
    r"^\s*\d+:\s+(?P<value>[0-9a-f]+)\s+(?P<size>\S+)\s+(?P<type>\w+)\s+(?P<bind>\w+)\s+\w+\s+"
    r"(?P<index>\w+)\s+(?P<name>[^\s@]+)(?P<at>@@?)?(?P<version>[^\s(]+)?"
)
_DYNAMIC = re.compile(r"\((?P<tag>NEEDED|SONAME)\)[^\[\n]*\[(?P<value>[^\]]+)\]")


@dataclass(frozen=True)
class Symbol:
    name: str
    kind: str  # FUNC, OBJECT, ...
    size: int
    version: str  # "" when unversioned
    default: bool  # "@@" (the version a new link binds to) rather than "@"
    value: int = 0


def _readelf(*arguments: str) -> str:
    return subprocess.run(["readelf", "-W", *arguments], check=True, capture_output=True, text=True).stdout


def dynamic_symbols(library: Path) -> tuple[dict[str, Symbol], set[tuple[str, str]]]:
    """(the symbols `library` exports by name, the (name, version) pairs it imports)."""
    exported: dict[str, Symbol] = {}
    imported: set[tuple[str, str]] = set()
    for line in _readelf("--dyn-syms", str(library)).splitlines():
        match = _SYMBOL.match(line)
        if not match or match["bind"] not in ("GLOBAL", "WEAK"):
            continue
        version = match["version"] or ""
        if match["index"] == "UND":
            imported.add((match["name"], version))
        elif match["type"] in ("FUNC", "OBJECT", "IFUNC") and match["index"] != "ABS":
            symbol = Symbol(match["name"], match["type"], int(match["size"], 0), version,
                            match["at"] != "@", int(match["value"], 16))  # fmt: skip
            if symbol.default or match["name"] not in exported:
                exported[match["name"]] = symbol
    return exported, imported


def needed_and_soname(library: Path) -> tuple[list[str], str]:
    needed, soname = [], ""
    for match in _DYNAMIC.finditer(_readelf("--dynamic", str(library))):
        if match["tag"] == "NEEDED":
            needed.append(match["value"])
        else:
            soname = match["value"]
    return needed, soname


def file_offset(library: Path, address: int) -> int:
    """Where the byte mapped at virtual `address` sits in the file (through the section holding it)."""
    for line in _readelf("--section-headers", str(library)).splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 6 and re.fullmatch(r"\[\d+\]", fields[0]) and fields[2] != "NOBITS":
            start, offset, size = int(fields[3], 16), int(fields[4], 16), int(fields[5], 16)
            if start and start <= address < start + size:
                return address - start + offset
    raise ValueError(f"{library.name}: no section holds address {address:#x}")


def loaded_by(roots: list[tuple[str, str, str]], bundle: list[tuple[str, str, str]]) -> set[str]:
    """The sources of the `bundle` entries that the `roots` load through DT_NEEDED, directly or not,
    following the files that are actually bundled (a stand-in that needs nothing ends the chain,
    unlike ldd, which follows the original files on disk)."""
    by_name = {Path(destination).name: source for destination, source, _kind in bundle}
    found: set[str] = set()
    todo = [source for _destination, source, _kind in roots]
    while todo:
        for name in needed_and_soname(Path(todo.pop()))[0]:
            if (source := by_name.get(name)) is not None and source not in found:
                found.add(source)
                todo.append(source)
    return found
