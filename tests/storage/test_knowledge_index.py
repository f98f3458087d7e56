"""The knowledge index on the bundled sample folder: relevance in Chinese and English, short
Chinese queries, incremental re-indexing, other document formats, hostile query text."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.paths import resource
from tests.storage.pdf_bytes import pdf_pages


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeIndex]:
    index = KnowledgeIndex(tmp_path_factory.mktemp("kb") / "knowledge.sqlite3")
    index.sync(resource("knowledge"))
    yield index
    index.close()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How do I cancel a meeting?", "cancellation.md"),
        ("how long can a meeting last at most", "limits.txt"),
        ("how long are recordings kept", "recording.md"),
        ("time zone offset when I travel", "time-zones.md"),
        ("怎么预约会议", "booking.md"),
        ("长城厅能坐多少人", "rooms.md"),
        ("会议室", "rooms.md"),
        ("录音", "recording.md"),  # two characters: below the trigram tokenizer's reach
        ("取消会议有什么规定", "cancellation.md"),
        ("时区", "time-zones.md"),
    ],
)
def test_the_best_passage_comes_from_the_right_document(
    sample_index: KnowledgeIndex, question: str, expected: str
) -> None:
    hits = sample_index.search(question)
    assert hits, question
    assert hits[0].name == expected
    assert hits[0].text


def test_unrelated_questions_find_nothing(sample_index: KnowledgeIndex) -> None:
    assert sample_index.search("quantum chromodynamics") == []
    assert sample_index.search("") == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.text(max_size=300),
        st.lists(
            st.sampled_from(['"', "'", "NEAR(", ")", "AND", "OR", "NOT", "*", "^", "(", "{", "}", ":",
                             "-", "+", "%", "_", "\\", "会议", "录", "meeting", "\x00", "\ud800", " "]),
            max_size=25,
        ).map("".join),
    )
)
def test_any_query_text_returns_a_list(sample_index: KnowledgeIndex, question: str) -> None:
    hits = sample_index.search(question)
    assert isinstance(hits, list)


def test_incremental_reindex_follows_edits_additions_and_removals(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    shutil.copytree(resource("knowledge"), folder)
    index = KnowledgeIndex(tmp_path / "k.sqlite3")
    first = index.sync(folder)
    assert first.added == 6 and first.updated == 0
    assert index.sync(folder).added == 0  # nothing changed: nothing re-read

    (folder / "parking.txt").write_text("Visitors park in garage B, level -2. Parking is free for 3 hours.")
    (folder / "rooms.md").unlink()
    limits = folder / "limits.txt"
    limits.write_text(limits.read_text() + "\nThe quarterly planning marathon may use the atrium.\n")
    os.utime(folder / "booking.md")  # touched, same content
    report = index.sync(folder)
    assert (report.added, report.updated, report.removed) == (1, 1, 1)
    assert index.search("where do visitors park")[0].name == "parking.txt"
    assert index.search("planning marathon")[0].name == "limits.txt"
    assert all(hit.name != "rooms.md" for hit in index.search("长城厅"))
    assert "rooms.md" not in index.document_names()
    index.close()


def test_docx_and_broken_files(tmp_path: Path) -> None:
    from docx import Document

    folder = tmp_path / "docs"
    folder.mkdir()
    document = Document()
    document.add_paragraph("访客需要在前台登记，并领取临时门禁卡。")
    document.add_paragraph("Guests sign in at the front desk and receive a temporary badge.")
    document.save(str(folder / "guests.docx"))
    (folder / "broken.pdf").write_bytes(b"not a pdf at all")
    (folder / "notes.txt").write_bytes("旧编辑器保存的笔记：会议纪要模板".encode("gb18030"))
    (folder / ".hidden.md").write_text("secret meeting notes")
    index = KnowledgeIndex(tmp_path / "k.sqlite3")
    report = index.sync(folder)
    assert report.unreadable == ("broken.pdf",)
    assert index.document_names() == ["guests.docx", "notes.txt"]
    assert index.search("temporary badge")[0].name == "guests.docx"
    assert index.search("门禁卡")[0].name == "guests.docx"
    assert index.search("纪要")[0].name == "notes.txt"
    index.close()


def test_pdf_text_is_indexed(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "wifi.pdf").write_bytes(pdf_pages("The guest wifi password is printed on the whiteboard."))
    index = KnowledgeIndex(tmp_path / "k.sqlite3")
    assert index.sync(folder).added == 1
    assert index.search("wifi password")[0].name == "wifi.pdf"
    index.close()
