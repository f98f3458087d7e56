"""Small PDFs built by hand (no PDF writer that draws text is installed): one page per text, in
Helvetica, optionally with bookmarks added by pypdf."""

from __future__ import annotations

import io


def pdf_pages(*texts: str, bookmarks: tuple[tuple[str, int], ...] = ()) -> bytes:
    """A PDF with one page per text (ASCII, no parentheses); `bookmarks` are (title, 0-based page)."""
    fonts = 3 + 2 * len(texts)  # the object number of the font, after the pages and their contents
    kids = " ".join(f"{3 + 2 * n} 0 R" for n in range(len(texts)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(texts)} >>".encode(),
    ]
    for number, text in enumerate(texts):
        content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * number} 0 R"
            f" /Resources << /Font << /F1 {fonts} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return _with_bookmarks(bytes(out), bookmarks) if bookmarks else bytes(out)


def _with_bookmarks(pdf: bytes, bookmarks: tuple[tuple[str, int], ...]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for title, page in bookmarks:
        writer.add_outline_item(title=title, page_number=page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
