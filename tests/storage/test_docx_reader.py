"""The standard-library Word reader gives what python-docx gives (python-docx writes the documents and
reads them back as the reference): paragraph texts and style names, tables with spans and merges."""
# (style names compared in lower case: the reader gives them as stored, "heading 1")

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.storage.docx_reader import Paragraph, Table, docx_blocks

docx = pytest.importorskip("docx")


def _reference(path: Path) -> list[Paragraph | Table]:
    from docx.table import Table as DocxTable

    blocks: list[Paragraph | Table] = []
    for block in docx.Document(str(path)).iter_inner_content():
        if isinstance(block, DocxTable):
            blocks.append(Table([[cell.text for cell in row.cells] for row in block.rows]))
        else:
            name = block.style.name if block.style is not None else ""
            blocks.append(Paragraph(block.text, name.lower()))
    return blocks


def _document(path: Path) -> None:
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.add_heading("Handbook", level=0)
    document.add_heading("Rooms", level=2)
    paragraph = document.add_paragraph("Tabs\tand ")
    paragraph.add_run("a break").add_break()
    paragraph.add_run("then a page break").add_break(WD_BREAK.PAGE)
    paragraph.add_run("after it; 长城厅")
    document.add_paragraph("A quote", style="Quote")
    document.add_paragraph("")
    table = document.add_table(rows=3, cols=3)
    for row_number, row in enumerate(table.rows):
        for column, cell in enumerate(row.cells):
            cell.text = f"r{row_number}c{column}"
    table.cell(0, 0).merge(table.cell(0, 1)).text = "across"
    table.cell(1, 2).merge(table.cell(2, 2)).text = "down\nand a second paragraph"
    document.add_paragraph("Last words.", style="List Bullet")
    document.save(str(path))


def test_paragraphs_styles_and_tables_match_python_docx(tmp_path: Path) -> None:
    path = tmp_path / "handbook.docx"
    _document(path)
    read = [Paragraph(b.text, b.style.lower()) if isinstance(b, Paragraph) else b for b in docx_blocks(path)]
    assert read == _reference(path)  # python-docx capitalises the built-in names ("Heading 1")


def test_a_file_that_is_no_word_document_raises(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(Exception):  # noqa: B017 - read_sections turns any of them into one ValueError
        list(docx_blocks(path))


def _package(path: Path, body: str, *, padding: int = 0) -> None:
    """A minimal .docx: one document part holding `body`, and `padding` bytes of spaces after it."""
    import zipfile

    namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    xml = f'<w:document xmlns:w="{namespace}"><w:body>{body}</w:body></w:document>' + " " * padding
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", xml)


def test_a_part_that_would_unpack_too_large_is_refused_unread(tmp_path: Path) -> None:
    from desktop.storage.docx_reader import MAX_PART_BYTES

    bomb = tmp_path / "bomb.docx"
    _package(bomb, "<w:p/>", padding=MAX_PART_BYTES + 1)  # a few hundred kB on disk
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(ValueError, match="over 64 MB unpacked"):
        list(docx_blocks(bomb))


def test_a_cell_spanning_millions_of_columns_spans_a_table_s_worth(tmp_path: Path) -> None:
    from desktop.storage.docx_reader import MAX_SPAN

    wide = tmp_path / "wide.docx"
    cell = '<w:tc><w:tcPr><w:gridSpan w:val="3000000"/></w:tcPr><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>'
    _package(wide, f"<w:tbl><w:tr>{cell}</w:tr></w:tbl>")
    [table] = list(docx_blocks(wide))
    assert isinstance(table, Table) and table.rows == [["x"] * MAX_SPAN]
