"""Cutting text into passages: bounded size, nothing lost, progress on any input."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.storage.documents import PASSAGE_CHARS, split_passages

_words = st.lists(
    st.one_of(st.sampled_from(["会议", "。", "\n\n", "\n", ". ", " ", "预约", "meeting", "room"]),
              st.text(min_size=1, max_size=12)),
    max_size=400,
).map("".join)


@settings(max_examples=80, deadline=None)
@given(_words)
def test_passages_are_bounded_ordered_and_cover_every_word(text: str) -> None:
    passages = split_passages(text)
    assert all(len(p.text) <= PASSAGE_CHARS for p in passages)
    assert [p.position for p in passages] == list(range(len(passages)))
    assert [p.offset for p in passages] == sorted({p.offset for p in passages})
    joined = " ".join(p.text for p in passages)
    normalised = re.sub(r"[ \t]+", " ", text.replace("\r\n", "\n")).strip()
    for word in normalised.split():
        assert word in joined or len(word) > PASSAGE_CHARS // 2


def test_long_documents_are_cut_at_sentence_ends() -> None:
    text = "".join(f"第{i}条：会议室需要提前预约，使用后请关闭屏幕。" for i in range(60))
    passages = split_passages(text)
    assert len(passages) > 3
    assert all(p.text.endswith("。") for p in passages[:-1])
