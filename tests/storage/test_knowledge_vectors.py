"""Passage vectors: reciprocal rank fusion, the sign-bit scan, what is embedded again."""

from __future__ import annotations

import random
from pathlib import Path

from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.knowledge_vectors import MIN_CANDIDATES, PassageToEmbed, fused


def test_fusion_ranks_by_summed_reciprocal_ranks() -> None:
    # a: 1/61; b: 1/62 + 1/61; c: 1/63 + 1/62; d: 1/63
    order = [key for key, _ in fused([["a", "b", "c"], ["b", "c", "d"]])]
    assert order == ["b", "c", "a", "d"]


def test_fusion_keeps_first_seen_order_on_ties() -> None:
    assert [key for key, _ in fused([["x", "y"], ["y", "x"]])] == ["x", "y"]


def _unit(rng: random.Random, dimensions: int) -> list[float]:
    vector = [rng.gauss(0, 1) for _ in range(dimensions)]
    norm = sum(x * x for x in vector) ** 0.5
    return [x / norm for x in vector]


def test_nearest_finds_the_best_vector_among_many(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    count = MIN_CANDIDATES * 3
    for n in range(count):
        (folder / f"note{n:04}.txt").write_text(f"note number {n}", encoding="utf-8")
    index = KnowledgeIndex(tmp_path / "k.sqlite3")
    index.sync(folder)
    wanted = index.passages_to_embed("m", 32)
    assert len(wanted) == count
    rng = random.Random(7)
    vectors = [_unit(rng, 32) for _ in wanted]
    assert index.store_vectors("m", wanted, vectors) == count
    assert index.passages_to_embed("m", 32) == []
    target = wanted[123]
    query = [x + 0.05 * rng.gauss(0, 1) for x in vectors[123]]
    hits = index.hybrid_search("zzz", query, "m", limit=1)  # no word matches: the vectors alone
    assert [hit.name for hit in hits] == [f"note{123:04}.txt"]
    assert target.text == "note number 123"
    index.close()


def test_only_near_passages_enter_the_fusion_and_ties_go_to_the_nearer(tmp_path: Path) -> None:
    index, wanted = _two_passages(tmp_path, {"near.txt": "alpha", "words.txt": "beta"})
    vectors = [[1.0, 0.0] if p.text == "alpha" else [0.3, 0.954] for p in wanted]
    index.store_vectors("m", wanted, vectors)
    # "beta" is the words' first and only hit; its similarity 0.3 is under half the nearest's 1.0, so it
    # is not near, and the two passages tie at 1/61: the nearer comes first.
    hits = index.hybrid_search("beta", [1.0, 0.0], "m", limit=2)
    assert [hit.name for hit in hits] == ["near.txt", "words.txt"]
    index.close()


def _two_passages(tmp_path: Path, texts: dict[str, str]) -> tuple[KnowledgeIndex, list[PassageToEmbed]]:
    """An index of one-passage files, and its passages to embed for model "m" at 2 dimensions."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    index = KnowledgeIndex(tmp_path / "k.sqlite3")
    index.sync(folder)
    return index, index.passages_to_embed("m", 2)


def test_changed_text_model_or_dimensions_ask_again(tmp_path: Path) -> None:
    index, wanted = _two_passages(tmp_path, {"a.txt": "alpha", "b.txt": "beta"})
    folder = tmp_path / "docs"
    index.store_vectors("m", wanted, [[1.0, 0.0]] * len(wanted))
    (folder / "b.txt").write_text("beta, changed", encoding="utf-8")
    index.sync(folder)
    assert [p.text for p in index.passages_to_embed("m", 2)] == ["beta, changed"]
    assert len(index.passages_to_embed("other", 2)) == 2
    assert len(index.passages_to_embed("m", 3)) == 2
    (folder / "a.txt").unlink()
    index.sync(folder)
    assert [p.text for p in index.passages_to_embed("m", 2)] == ["beta, changed"]
    assert index._conn.execute("SELECT count(*) FROM passage_vectors").fetchone()[0] == 1  # a's is gone
    index.close()


def test_a_vector_for_a_replaced_passage_is_not_stored(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("alpha", encoding="utf-8")
    index = KnowledgeIndex(tmp_path / "k.sqlite3")
    index.sync(folder)
    wanted = index.passages_to_embed("m", 2)
    (folder / "a.txt").write_text("alpha, rewritten meanwhile", encoding="utf-8")
    index.sync(folder)
    assert index.store_vectors("m", wanted, [[1.0, 0.0]]) == 0
    index.close()
