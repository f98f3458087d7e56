"""Turning any question text into safe search terms, and ranking passages against them.

The FTS5 trigram index needs terms of three characters or more. Chinese is written without spaces
and its words are mostly two characters, so a Chinese run is also cut into bigrams, which are found
with LIKE (a scan, fine at the size of a personal document folder). Every term is passed quoted or
as a bound parameter, so FTS operators, quotes and brackets in the question are just text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

MAX_QUESTION_CHARS = 500
MAX_TERMS = 32
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W_]+")
_STOPWORDS = frozenset(
    re.split(
        r"\s+",
        "the and how what when where which who why can could for you your are was were with does did "
        "this that there any about from into have has not but all our",
    )
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ed", "es", "s")


@dataclass(frozen=True, slots=True)
class Terms:
    long: tuple[str, ...]  # three characters or more: FTS5 MATCH
    short: tuple[str, ...]  # one or two characters (Chinese bigrams, single characters): LIKE

    @property
    def all(self) -> tuple[str, ...]:
        return self.long + self.short

    def __bool__(self) -> bool:
        return bool(self.long or self.short)


def clean_question(text: str) -> str:
    """Drops control and unpaired surrogate characters; caps the length."""
    kept = (" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text[:MAX_QUESTION_CHARS])
    return " ".join("".join(kept).split())


def terms_of(question: str) -> Terms:
    text = clean_question(question).casefold()
    long: list[str] = []
    short: list[str] = []
    for word in _WORD.findall(text):
        for piece in _pieces(word):
            if _CJK.fullmatch(piece):
                _add_cjk(piece, long, short)
            elif piece not in _STOPWORDS and len(piece) >= 3:
                long.append(_stem(piece))
            elif piece.isdigit() or (len(piece) == 2 and piece not in _STOPWORDS and not piece.isascii()):
                short.append(piece)
    return Terms(tuple(_unique(long)[:MAX_TERMS]), tuple(_unique(short)[:MAX_TERMS]))


def _pieces(word: str) -> list[str]:
    """Splits a word into its Chinese and non-Chinese runs ("wifi密码" -> "wifi", "密码")."""
    return [p for p in re.split(f"({_CJK.pattern})", word) if p]


def _add_cjk(run: str, long: list[str], short: list[str]) -> None:
    if len(run) <= 2:
        short.append(run)
        return
    short.extend(run[i : i + 2] for i in range(len(run) - 1))
    long.extend(run[i : i + 3] for i in range(len(run) - 2))


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def match_expression(terms: Sequence[str]) -> str:
    """An FTS5 query OR-ing the quoted terms; quotes inside a term are doubled."""
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def rank(terms: Terms, texts: Sequence[str], corpus_size: int) -> list[float]:
    """A small BM25-like score per text: rarer terms count more, repeats count less and less.
    `texts` must hold every passage containing any term, so counts within them are corpus counts."""
    folded = [t.casefold() for t in texts]
    count = max(corpus_size, len(folded), 1)
    weights = {}
    for term in terms.all:
        found_in = sum(term in text for text in folded)
        # Trigrams of a Chinese run repeat what its bigrams already say: weigh them lighter.
        boost = 0.5 if _CJK.fullmatch(term) and len(term) == 3 else 1.0
        weights[term] = boost * math.log(1.0 + (count + 1) / (found_in + 0.5))
    scores = []
    for text in folded:
        score = sum(w * _saturate(text.count(t)) for t, w in weights.items())
        scores.append(score / (1.0 + 0.2 * len(text) / 400))
    return scores


def _saturate(occurrences: int) -> float:
    return occurrences * 2.2 / (occurrences + 1.2)
