"""Build time, Linux: tiny stand-ins for the FFmpeg libraries the app never runs.

PyAV's wheel links libavcodec/libavformat/libavfilter against video codecs (x265, x264, SVT-AV1, dav1d,
libvpx, WebP, Intel VPL), MP3 and AMR, a TLS stack for network URLs (GnuTLS with nettle, hogweed, GMP,
libunistring), libswscale (video scaling) and libavdevice (capture devices; it brings XCB, libdrm and its
own ALSA along): about 42 MB. The app only encodes and decodes Opus through aiortc and resamples audio
with PyAV's AudioResampler (libavfilter + libswresample); it opens no video codec, no container over the
network, no capture device. These libraries are DT_NEEDED entries, though, so the dynamic linker must
find a file with each name and every symbol the FFmpeg libraries import from it.

So each one is replaced by a library with the same SONAME that exports exactly those symbols (with their
symbol versions): functions return 0 / NULL, except the few open/init calls for which 0 means success,
which return an error code, so a video codec opened by mistake fails at once instead of running on NULL
handles, and the version/licence/error-text calls, which return ""; data symbols are zero-filled with
the original size. (patchelf --remove-needed would not do: libavcodec imports the data symbol
x264_levels, an R_X86_64_GLOB_DAT relocation resolved at load time, lazy binding or not.) Libraries only
the replaced ones needed (libsharpyuv, libunistring, nettle, hogweed, GMP, XCB, libXau, av.libs' ALSA)
fall out of the bundle with the spec's orphan rule. Where gcc is missing the originals stay (a note
says so). Checked: Opus encode/decode and AudioResampler give the same bytes as with the originals,
and opening libx264, libx265, libvpx, libdav1d, SVT-AV1, LAME, WebP or AMR fails with an FFmpeg error.
The same is done for one system library (STUBBED_SYSTEM_LIBRARIES): Qt Network's Kerberos (GSSAPI).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from elf_symbols import Symbol, dynamic_symbols, needed_and_soname

# Library name (without auditwheel's hash) -> what it is for; none of it is used by the app.
STUBBED = {
    "libx265": "H.265 encoder",
    "libSvtAv1Enc": "AV1 encoder",
    "libx264": "H.264 encoder",
    "libdav1d": "AV1 decoder",
    "libvpx": "VP8/VP9 codecs",
    "libwebp": "WebP image codec",
    "libwebpmux": "animated WebP",
    "libvpl": "Intel Quick Sync video",
    "libmp3lame": "MP3 encoder",
    "libopencore-amrnb": "AMR-NB speech codec",
    "libopencore-amrwb": "AMR-WB speech codec",
    "libgnutls": "TLS for https:// and tls:// URLs",
    "libswscale": "video scaling and pixel formats",
    "libavdevice": "capture and playback devices",
}
# System libraries (by file name) that one bundled library links but the app never reaches, replaced the
# same way (with the libraries only they need: Kerberos' krb5, k5crypto, krb5support, keyutils, com_err).
STUBBED_SYSTEM_LIBRARIES = {
    "libgssapi_krb5.so.2": "Qt Network's HTTP Negotiate (Kerberos) sign-in: the app sends no HTTP "
    "request through Qt (it uses QLocalSocket, QLocalServer and QNetworkInformation)",
}
# Calls that return 0 on success: the stand-in fails them instead (dav1d: DAV1D_ERR(EINVAL);
# libvpx: VPX_CODEC_ERROR; SVT-AV1: EB_ErrorInsufficientResources; GnuTLS: GNUTLS_E_INVALID_REQUEST).
FAILING_RESULTS = {
    "dav1d_open": -22,
    "vpx_codec_enc_init_ver": 1,
    "vpx_codec_dec_init_ver": 1,
    "svt_av1_enc_init_handle": 0x80001000,
    "gnutls_init": -50,
    "gnutls_global_init": -50,
    "gss_import_name": 0xD0000,  # GSS_S_FAILURE
    "gss_acquire_cred": 0xD0000,
    "gss_init_sec_context": 0xD0000,
}
# Calls that return a string the caller uses without a NULL check (PyAV reads the *_configuration and
# *_license strings at import): the stand-in returns "".
STRING_RESULTS = {
    "avdevice_configuration",
    "avdevice_license",
    "swscale_configuration",
    "swscale_license",
    "dav1d_version",
    "gnutls_strerror",
    "vpx_codec_build_config",
    "vpx_codec_err_to_string",
    "vpx_codec_error",
    "vpx_codec_version_str",
}
_WHEEL_NAME = re.compile(r"^(?P<stem>.+)-[0-9a-f]{8}\.so[.\d]*$")  # libx265-f5385bb8.so.216

Entry = tuple[str, str, str]  # PyInstaller's (destination, source, kind)


def replace_unused_ffmpeg_libraries(binaries: list[Entry], workdir: Path) -> tuple[list[Entry], list[Entry]]:
    """(the binaries with stand-ins in place of the STUBBED libraries, the original entries replaced)."""
    targets = [entry for entry in binaries if _stubbed(Path(entry[0]).name)]
    if not targets:
        return binaries, []
    if not shutil.which("gcc"):
        print("NOTE: gcc not found: PyAV's unused video/TLS libraries stay in the bundle (~42 MB more).")
        return binaries, []
    workdir.mkdir(parents=True, exist_ok=True)
    consumers = {entry[1]: needed_and_soname(Path(entry[1]))[0] for entry in binaries}
    replacement: dict[str, Entry] = {}
    for entry in targets:
        stub = _build_stub(Path(entry[1]), [Path(path) for path, needed in consumers.items()
                                            if Path(entry[0]).name in needed], workdir)  # fmt: skip
        if stub is not None:
            replacement[entry[1]] = (entry[0], str(stub), entry[2])
    kept = [replacement.get(entry[1], entry) for entry in binaries]
    return kept, [entry for entry in binaries if entry[1] in replacement]


def _stubbed(name: str) -> bool:
    match = _WHEEL_NAME.match(name)
    return name in STUBBED_SYSTEM_LIBRARIES or (match is not None and match["stem"] in STUBBED)


def _build_stub(original: Path, consumers: list[Path], workdir: Path) -> Path | None:
    exported, _ = dynamic_symbols(original)
    wanted = {name: exported[name] for consumer in consumers
              for name, _version in dynamic_symbols(consumer)[1] if name in exported}  # fmt: skip
    versions = {symbol.version for symbol in wanted.values()}
    if ("" in versions and len(versions) > 1) or not all(symbol.default for symbol in wanted.values()):
        print(f"NOTE: {original.name} kept: its symbol versions are not the simple kind the stub handles.")
        return None
    source, script = workdir / f"{original.name}.c", workdir / f"{original.name}.map"
    source.write_text(_c_source(original.name, wanted.values()), encoding="utf-8")
    command = ["gcc", "-shared", "-fPIC", "-O1", "-nostdlib", f"-Wl,-soname,{original.name}",
               "-o", str(workdir / original.name), str(source)]  # fmt: skip
    if versions - {""}:
        script.write_text(_version_script(wanted.values()), encoding="utf-8")
        command.append(f"-Wl,--version-script={script}")
    subprocess.run(command, check=True)
    return workdir / original.name


def _c_source(library: str, symbols: Iterable[Symbol]) -> str:
    lines = [
        f"/* Stand-in for {library}, generated by resources/build/ffmpeg_stubs.py. */",
        'static const char empty[] = "";',
    ]
    for number, symbol in enumerate(sorted(symbols, key=lambda symbol: symbol.name)):
        if symbol.kind == "OBJECT":
            lines.append(f'char data{number}[{max(symbol.size, 1)}] __asm__("{symbol.name}") '
                         "__attribute__((aligned(32))) = {0};")  # fmt: skip
        else:
            lines.append(f'long function{number}(void) __asm__("{symbol.name}");')
            result = "(long)empty" if symbol.name in STRING_RESULTS else FAILING_RESULTS.get(symbol.name, 0)
            lines.append(f"long function{number}(void) {{ return {result}; }}")
    return "\n".join(lines) + "\n"


def _version_script(symbols: Iterable[Symbol]) -> str:
    by_version: dict[str, list[str]] = defaultdict(list)
    for symbol in symbols:
        by_version[symbol.version].append(symbol.name)
    nodes = [f"{version} {{ global: {'; '.join(sorted(names))}; }};" for version, names in by_version.items()]
    # Nothing else is exported (the only other symbols would be the compiler's own helpers).
    nodes[-1] = nodes[-1].replace("; };", "; local: *; };")
    return "\n".join(nodes) + "\n"
