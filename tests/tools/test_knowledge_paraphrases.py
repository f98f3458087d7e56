"""The paraphrase set (benchmarks/knowledge_paraphrases.py, 24 questions in Chinese and English over the
sample folder): the hybrid search with the demo server's embeddings finds the answering page first
clearly more often than the words alone. The same function gives `python -m benchmarks.knowledge` its
rows. A plumbing test of the demo's stand-in vectors, not a measure of retrieval with a real model."""

from __future__ import annotations

from pathlib import Path

from benchmarks.knowledge_paraphrases import PARAPHRASES, paraphrase_accuracy

CLEARLY_BETTER = 25.0  # percentage points


async def test_hybrid_finds_paraphrases_clearly_more_often(tmp_path: Path) -> None:
    assert len(PARAPHRASES) >= 20
    english = [p for p in PARAPHRASES if p.question.isascii()]
    assert 0 < len(english) < len(PARAPHRASES)  # both languages
    accuracy = await paraphrase_accuracy(tmp_path)
    lexical, hybrid = accuracy["lexical"], accuracy["hybrid"]
    assert hybrid.percent >= lexical.percent + CLEARLY_BETTER, (lexical, hybrid)
    assert "预订规则" not in hybrid.missed and "how do I cancel a meeting" not in hybrid.missed
