"""One reader per document format, each giving the document as `Section`s: the text under one heading,
with that heading, and for PDF the page.

Markdown headings are `#` lines (outside code fences); Word headings are the paragraphs in a Heading or
Title style, and a Word table is read row by row, the cells of a row joined by " | "; HTML headings are
`<h1>`…`<h6>` (the `<title>` heads the text before the first one), its tables are read like Word's;
a PDF gives one section per page, headed by the last bookmark at or before that page. pypdf and the
Word reader (desktop/storage/docx_reader.py) are imported on first use, on the knowledge worker's thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

_MARKDOWN_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_HTML_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_HTML_SKIPPED = frozenset({"script", "style", "noscript", "template"})
_HTML_BLOCKS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "section", "article", "header",
    "footer", "nav", "aside", "blockquote", "pre", "hr", "form", "figure", "figcaption", "main",
})


@dataclass(frozen=True, slots=True)
class Section:
    text: str
    heading: str = ""  # the heading above this text ("" when there is none)
    page: int | None = None  # 1-based page of a PDF


class _Sections:
    """Collects paragraphs under the current heading; a new heading closes the section before it."""

    def __init__(self) -> None:
        self._heading = ""
        self._lines: list[str] = []
        self._done: list[Section] = []

    def heading(self, text: str) -> None:
        self._close()
        self._heading = " ".join(text.split())

    def add(self, text: str) -> None:
        self._lines.append(text)

    def sections(self) -> list[Section]:
        self._close()
        return self._done

    def _close(self) -> None:
        text = "\n".join(self._lines).strip()
        if text:
            self._done.append(Section(text, self._heading))
        self._lines = []


def markdown_sections(text: str) -> list[Section]:
    sections = _Sections()
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _MARKDOWN_HEADING.match(line)
        if heading:
            sections.heading(heading.group(1))
        else:
            sections.add(line)
    return sections.sections()


def docx_sections(path: Path) -> list[Section]:
    from desktop.storage.docx_reader import Table, docx_blocks

    sections = _Sections()
    for block in docx_blocks(path):
        if isinstance(block, Table):
            sections.add(_table_text(block.rows))
        elif _is_heading_style(block.style):
            sections.heading(block.text)
        else:
            sections.add(block.text)
    return sections.sections()


def _is_heading_style(name: str | None) -> bool:
    return (name or "").lower().startswith(("heading", "title"))


def _table_text(rows: list[list[str]]) -> str:
    """Each row on a line, its cells joined by " | ". A merged cell comes back once per column it
    spans: a cell equal to the one before it is left out."""
    lines = []
    for row in rows:
        cells: list[str] = []
        for cell in (" ".join(text.split()) for text in row):
            if cell and (not cells or cells[-1] != cell):
                cells.append(cell)
        if cells:
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def pdf_sections(path: Path) -> list[Section]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    bookmarks = _bookmarks(reader)
    sections = []
    for number, page in enumerate(reader.pages):
        text = (page.extract_text() or "").strip()
        if text:
            above = [title for first_page, title in bookmarks if first_page <= number]
            sections.append(Section(text, above[-1] if above else "", number + 1))
    return sections


def _bookmarks(reader: Any) -> list[tuple[int, str]]:
    """(0-based page, title) of the PDF's outline, in page order; none when it has none or a bad one."""
    found: list[tuple[int, str]] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            page = reader.get_destination_page_number(item)
            title = " ".join(str(getattr(item, "title", "") or "").split())
            if page is not None and page >= 0 and title:
                found.append((page, title))

    try:
        walk(reader.outline)
    except Exception:  # a damaged outline costs the headings, not the text
        return []
    return sorted(found, key=lambda entry: entry[0])


def html_sections(text: str) -> list[Section]:
    reader = _HtmlReader()
    reader.feed(text)
    reader.close()
    return reader.sections.sections()


class _HtmlReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections = _Sections()
        self._line: list[str] = []
        self._skipping = 0  # depth inside <script>, <style>, ...
        self._heading: list[str] | None = None  # text of the heading being read
        self._title: list[str] | None = None
        self._cells = 0  # cells begun in the current table row

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_SKIPPED:
            self._skipping += 1
        elif tag in _HTML_HEADINGS:
            self._end_line()
            self._heading = []
        elif tag == "title":
            self._title = []
        elif tag in ("td", "th"):
            if self._cells:
                self._line.append(" | ")
            self._cells += 1
        elif tag in _HTML_BLOCKS:
            self._end_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HTML_SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _HTML_HEADINGS and self._heading is not None:
            self.sections.heading("".join(self._heading))
            self._heading = None
        elif tag == "title" and self._title is not None:
            self.sections.heading("".join(self._title))
            self._title = None
        elif tag in _HTML_BLOCKS:
            self._end_line()

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        target = next(t for t in (self._heading, self._title, self._line) if t is not None)
        target.append(re.sub(r"\s+", " ", data))

    def close(self) -> None:
        super().close()
        self._end_line()

    def _end_line(self) -> None:
        line = " ".join("".join(self._line).split())
        if line:
            self.sections.add(line)
        self._line = []
        self._cells = 0
