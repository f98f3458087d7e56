"""Ranking in a big folder: a generated folder of 5,000 passages whose words are all common (English,
and Chinese) finds each answer passage first; a common two-character Chinese word does not push a
better passage out; the progress of a sync, in order; the old trigram index is rebuilt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.knowledge_corpus import CHINESE, ENGLISH, Question, write_folder
from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.knowledge_sync import IndexProgress
from tests.storage.knowledge_versions import index_file_at, is_current

PASSAGES = 5_000


@pytest.fixture(scope="module", params=[ENGLISH, CHINESE], ids=["English", "Chinese"])
def big_folder(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[KnowledgeIndex, list[Question]]]:
    scratch = tmp_path_factory.mktemp("big")
    questions = write_folder(scratch / "docs", PASSAGES, language=request.param)
    index = KnowledgeIndex(scratch / "k.sqlite3")
    report = index.sync(scratch / "docs")
    assert report.added == PASSAGES // 20 and not report.unreadable
    yield index, questions
    index.close()


def test_the_folder_holds_the_passages_and_the_words_are_common(
    big_folder: tuple[KnowledgeIndex, list[Question]],
) -> None:
    index, questions = big_folder
    conn = index._conn
    assert conn.execute("SELECT count(*) FROM passages").fetchone()[0] == PASSAGES
    for question in questions[:5]:
        for word in question.words:
            holding = conn.execute("SELECT count(*) FROM passages WHERE passages MATCH ?", (f'"{word}"',))
            assert holding.fetchone()[0] > PASSAGES // 6, word  # far more than the answer's one passage


def test_every_answer_passage_comes_first(big_folder: tuple[KnowledgeIndex, list[Question]]) -> None:
    index, questions = big_folder
    assert len(questions) == 20
    for question in questions:
        hits = index.search(question.text)
        assert hits and question.answered_by(hits[0].text), question
        assert hits[0].name == question.file and hits[0].heading


def test_a_common_two_character_word_does_not_drown_the_answer(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    filler = "会议" * 3 + "的安排请提前通知大家，会议开始前十分钟到场。"
    for n in range(300):  # "会议" everywhere, often several times
        (folder / f"notes-{n:03d}.md").write_text(f"# 第{n}次会议纪要\n\n{filler * (1 + n % 3)}\n")
    (folder / "zz-rooms.md").write_text("# 会议室\n\n长城厅的投影仪遥控器放在前台，用完请归还。\n")
    index = KnowledgeIndex(tmp_path / "k.sqlite3")
    index.sync(folder)
    hits = index.search("会议的投影仪遥控器在哪里")
    assert hits[0].name == "zz-rooms.md"
    assert index.search("遥控")[0].name == "zz-rooms.md"  # a two-character word alone
    assert len(index.search("会议", limit=50)) == 50  # and the common one still finds its passages
    index.close()


def test_a_sync_reports_its_progress_in_order(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    for name in ("b.md", "a.txt", "sub/c.md"):
        (folder / name).write_text(f"text of {name}\n")
    index = KnowledgeIndex(tmp_path / "k.sqlite3")
    heard: list[IndexProgress] = []
    index.sync(folder, heard.append)
    assert heard == [IndexProgress(0, 3, "a.txt"), IndexProgress(1, 3, "b.md"),
                     IndexProgress(2, 3, "sub/c.md"), IndexProgress(3, 3, "", ended=True)]
    assert [p.ended for p in heard] == [False, False, False, True]
    heard.clear()
    index.sync(folder, heard.append)
    assert heard == []  # nothing changed: nothing read, nothing to show
    (folder / "b.md").write_text("new text of b\n")
    index.sync(folder, heard.append)
    assert heard == [IndexProgress(0, 1, "b.md"), IndexProgress(1, 1, "", ended=True)]
    index.close()


def test_the_trigram_index_of_version_1_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite3"
    index_file_at(path, 1, "INSERT INTO documents VALUES ('/gone/a.md', 'a.md', 1, 1, 'x')",
                  "INSERT INTO passages (text, path, name, position) VALUES ('old', '/gone/a.md', 'a.md', 0)")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# Parking\n\nVisitors park in garage B.\n")
    index = KnowledgeIndex(path)
    assert index.document_names() == []  # emptied: the next sync reads every file again
    assert index.sync(folder).added == 1
    assert index.search("garage")[0].heading == "Parking"
    index.close()
    assert is_current(path)
