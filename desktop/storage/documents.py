"""Reading documents of the knowledge folder as sections of plain text, and cutting them into passages.

A section is the text under one heading (or one PDF page), so every passage can say where it comes
from: its file, the heading above it where there is one, and its page in a PDF. The formats' readers
are in `document_readers.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from desktop.storage.document_readers import (
    Section,
    docx_sections,
    html_sections,
    markdown_sections,
    pdf_sections,
)

SUPPORTED_SUFFIXES = frozenset({".md", ".txt", ".pdf", ".docx", ".html", ".htm"})
PASSAGE_CHARS = 400
OVERLAP_CHARS = 80


@dataclass(frozen=True, slots=True)
class Passage:
    position: int  # 0-based passage number within its document
    offset: int  # character offset of the passage in its section's text
    text: str
    heading: str = ""  # the heading above the passage ("" when there is none)
    page: int | None = None  # 1-based page of a PDF; None for other formats


def read_sections(path: Path) -> list[Section]:
    """The document's sections in reading order; raises OSError or ValueError for unreadable files."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            return pdf_sections(path)
        if suffix == ".docx":
            return docx_sections(path)
        text = decode(path.read_bytes())
        if suffix == ".md":
            return markdown_sections(text)
        if suffix in (".html", ".htm"):
            return html_sections(text)
        return [Section(text)]
    except OSError:
        raise
    except Exception as exc:  # the parsers raise many types for damaged files
        raise ValueError(f"damaged {suffix} file: {exc}") from None


def decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Chinese notes saved by older Windows editors
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def passages_of(sections: list[Section]) -> list[Passage]:
    """Every section's passages, numbered through the document; a passage never spans two sections."""
    passages: list[Passage] = []
    for section in sections:
        for piece in split_passages(section.text):
            passages.append(Passage(len(passages), piece.offset, piece.text, section.heading, section.page))
    return passages


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
