"""Build time, Linux: the system libraries the bundle takes from the desktop instead of carrying.

PyInstaller copies every shared library the app links, except the C library and the graphics stack
(its own exclude list: glibc, libGL/libEGL, libdrm, libxcb, Wayland's client libraries), which must be
the system's. The libraries below belong with those: every Linux desktop has them, a copy from the
build machine is no help where they are missing (Qt's xcb platform, which needs the system's libxcb
and libEGL, would not start there either), and a copy can break the system's own
parts: an older libstdc++ than the GPU driver (Mesa) was built against stops OpenGL from loading, an
older fontconfig cannot read the system's fonts.conf, a GLib older than its loadable modules
(GIO's) refuses them. They are the ones in AppImage's excludelist (the list linuxdeployqt and
appimage-builder apply) that the app links, with JACK left in: PortAudio cannot load at all without
libjack.so.0, which not every desktop has. The README's install command pulls in every package they
come from, so the bundle asks nothing a source install does not.

The libraries only these load (GLib's libmount, libblkid, libselinux and PCRE2, FreeType's libpng,
libxcb's libXau and libXdmcp) are left out with them, so that the system's copies load the system's
own; Brotli stays for Qt Network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path, PurePath

from elf_symbols import loaded_by, needed_and_soname

Entry = tuple[str, str, str]  # PyInstaller's TOC entry: destination, source, kind

# SONAME -> the Debian package that provides it (the README's install command pulls them all in).
DESKTOP_PROVIDED = {
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libgmodule-2.0.so.0": "libglib2.0-0",  # not on the list, but GLib's own package: they must match
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libexpat.so.1": "libexpat1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libasound.so.2": "libasound2",
    "libgpg-error.so.0": "libgpg-error0",
    "libuuid.so.1": "libuuid1",
    "libz.so.1": "zlib1g",
}


def desktop_provided(destination: str) -> bool:
    """Whether a bundled file (its path in the bundle) is one of the libraries the desktop provides."""
    path = PurePath(destination)
    return len(path.parts) == 1 and path.name in DESKTOP_PROVIDED


def without_desktop_provided(binaries: list[Entry]) -> list[Entry]:
    """`binaries` without the desktop's own libraries and without what only they load, directly or
    through other system libraries (Xlib's libXau comes through libxcb). Followed by DT_NEEDED: ldd,
    behind PyInstaller's scan, lists a library's whole closure as if it were direct."""
    rest = [entry for entry in binaries if not desktop_provided(entry[0])]
    bundled = {PurePath(destination).name: source for destination, source, _kind in rest}
    suspects = _loaded_through_system({name for name in DESKTOP_PROVIDED}, bundled)
    still_needed = loaded_by([entry for entry in rest if entry[1] not in suspects], rest)
    return [entry for entry in rest if entry[1] not in suspects - still_needed]


def _loaded_through_system(names: set[str], bundled: dict[str, str]) -> set[str]:
    """The bundled sources that the system's libraries `names` load, following the system's files."""
    system = _system_libraries()
    found, seen, todo = set(), set(names), list(names)
    while todo:
        path = system.get(todo.pop())
        for name in needed_and_soname(Path(path))[0] if path else ():
            if name in seen:
                continue
            seen.add(name)
            todo.append(name)
            if name in bundled:
                found.add(bundled[name])
    return found


def _system_libraries() -> dict[str, str]:
    """SONAME -> path in the dynamic linker's cache, this machine's architecture (x86-64 or AArch64).
    Stops the build where the cache cannot be read: the system's GLib would otherwise load the bundle's
    copies of what it needs, the mix this module avoids."""
    ldconfig = shutil.which("ldconfig") or shutil.which("ldconfig", path="/usr/sbin:/sbin")
    if ldconfig is None:
        raise SystemExit("ldconfig is missing: it lists the system's libraries (Debian: libc-bin).")
    listing = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, check=True,
                             env={**os.environ, "LC_ALL": "C"}).stdout  # fmt: skip
    libraries: dict[str, str] = {}
    for line in listing.splitlines()[1:]:
        name, _sep, path = line.strip().partition(" => ")
        if "x86-64" in name or "AArch64" in name:
            libraries.setdefault(name.split(" (")[0], path)
    if "libc.so.6" not in libraries:
        raise SystemExit("ldconfig -p lists no C library for this machine: cannot tell what the system has.")
    return libraries
