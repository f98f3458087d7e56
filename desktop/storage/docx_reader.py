"""A Word document (.docx) read with the standard library: its body's paragraphs and tables in order,
each paragraph with its style's name, each table as rows of cell texts.

python-docx would bring lxml (about 6.5 MiB of the packaged app) for what is a walk over two XML parts
of a zip file. The texts are those python-docx gives: a paragraph's runs and hyperlinks, `w:tab` as a
tab, a line break as "\n" (a page or column break as nothing), a cell's paragraphs joined by "\n";
a cell spanning several grid columns comes once per column and a vertically merged cell gives the
text of the cell it continues, as python-docx's `row.cells` does.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"
_STYLES = "/styles"
# A part of the package larger than this unpacked is refused: the file itself may be 20 MB at most
# (knowledge_index.MAX_FILE_BYTES), but its XML is compressed, and a few hundred kB can unpack to GBs.
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_SPAN = 64  # grid columns one cell may span: Word's own limit is 63
_RUN_TEXT = {f"{_W}t", f"{_W}tab", f"{_W}ptab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen"}


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    style: str  # the style's name as stored ("heading 1", "Normal"), "" where the document names none


@dataclass(frozen=True, slots=True)
class Table:
    rows: list[list[str]]


def docx_blocks(path: Path) -> Iterator[Paragraph | Table]:
    """The body's paragraphs and tables, in document order."""
    with zipfile.ZipFile(path) as package:
        document = _target(package, "_rels/.rels", "", _OFFICE_DOCUMENT) or "word/document.xml"
        folder = posixpath.dirname(document)
        rels = posixpath.join(folder, "_rels", posixpath.basename(document) + ".rels")
        styles = _target(package, rels, folder, _STYLES)
        style_names = _style_names(_parsed(package, styles)) if styles else {}
        body = _parsed(package, document).find(f"{_W}body")
    for element in body if body is not None else ():
        if element.tag == f"{_W}p":
            yield Paragraph(_paragraph_text(element), style_names.get(_style_id(element), ""))
        elif element.tag == f"{_W}tbl":
            yield Table(_table_rows(element))


def _parsed(package: zipfile.ZipFile, name: str) -> ElementTree.Element:
    """One XML part; refused before it is unpacked when it would be too large (zipfile stops at the
    size the archive declares, so the declared size is the bound)."""
    if package.getinfo(name).file_size > MAX_PART_BYTES:
        raise ValueError(f"{name} is over {MAX_PART_BYTES // (1024 * 1024)} MB unpacked")
    return ElementTree.fromstring(package.read(name))


def _target(package: zipfile.ZipFile, rels: str, folder: str, kind: str) -> str | None:
    """The part a relationship of `kind` points to, as a path in the package."""
    if rels not in package.namelist():
        return None
    for relation in _parsed(package, rels).iter(f"{_RELS}Relationship"):
        if relation.get("Type", "").endswith(kind):
            target = relation.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            path = posixpath.normpath(path)
            return path if path in package.namelist() else None
    return None


def _style_names(styles: ElementTree.Element) -> dict[str, str]:
    """Style id -> name; the id "" names the default paragraph style (a paragraph without a style's)."""
    names = {}
    for style in styles.iter(f"{_W}style"):
        name = style.find(f"{_W}name")
        if name is not None:
            names[style.get(f"{_W}styleId", "")] = name.get(f"{_W}val", "")
            if style.get(f"{_W}type") == "paragraph" and style.get(f"{_W}default") in ("1", "true", "on"):
                names[""] = names[style.get(f"{_W}styleId", "")]
    return names


def _style_id(paragraph: ElementTree.Element) -> str:
    style = paragraph.find(f"{_W}pPr/{_W}pStyle")
    return "" if style is None else style.get(f"{_W}val", "")


def _paragraph_text(paragraph: ElementTree.Element) -> str:
    """Its runs and its hyperlinks' runs, in order (python-docx's `w:r | w:hyperlink`)."""
    runs: list[ElementTree.Element] = []
    for child in paragraph:
        if child.tag == f"{_W}r":
            runs.append(child)
        elif child.tag == f"{_W}hyperlink":
            runs.extend(run for run in child if run.tag == f"{_W}r")
    return "".join(_run_part(part) for run in runs for part in run if part.tag in _RUN_TEXT)


def _run_part(part: ElementTree.Element) -> str:
    tag = part.tag.removeprefix(_W)
    if tag == "t":
        return part.text or ""
    if tag == "br":
        return "\n" if part.get(f"{_W}type", "textWrapping") == "textWrapping" else ""
    return {"tab": "\t", "ptab": "\t", "cr": "\n", "noBreakHyphen": "-"}[tag]


def _table_rows(table: ElementTree.Element) -> list[list[str]]:
    rows: list[list[str]] = []
    above: list[str] = []  # the texts of the row before, one per grid column
    for row in table.findall(f"{_W}tr"):
        cells: list[str] = []
        for cell in row.findall(f"{_W}tc"):
            span = _grid_span(cell)
            merge = cell.find(f"{_W}tcPr/{_W}vMerge")
            continues = merge is not None and merge.get(f"{_W}val", "continue") == "continue"
            column = len(cells)
            text = above[column] if continues and column < len(above) else _cell_text(cell)
            cells.extend([text] * span)
        rows.append(cells)
        above = cells
    return rows


def _grid_span(cell: ElementTree.Element) -> int:
    span = cell.find(f"{_W}tcPr/{_W}gridSpan")
    return 1 if span is None else min(max(int(span.get(f"{_W}val", "1") or 1), 1), MAX_SPAN)


def _cell_text(cell: ElementTree.Element) -> str:
    return "\n".join(_paragraph_text(paragraph) for paragraph in cell.findall(f"{_W}p"))
