"""Reading documents of the knowledge folder as plain text, and cutting them into passages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = frozenset({".md", ".txt", ".pdf", ".docx"})
PASSAGE_CHARS = 400
OVERLAP_CHARS = 80


@dataclass(frozen=True, slots=True)
class Passage:
    position: int  # 0-based passage number within its document
    offset: int  # character offset of the passage in the document's text
    text: str


def read_text(path: Path) -> str:
    """The document's text; raises OSError or ValueError for unreadable files."""
    suffix = path.suffix.lower()
    if suffix in (".pdf", ".docx"):
        try:
            return _read_packaged(path, suffix)
        except OSError:
            raise
        except Exception as exc:  # the parsers raise many types for damaged files
            raise ValueError(f"damaged {suffix} file: {exc}") from None
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Chinese notes saved by older Windows editors
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def _read_packaged(path: Path, suffix: str) -> str:
    if suffix == ".pdf":
        from pypdf import PdfReader

        return "\n\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    from docx import Document

    return "\n\n".join(p.text for p in Document(str(path)).paragraphs)


def split_passages(text: str) -> list[Passage]:
    """Passages of about PASSAGE_CHARS, cut at paragraph or sentence ends where possible, each
    overlapping the previous one a little so an answer split across a cut is still found."""
    text = re.sub(r"[ \t]+", " ", text.replace("\r\n", "\n")).strip()
    passages: list[Passage] = []
    start = 0
    while start < len(text):
        end = _cut(text, start)
        chunk = text[start:end].strip()
        if chunk:
            passages.append(Passage(len(passages), start, chunk))
        if end >= len(text):
            break
        start = max(end - OVERLAP_CHARS, start + 1)
        # begin the next passage at a word or sentence boundary, not mid-word
        boundary = re.search(r"[\s。！？.!?]", text[start:end])
        if boundary:
            start += boundary.end()
    return passages


def _cut(text: str, start: int) -> int:
    limit = start + PASSAGE_CHARS
    if limit >= len(text):
        return len(text)
    window = text[start + PASSAGE_CHARS // 2 : limit]
    for separator in ("\n\n", "\n", "。", ". ", "！", "？", "; ", " "):
        found = window.rfind(separator)
        if found >= 0:
            return start + PASSAGE_CHARS // 2 + found + len(separator)
    return limit
