"""build.spec's Linux helpers in resources/build: the trimmed ICU data still answers what Qt asks (Chinese
collation, Chinese time zone names), and the FFmpeg stand-ins export what libavcodec imports, the Kerberos
one what Qt Network imports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "resources" / "build"))

import elf_symbols  # noqa: E402
import ffmpeg_stubs  # noqa: E402
import icu_data  # noqa: E402

SITE = Path(next(path for path in sys.path if path.endswith("site-packages")))
ICU_DATA = SITE / "PySide6" / "Qt" / "lib" / "libicudata.so.73"
needs_linux_tools = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not shutil.which("gcc") or not shutil.which("readelf"),
    reason="the helpers run on Linux with binutils and gcc",
)


def test_the_icu_items_qt_reads_for_english_and_chinese_stay_and_the_rest_goes() -> None:
    kept = ["coll/ucadata.icu", "coll/root.res", "coll/zh.res", "coll/zh_Hans_CN.res", "coll/en_US.res",
            "zone/zh.res", "zone/en_GB.res", "zone/tzdbNames.res", "zone/pool.res", "root.res", "zh_Hant.res",
            "pool.res", "supplementalData.res", "likelySubtags.res", "zoneinfo64.res", "metaZones.res",
            "cnvalias.icu", "gb18030.cnv"]  # fmt: skip
    dropped = ["coll/de.res", "coll/de__PHONEBOOK.res", "ja.res", "zone/fr.res", "brkitr/root.res",
               "brkitr/word.brk", "translit/root.res", "unit/en.res", "curr/zh.res", "lang/en.res",
               "region/zh.res", "rbnf/en.res", "ibm-943_P15A-2003.cnv", "unames.icu",
               "confusables.cfu"]  # fmt: skip
    assert [item for item in kept if not icu_data.keep(item)] == []
    assert [item for item in dropped if icu_data.keep(item)] == []


@needs_linux_tools
@pytest.mark.skipif(not ICU_DATA.exists(), reason="PySide6's ICU data library is not in this environment")
def test_qt_on_the_trimmed_icu_data_sorts_by_pinyin_and_names_time_zones_in_chinese(tmp_path: Path) -> None:
    ((_destination, library, _kind),) = icu_data.replace_icu_data(
        [(ICU_DATA.name, str(ICU_DATA), "BINARY")], tmp_path
    )
    assert Path(library).stat().st_size < ICU_DATA.stat().st_size / 5
    probe = (
        "from PySide6.QtCore import QCollator, QLocale, QTimeZone\n"
        "zh = QLocale('zh_CN')\n"
        "print(sorted(['长城', '波浪', '阿姨'], key=QCollator(zh).sortKey))\n"
        "print(QTimeZone(b'Asia/Shanghai').displayName(QTimeZone.TimeType.StandardTime,"
        " QTimeZone.NameType.LongName, zh))\n"
        "print(zh.toUpper('straße'))\n"
        "from PySide6.QtCore import QStringDecoder\n"  # GBK and Big5 also need their base tables
        "print([QStringDecoder(name).isValid() for name in ('GB18030', 'GBK', 'Big5', 'Big5-HKSCS')])\n"
    )
    # The dynamic linker takes a preloaded library for every library that needs its SONAME.
    environment = {**os.environ, "LD_PRELOAD": library, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", probe], env=environment, capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "['阿姨', '波浪', '长城']",
        "中国标准时间",
        "STRASSE",
        "[True, True, True, True]",
    ]


@needs_linux_tools
@pytest.mark.skipif(not ICU_DATA.exists(), reason="PySide6's ICU data library is not in this environment")
def test_a_trimmed_package_keeps_its_header_and_the_chosen_items_byte_for_byte() -> None:
    symbol, package = icu_data.library_package(ICU_DATA)
    assert symbol == "icudt73_dat"
    assert icu_data.trim_package(package, lambda _item: True) == package  # ICU's own layout, byte for byte
    items = icu_data.package_items(package)
    trimmed = icu_data.trim_package(package, icu_data.keep)
    assert trimmed[: trimmed.index(b"CmnD")] == package[: package.index(b"CmnD")]
    again = icu_data.package_items(trimmed)
    assert again == {name: item for name, item in items.items() if icu_data.keep(name.partition("/")[2])}
    assert len(again) < len(items) / 10


def test_the_stand_ins_fail_the_open_calls_and_return_empty_strings_where_callers_print_them() -> None:
    symbols = [elf_symbols.Symbol("dav1d_open", "FUNC", 10, "", True),
               elf_symbols.Symbol("dav1d_version", "FUNC", 10, "", True),
               elf_symbols.Symbol("dav1d_close", "FUNC", 10, "", True),
               elf_symbols.Symbol("x264_levels", "OBJECT", 672, "", True)]  # fmt: skip
    source = ffmpeg_stubs._c_source("libdav1d.so.7", symbols)
    assert "long function1(void) { return -22; }" in source
    assert "long function2(void) { return (long)empty; }" in source
    assert "long function0(void) { return 0; }" in source
    assert 'char data3[672] __asm__("x264_levels")' in source


@needs_linux_tools
def test_a_stand_in_exports_every_symbol_libavcodec_imports_from_the_library_with_its_version(
    tmp_path: Path,
) -> None:
    libraries = SITE / "av.libs"
    if not libraries.is_dir():
        pytest.skip("PyAV's wheel libraries are not in this environment")
    (codec,) = libraries.glob("libavcodec-*.so*")
    (filters,) = libraries.glob("libavfilter-*.so*")
    binaries = [(f"av.libs/{path.name}", str(path), "BINARY") for path in libraries.glob("lib*.so*")]
    kept, replaced = ffmpeg_stubs.replace_unused_ffmpeg_libraries(binaries, tmp_path)
    assert {Path(destination).name.split("-")[0] for destination, _source, _kind in replaced} >= {
        "libx265", "libx264", "libvpx", "libdav1d", "libgnutls", "libswscale", "libavdevice"}  # fmt: skip
    stand_ins = {Path(source).name: Path(source) for _destination, source, _kind in kept
                 if source.startswith(str(tmp_path))}  # fmt: skip
    for consumer in (codec, filters):
        needed, _soname = elf_symbols.needed_and_soname(consumer)
        for name in needed:
            if name in stand_ins:
                exported, _ = elf_symbols.dynamic_symbols(stand_ins[name])
                imported, _ = elf_symbols.dynamic_symbols(libraries / name)
                wanted = {(symbol, version) for symbol, version in elf_symbols.dynamic_symbols(consumer)[1]
                          if symbol in imported}  # fmt: skip
                assert wanted <= {(symbol.name, symbol.version) for symbol in exported.values()}, name
                assert elf_symbols.needed_and_soname(stand_ins[name]) == ([], name)


@needs_linux_tools
def test_the_kerberos_stand_in_exports_what_qt_network_imports_and_fails_a_sign_in(tmp_path: Path) -> None:
    network = SITE / "PySide6" / "Qt" / "lib" / "libQt6Network.so.6"
    linked = subprocess.run(["ldd", str(network)], capture_output=True, text=True).stdout
    found = [line.split("=>")[1].split()[0] for line in linked.splitlines()
             if "libgssapi_krb5.so.2 =>" in line]  # fmt: skip
    if not network.is_file() or not found or not os.path.isfile(found[0]):
        pytest.skip("Qt Network or the system's Kerberos library is not in this environment")
    binaries = [("libgssapi_krb5.so.2", found[0], "BINARY"),
                ("PySide6/Qt/lib/libQt6Network.so.6", str(network), "BINARY")]  # fmt: skip
    kept, replaced = ffmpeg_stubs.replace_unused_ffmpeg_libraries(binaries, tmp_path)
    assert [entry[0] for entry in replaced] == ["libgssapi_krb5.so.2"]
    stand_in = Path(kept[0][1])
    exported, _ = elf_symbols.dynamic_symbols(stand_in)
    wanted = {(name, version) for name, version in elf_symbols.dynamic_symbols(network)[1]
              if name.startswith("gss")}  # fmt: skip
    assert wanted and wanted <= {(symbol.name, symbol.version) for symbol in exported.values()}
    # gss_init_sec_context and the other calls that start a sign-in fail (GSS_S_FAILURE)
    assert "return 851968;" in (tmp_path / "libgssapi_krb5.so.2.c").read_text()


@needs_linux_tools
def test_the_desktop_s_own_libraries_leave_with_what_only_they_load() -> None:
    import _ctypes

    import system_libraries

    if not (shutil.which("ldconfig") or shutil.which("ldconfig", path="/usr/sbin:/sbin")):
        pytest.skip("no ldconfig to list the system's libraries")
    system = system_libraries._system_libraries()
    qt_network = SITE / "PySide6" / "Qt" / "lib" / "libQt6Network.so.6"
    names = ["libgio-2.0.so.0", "libglib-2.0.so.0", "libfreetype.so.6", "libmount.so.1", "libpcre2-8.so.0",
             "libpng16.so.16", "libbrotlidec.so.1", "libffi.so.8"]  # fmt: skip
    if not qt_network.exists() or any(name not in system for name in names):
        pytest.skip("PySide6's Qt Network or one of the system's libraries is not on this machine")
    if "libffi.so.8" not in elf_symbols.needed_and_soname(Path(_ctypes.__file__))[0]:
        pytest.skip("this Python's ctypes has libffi linked in")
    entries = [(name, system[name], "BINARY") for name in names]
    roots = [(Path(_ctypes.__file__).name, _ctypes.__file__, "EXTENSION"),  # loads libffi
             (qt_network.name, str(qt_network), "BINARY")]  # loads Brotli's decoder
    kept = system_libraries.without_desktop_provided([*entries, *roots])
    expected = ["libbrotlidec.so.1", "libffi.so.8", *(name for name, _source, _kind in roots)]
    assert sorted(destination for destination, _source, _kind in kept) == sorted(expected)
