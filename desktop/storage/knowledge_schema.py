"""The knowledge index's schema, version by version (`migrate` applies those a file lacks): documents,
their passages in FTS5, then the text hashes and vectors of the passages (`knowledge_vectors.py`)."""

from __future__ import annotations

import sqlite3

from desktop.storage.knowledge_vectors import v3_text_vectors


def _v1_initial(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE documents (path TEXT PRIMARY KEY, name TEXT NOT NULL, mtime_ns INTEGER NOT NULL,"
        " size INTEGER NOT NULL, sha256 TEXT NOT NULL)"
    )
    conn.execute(
        "CREATE VIRTUAL TABLE passages USING fts5("
        "text, path UNINDEXED, name UNINDEXED, position UNINDEXED, tokenize = 'trigram')"
    )


def _v2_words_pages_and_headings(conn: sqlite3.Connection) -> None:
    """Words (stemmed) and pairs of CJK characters instead of trigrams, so bm25 ranks every kind of term;
    each passage with the heading above it and its PDF page; a document's passages at rowids of its
    own (`knowledge_index._rows_of`), so replacing or dropping it touches those rows only, not a scan of
    them all. The index is rebuilt from the documents: the next sync reads every file again."""
    conn.execute("DROP TABLE passages")
    conn.execute("DROP TABLE documents")
    conn.execute(
        "CREATE TABLE documents (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
        " mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL)"
    )
    conn.execute(  # shown_*: the text as the document has it, where the indexed form differs (Chinese)
        "CREATE VIRTUAL TABLE passages USING fts5(text, heading, shown_text UNINDEXED,"
        " shown_heading UNINDEXED, name UNINDEXED, position UNINDEXED, page UNINDEXED,"
        " tokenize = 'porter unicode61 remove_diacritics 2')"
    )


MIGRATIONS = (_v1_initial, _v2_words_pages_and_headings, v3_text_vectors)
