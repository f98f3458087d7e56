"""Build time, Linux: a smaller ICU data library for Qt (libicudata.so.73: 32 MB -> about 4 MB).

Of ICU, QtCore calls only collation (QCollator: sorting, e.g. in the file dialog), case mapping
(QLocale::toUpper/toLower), time zone names (QTimeZone::displayName, and QLocale's long date-time
format, which writes "中国标准时间") and named text converters (QStringConverter). Their code is in
libicuuc/libicui18n; libicudata holds one 32 MB package of data items, most of which no Qt call reads:
break iterators, transliterators, number spell-out, units, currency and language names, and the locale
data of 800 locales. Kept: the items those four services read for root, English and Chinese (all
regions and scripts), the supplemental data they consult (likely subtags, calendar, time zone rules,
metazones) and the converters' alias table with the converters for Chinese legacy encodings. A person
in another locale gets root's collation (right for most languages using Latin script) and time zone
names in English or as GMT offsets; the app's own texts are only English and Chinese anyway. Checked
by running every ICU-backed Qt call (QCollator in all modes, toUpper/toLower, displayName of every time
zone, long date formats, QStringConverter) on both data sets: identical for root, en_* and zh_*.

The package is rewritten in Python (ICU's "CmnD" common-data format: a header, a table of contents,
the items 16-byte aligned: unicode-org/icu, source/common/ucmndata.h), so no ICU tool of a matching
version is needed, and wrapped in a shared library with the same SONAME exporting the same symbol
(icudtNN_dat) with gcc. Where gcc is missing the original stays (a note says so).
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

from elf_symbols import dynamic_symbols, file_offset, needed_and_soname

LANGUAGES = ("root", "en", "zh")
# Trees whose locale items are filtered by LANGUAGES; their other items (pool.res, res_index.res,
# tzdbNames.res, ucadata.icu) are kept whole. Items in other trees (brkitr, translit, rbnf, unit, curr,
# lang, region) are dropped: no Qt call reads them.
TREES = ("", "coll/", "zone/")
# Named text converters: Qt handles UTF-8/16/32, Latin-1 and ASCII itself; ICU converts everything
# else, and the app never names another encoding. Kept anyway for the app's two languages: the alias
# table, windows-1252 (ibm-5348), GB18030, GB2312 (ibm-1383), GBK (windows-936 on its base table
# ibm-1386), Big5 (windows-950 on ibm-1373) and Big5-HKSCS (ibm-1375); 0.9 MB of the 5 MB of converters.
CONVERTERS = ("cnvalias.icu", "ibm-5348_P100-1997.cnv", "gb18030.cnv", "ibm-1383_P110-1999.cnv",
              "windows-936-2000.cnv", "ibm-1386_P100-2001.cnv", "windows-950-2000.cnv",
              "ibm-1373_P100-2002.cnv", "ibm-1375_P100-2008.cnv")  # fmt: skip
_LOCALE_ITEM = re.compile(r"^(?P<language>root|[a-z]{2,3})(_[A-Za-z0-9]*)*\.res$")
_DATA_SYMBOL = re.compile(r"^icudt\d+_dat$")
_ALIGN = 16


def keep(item: str) -> bool:
    """Whether an item ("coll/zh.res", without the package prefix) stays in the package."""
    tree, _, name = item.rpartition("/")
    tree = f"{tree}/" if tree else ""
    if tree not in TREES:
        return False
    if locale := _LOCALE_ITEM.match(name):
        return locale["language"] in LANGUAGES
    return name.endswith(".res") or (name.endswith(".icu") and tree == "coll/") or name in CONVERTERS


def replace_icu_data(binaries: list[tuple[str, str, str]], workdir: Path) -> list[tuple[str, str, str]]:
    """The binaries with a trimmed copy in place of ICU's data library (unchanged without one or gcc)."""
    for index, (destination, source, kind) in enumerate(binaries):
        if Path(destination).name.startswith("libicudata.so"):
            if not shutil.which("gcc"):
                print("NOTE: gcc not found: ICU's whole data library stays in the bundle (~29 MB more).")
                return binaries
            trimmed = _trimmed_library(Path(source), workdir)
            return [*binaries[:index], (destination, str(trimmed), kind), *binaries[index + 1 :]]
    return binaries


def library_package(library: Path) -> tuple[str, bytes]:
    """(the name of the symbol that holds ICU's data package in `library`, the package)."""
    exported, _ = dynamic_symbols(library)
    (symbol,) = [symbol for name, symbol in exported.items() if _DATA_SYMBOL.match(name)]
    with library.open("rb") as file:
        file.seek(file_offset(library, symbol.value))
        return symbol.name, file.read(symbol.size)


def _trimmed_library(original: Path, workdir: Path) -> Path:
    symbol, package = library_package(original)
    workdir.mkdir(parents=True, exist_ok=True)
    data, assembly = workdir / "icudata.dat", workdir / "icudata.S"
    data.write_bytes(trim_package(package, keep))
    assembly.write_text(
        f"\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign {_ALIGN}\n"
        f'{symbol}:\n\t.incbin "{data}"\n\t.size {symbol}, . - {symbol}\n'
        '\t.section .note.GNU-stack,"",@progbits\n',
        encoding="utf-8",
    )
    soname = needed_and_soname(original)[1] or original.name
    output = workdir / original.name
    subprocess.run(["gcc", "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-o", str(output), str(assembly)],
                   check=True)  # fmt: skip
    return output


def package_items(package: bytes) -> dict[str, bytes]:
    """The items of an ICU common-data package, by name with its prefix ("icudt73l/coll/zh.res")."""
    header_size = struct.unpack_from("<H", package)[0]
    if package[2:4] != b"\xda\x27" or package[12:16] != b"CmnD" or package[8] != 0:
        raise ValueError("not a little-endian ICU common-data package")
    (count,) = struct.unpack_from("<I", package, header_size)
    entries = [struct.unpack_from("<II", package, header_size + 4 + 8 * number) for number in range(count)]
    table = package[header_size:]
    ends = [offset for _name, offset in entries[1:]] + [len(table)]
    return {
        _c_string(table, name): table[offset:end] for (name, offset), end in zip(entries, ends, strict=True)
    }


def trim_package(package: bytes, wanted: Callable[[str], bool]) -> bytes:
    """The package with only the items for which `wanted(name without prefix)` is true (same header)."""
    header_size = struct.unpack_from("<H", package)[0]
    items = {name: item for name, item in package_items(package).items()
             if wanted(name.partition("/")[2])}  # fmt: skip
    names = b"".join(name.encode("ascii") + b"\0" for name in items)
    table_size = 4 + 8 * len(items)
    first_item = _aligned(table_size + len(names))
    name_offsets, data_offsets, position, offset = [], [], table_size, first_item
    for name, item in items.items():
        name_offsets.append(position)
        position += len(name) + 1
        data_offsets.append(offset)
        offset = _aligned(offset + len(item))
    pairs = [value for pair in zip(name_offsets, data_offsets, strict=True) for value in pair]
    toc = struct.pack(f"<I{len(pairs)}I", len(items), *pairs)
    body = bytearray(toc + names)
    for item, start in zip(items.values(), data_offsets, strict=True):
        body.extend(b"\xaa" * (start - len(body)))  # ICU pads with 0xaa too
        body.extend(item)
    return package[:header_size] + bytes(body)


def _aligned(offset: int) -> int:
    return (offset + _ALIGN - 1) // _ALIGN * _ALIGN


def _c_string(data: bytes, offset: int) -> str:
    return data[offset : data.index(b"\0", offset)].decode("ascii")
