"""Turning any question text into safe search terms, and document text into what the index reads.

The index is FTS5 with the `porter unicode61` tokenizer: words, case-folded and stemmed, so "meetings"
finds "meeting". Chinese is written without spaces: for the index each run of CJK characters becomes
its overlapping pairs, then its last character ("会议室" -> "会议 议室 室"), each a word of its own, and
a Chinese run of the question asks for its pairs; a single character asks for the words it begins. A
two-character Chinese word is then one word of the index, ranked by bm25 with the others, at the cost
of a single word's look-up (no scan, no phrase matching: docs/measurements.md, "The knowledge index").
Every term goes into the query quoted, so FTS operators, quotes and brackets in the question are just
text; the query itself is a bound parameter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUESTION_CHARS = 500
MAX_TERMS = 32
_CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{_CJK_CHARS}]+")
_WORD = re.compile(r"[^\W_]+")
# Words that glue a Chinese question together: a pair across one of them ("咖啡的" -> "啡的") is rare in
# the documents, so bm25 would weigh it most. The question is cut at them instead (longest first).
_CJK_GLUE = re.compile(
    "为什么|怎么样|是不是|能不能|怎么|什么|哪里|哪儿|哪些|哪个|多少|如何|请问|是否|可以|一下|吗|呢|吧|啊|的|是|和"
)
_STOPWORDS = frozenset(
    re.split(
        r"\s+",
        "the and how what when where which who why can could for you your are was were with does did "
        "this that there any about from into have has not but all our",
    )
)


@dataclass(frozen=True, slots=True)
class Terms:
    words: tuple[str, ...]  # words of three letters or more, numbers, Chinese pairs
    prefixes: tuple[str, ...] = ()  # single Chinese characters: any word that begins with one

    def __bool__(self) -> bool:
        return bool(self.words or self.prefixes)


def clean_question(text: str) -> str:
    """Drops control and unpaired surrogate characters; caps the length."""
    kept = (" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text[:MAX_QUESTION_CHARS])
    return " ".join("".join(kept).split())


def terms_of(question: str) -> Terms:
    text = clean_question(question).lower()
    words: list[str] = []
    single: list[str] = []  # single Chinese characters: asked for only when nothing else is
    for word in _WORD.findall(text):
        for piece in _pieces(word):
            if _CJK.fullmatch(piece):
                for run in filter(None, _CJK_GLUE.split(piece)):
                    (single if len(run) == 1 else words).extend(_pairs(run))
            elif (
                piece.isdigit()
                or (len(piece) >= 3 and piece not in _STOPWORDS)
                or (len(piece) == 2 and not piece.isascii())  # a two-letter word of another script
            ):
                words.append(piece)
    prefixes = [] if words else single
    return Terms(tuple(_unique(words)[:MAX_TERMS]), tuple(_unique(prefixes)[:MAX_TERMS]))


def _pieces(word: str) -> list[str]:
    """Splits a word into its Chinese and non-Chinese runs ("wifi密码" -> "wifi", "密码")."""
    return [p for p in re.split(f"({_CJK.pattern})", word) if p]


def _pairs(run: str) -> list[str]:
    """"会议室" -> "会议", "议室"; a single character stays as it is."""
    return [run[i : i + 2] for i in range(len(run) - 1)] or [run]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def match_expression(terms: Terms) -> str:
    """An FTS5 query OR-ing the quoted terms (a prefix with its `*`); quotes inside a term are doubled."""
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms.words]
    quoted += ['"' + term.replace('"', '""') + '"*' for term in terms.prefixes]
    return " OR ".join(quoted)


def indexed_text(text: str) -> str:
    """The text as the index reads it: each CJK run as its pairs and its last character, apart."""
    return _CJK.sub(_as_pairs, text)


def _as_pairs(run: re.Match[str]) -> str:
    chars = run.group()
    return " " + " ".join([*(chars[i : i + 2] for i in range(len(chars) - 1)), chars[-1]]) + " "
