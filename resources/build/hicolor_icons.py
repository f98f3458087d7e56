"""Makes the Linux launcher's icons, resources/linux/icons/hicolor/SIZExSIZE/apps/APP_ID.png, from the
app's artwork. Run it again only when the artwork changes; its output is committed.

    python3 resources/build/hicolor_icons.py        (needs ImageMagick's `convert` or `magick`)

resources/icons/app.png is 256 px, too small for the 512 px icon, so the source is the largest image in
resources/icons/app.icns (1024 px, the same artwork), scaled down to each size.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

APP_ID = "org.voiceassistant.VoiceAssistant"  # desktop.storage.paths.APP_ID
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ROOT = Path(__file__).resolve().parents[2]
ICNS = ROOT / "resources" / "icons" / "app.icns"
HICOLOR = ROOT / "resources" / "linux" / "icons" / "hicolor"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def largest_png(icns: bytes) -> bytes:
    """The biggest PNG-coded image in an .icns file (entries: 4-byte type, 4-byte length, data)."""
    if icns[:4] != b"icns":
        raise SystemExit(f"{ICNS} is not an icns file")
    found: list[bytes] = []
    offset = 8
    while offset + 8 <= len(icns):
        length = struct.unpack(">I", icns[offset + 4 : offset + 8])[0]
        data = icns[offset + 8 : offset + length]
        if data.startswith(PNG_SIGNATURE):
            found.append(data)
        offset += max(length, 8)
    if not found:
        raise SystemExit(f"{ICNS} holds no PNG image")
    return max(found, key=lambda png: struct.unpack(">I", png[16:20])[0])  # IHDR width


def main() -> int:
    tool = shutil.which("magick") or shutil.which("convert")
    if tool is None:
        print("ImageMagick is needed (apt-get install imagemagick)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "source.png"
        source.write_bytes(largest_png(ICNS.read_bytes()))
        for size in SIZES:
            target = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            # -strip and no date chunks: the same artwork gives the same bytes (no churn in git)
            subprocess.run(
                [tool, str(source), "-filter", "Lanczos", "-resize", f"{size}x{size}", "-strip",
                 "-define", "png:exclude-chunks=date,time", str(target)],
                check=True,
            )  # fmt: skip
            print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
