"""Word tables and headings, HTML, Markdown headings and PDF pages: what the index reads of each format,
and what a hit says about where it comes from."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.storage.document_readers import html_sections, markdown_sections
from desktop.storage.documents import read_sections
from desktop.storage.knowledge_index import KnowledgeIndex
from tests.storage.pdf_bytes import pdf_pages


@pytest.fixture
def index(tmp_path: Path) -> KnowledgeIndex:
    opened = KnowledgeIndex(tmp_path / "k.sqlite3")
    yield opened
    opened.close()


def _office_handbook(path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_heading("Office handbook", level=0)
    document.add_paragraph("Welcome to the office. This handbook explains the rooms and the kitchen.")
    document.add_heading("Meeting rooms", level=1)
    document.add_paragraph("Book rooms in the calendar pane. The rooms and what they hold:")
    table = document.add_table(rows=4, cols=3)
    rows = [("Room", "Seats", "Equipment"), ("Great Wall", "20", "projector, whiteboard"),
            ("Yellow Mountain", "8", "television"), ("West Lake", "6", "speakerphone")]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    merged = document.add_table(rows=1, cols=3)
    merged.rows[0].cells[0].merge(merged.rows[0].cells[1]).text = "长城厅的门禁密码"
    merged.rows[0].cells[2].text = "4711"
    document.add_heading("Kitchen", level=1)
    document.add_paragraph("The kitchen is on the fifth floor; clean the coffee machine on Fridays.")
    document.save(str(path))


def test_a_word_table_row_is_read_with_its_cells_joined_under_its_heading(tmp_path: Path) -> None:
    path = tmp_path / "handbook.docx"
    _office_handbook(path)
    sections = read_sections(path)
    assert [s.heading for s in sections] == ["Office handbook", "Meeting rooms", "Kitchen"]
    rooms = sections[1].text
    assert "Great Wall | 20 | projector, whiteboard" in rooms.splitlines()
    assert "长城厅的门禁密码 | 4711" in rooms.splitlines()  # a merged cell once, not once per column


def test_an_answer_in_a_word_table_is_found_and_cited(tmp_path: Path, index: KnowledgeIndex) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    _office_handbook(folder / "handbook.docx")
    (folder / "other.md").write_text("# Rooms\n\nRooms are cleaned every evening; seats are counted.\n")
    index.sync(folder)
    hit = index.search("How many seats does the Great Wall room have?")[0]
    assert hit.name == "handbook.docx" and "Great Wall | 20" in hit.text
    assert hit.heading == "Meeting rooms" and hit.page is None
    assert index.search("长城厅门禁密码")[0].text.count("4711") == 1


def test_html_is_read_without_its_scripts_with_headings_and_tables() -> None:
    page = """<!doctype html><html><head><title>Visitor guide</title>
    <style>p { color: red }</style><script>var secret = "never indexed";</script></head>
    <body><p>Welcome &amp; good morning.</p>
    <h2>Parking</h2><p>Visitors park in <b>garage B</b>,<br>level&nbsp;2.</p>
    <table><tr><th>Day</th><th>Hours</th></tr><tr><td>Saturday</td><td>9&ndash;12</td></tr></table>
    <h2>访客登记</h2><div>请在前台登记并领取临时门禁卡。</div></body></html>"""
    sections = html_sections(page)
    assert [(s.heading, s.text) for s in sections] == [
        ("Visitor guide", "Welcome & good morning."),
        ("Parking", "Visitors park in garage B,\nlevel 2.\nDay | Hours\nSaturday | 9–12"),
        ("访客登记", "请在前台登记并领取临时门禁卡。"),
    ]


def test_an_html_page_is_indexed(tmp_path: Path, index: KnowledgeIndex) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "guide.html").write_text(
        "<h1>Parking</h1><p>Visitors park in garage B, level 2.</p><script>garage secret</script>",
        encoding="utf-8",
    )
    index.sync(folder)
    hit = index.search("where do visitors park")[0]
    assert (hit.name, hit.heading) == ("guide.html", "Parking")
    assert hit.text == "Visitors park in garage B, level 2."
    assert index.search("secret") == []


def test_markdown_headings_head_their_passages_but_not_in_code() -> None:
    text = (
        "Intro line.\n\n# Setup\n\nInstall it.\n\n```sh\n# not a heading\nrun it\n```\n\n"
        "## Use ##\nPress Start."
    )
    assert [(s.heading, s.text) for s in markdown_sections(text)] == [
        ("", "Intro line."),
        ("Setup", "Install it.\n\n```sh\n# not a heading\nrun it\n```"),
        ("Use", "Press Start."),
    ]


def test_a_pdf_passage_cites_its_page_and_the_bookmark_above_it(
    tmp_path: Path, index: KnowledgeIndex
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    pages = ("Welcome to the visitor manual.", "Opening hours are nine to five.",
             "The guest wifi password is printed on the whiteboard.")
    pdf = pdf_pages(*pages, bookmarks=(("Introduction", 0), ("Network access", 2)))
    (folder / "manual.pdf").write_bytes(pdf)
    sections = read_sections(folder / "manual.pdf")
    assert [(s.page, s.heading) for s in sections] == [(1, "Introduction"), (2, "Introduction"),
                                                       (3, "Network access")]
    index.sync(folder)
    hit = index.search("wifi password")[0]
    assert (hit.name, hit.page, hit.heading) == ("manual.pdf", 3, "Network access")
    assert index.search("opening hours")[0].page == 2


def test_a_pdf_without_bookmarks_cites_pages_only(tmp_path: Path) -> None:
    (tmp_path / "plain.pdf").write_bytes(pdf_pages("First page.", "Second page."))
    assert [(s.page, s.heading) for s in read_sections(tmp_path / "plain.pdf")] == [(1, ""), (2, "")]
