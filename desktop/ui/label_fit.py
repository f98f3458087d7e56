"""A sentence fitted into a button's width: one line, else wrapped, else elided; never cut at both ends.

Latin text wraps at spaces; Chinese (no spaces) may wrap between any two characters, except before
closing punctuation and after opening punctuation. "What is happening — what a press does" puts the
hint on a line of its own where both halves fit; else two lines as even as possible; else as many as
needed. Lines beyond `max_lines`, or still too wide, are elided at the end, so the person reads how the
sentence begins.
"""

from __future__ import annotations

import re
from collections.abc import Callable

HINT_SEPARATOR = " — "  # "what is happening — what a press does"
_NO_BREAK_BEFORE = set("，。、；：！？）」』】〉》…,.;:!?)")
_NO_BREAK_AFTER = set("（「『【〈《(")
_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def fitted(label: str, room: int, advance: Callable[[str], int], elide: Callable[[str, int], str],
           max_lines: int = 3) -> str:
    """`label` as lines of at most `room` wide by `advance`; at most `max_lines`, the last elided."""
    if advance(label) <= room:
        return label
    what, _, hint = label.partition(HINT_SEPARATOR)
    if hint and advance(what) <= room and advance(hint) <= room:
        return f"{what}\n{hint}"  # the hint on a line of its own
    pieces = _pieces(label)
    if balanced := _balanced(pieces, room, advance):
        return balanced
    lines = _wrapped(pieces, room, advance)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    return "\n".join(line if advance(line) <= room else elide(line, room) for line in lines)


def _balanced(pieces: list[tuple[str, str]], room: int, advance: Callable[[str], int]) -> str:
    """Two lines as even as the breaks allow, if two lines fit; else ""."""
    best, widest = "", room + 1
    for at in range(1, len(pieces)):
        first, second = _joined(pieces[:at]), _joined(pieces[at:])
        width = max(advance(first), advance(second))
        if width < widest:
            best, widest = f"{first}\n{second}", width
    return best if widest <= room else ""


def _joined(pieces: list[tuple[str, str]]) -> str:
    return "".join(f"{glue}{piece}" for piece, glue in pieces).strip()


def _wrapped(pieces: list[tuple[str, str]], room: int, advance: Callable[[str], int]) -> list[str]:
    lines: list[str] = []
    line = ""
    for piece, glue in pieces:
        candidate = f"{line}{glue}{piece}" if line else piece
        if line and advance(candidate) > room:
            lines.append(line)
            line = piece
        else:
            line = candidate
    return [*lines, line] if line else lines


def _pieces(text: str) -> list[tuple[str, str]]:
    """(piece, what joins it to the one before): words with a space; wide characters with nothing,
    punctuation kept with its neighbour."""
    pieces: list[tuple[str, str]] = []
    for number, word in enumerate(text.split(" ")):
        glue = " " if number else ""
        for char in word if _WIDE.search(word) else [word]:
            if pieces and not glue and _stays_with(pieces[-1][0], char):
                pieces[-1] = (pieces[-1][0] + char, pieces[-1][1])
            else:
                pieces.append((char, glue))
            glue = ""
    return pieces


def _stays_with(before: str, char: str) -> bool:
    """No line break between `before` and `char` (which touch, with no space between)."""
    if char[:1] in _NO_BREAK_BEFORE or before[-1:] in _NO_BREAK_AFTER:
        return True
    return not _WIDE.match(char) and not _WIDE.match(before[-1:])  # a Latin run inside Chinese
