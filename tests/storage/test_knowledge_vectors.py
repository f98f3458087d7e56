"""Passage vectors: reciprocal rank fusion, the cut of the vector ranking, the candidate scan, and what is
embedded again (vectors belong to texts, not to passages)."""

from __future__ import annotations

import random
from pathlib import Path

from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.knowledge_vectors import MIN_CANDIDATES, fused, standing_out
from tests.storage.knowledge_versions import index_file_at, is_current

E = "test:m"  # an embedder identity


def test_fusion_ranks_by_summed_reciprocal_ranks() -> None:
    # a: 1/61; b: 1/62 + 1/61; c: 1/63 + 1/62; d: 1/63
    order = [key for key, _ in fused([["a", "b", "c"], ["b", "c", "d"]])]
    assert order == ["b", "c", "a", "d"]


def test_fusion_keeps_first_seen_order_on_ties() -> None:
    assert [key for key, _ in fused([["x", "y"], ["y", "x"]])] == ["x", "y"]


def test_the_cut_ignores_the_scale_and_offset_of_similarities() -> None:
    rng = random.Random(3)
    similarities = [rng.gauss(0.2, 0.05) for _ in range(300)] + [0.55, 0.5, 0.36]
    scored = [(s, n) for n, s in enumerate(similarities)]
    kept = standing_out(scored, 20)
    assert kept[:2] == [300, 301] and 302 in kept and len(kept) < 20
    assert standing_out([(0.3 + 7.0 * s, n) for s, n in scored], 20) == kept
    assert standing_out([(0.5, n) for n in range(5)], 3) == []  # nothing stands out


def test_of_two_passages_only_the_nearer_stands_out() -> None:
    assert standing_out([(0.9, "a"), (0.89, "b")], 2) == ["a"]
    assert standing_out([(0.9, "a")], 2) == ["a"]


def test_alone_the_nearest_above_the_mean_enter_without_the_cut() -> None:
    three = [(0.7, "a"), (0.3, "b"), (0.2, "c")]
    assert standing_out(three, 4) == []  # beside a bm25 ranking, nothing stands out 1.5 deviations
    assert standing_out(three, 4, alone=True) == ["a"]  # the only ranking: the one above the mean
    five = [(0.8, "a"), (0.75, "b"), (0.1, "c"), (0.05, "d"), (0.0, "e")]
    assert standing_out(five, 4) == []
    assert standing_out(five, 4, alone=True) == ["a", "b"]
    assert standing_out(five, 1, alone=True) == ["a"]
    assert standing_out([(0.5, n) for n in range(4)], 4, alone=True) == []  # all alike: none is nearer
    # a gap in cosine above the mean (measured as an alternative, not the app's): not by much, not in
    assert standing_out([(0.25, "a"), (0.15, "b"), (0.1, "c"), (0.05, "d")], 4, alone=True) == ["a", "b"]
    assert standing_out([(0.25, "a"), (0.15, "b"), (0.1, "c"), (0.05, "d")], 4, alone=True, gap=0.2) == []


def _unit(rng: random.Random, dimensions: int) -> list[float]:
    vector = [rng.gauss(0, 1) for _ in range(dimensions)]
    norm = sum(x * x for x in vector) ** 0.5
    return [x / norm for x in vector]


def _folder(tmp_path: Path, files: dict[str, str]) -> tuple[Path, KnowledgeIndex]:
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    index = KnowledgeIndex(tmp_path / "k.sqlite3")
    index.sync(folder)
    return folder, index


def _sections(*bodies: str) -> str:
    return "".join(f"## Part {body.split()[0]}\n\n{body}\n\n" for body in bodies)


def _embed_all(index: KnowledgeIndex, dimensions: int = 2) -> list[str]:
    """Embeds what is wanted with [1, 0, ...]; returns the texts embedded."""
    wanted = index.passages_to_embed(E, dimensions)
    index.store_vectors(E, wanted, [[1.0] + [0.0] * (dimensions - 1)] * len(wanted))
    return [p.text for p in wanted]


def test_nearest_finds_the_best_vector_among_many(tmp_path: Path) -> None:
    count = MIN_CANDIDATES + 300
    _, index = _folder(tmp_path, {"notes.md": _sections(*(f"note{n:04} number {n}" for n in range(count)))})
    wanted = index.passages_to_embed(E, 32)
    assert len(wanted) == count
    rng = random.Random(7)
    vectors = [_unit(rng, 32) for _ in wanted]
    assert index.store_vectors(E, wanted, vectors) == count
    assert index.passages_to_embed(E, 32) == [] and index.embedded_passages(E, 32) == count
    query = [x + 0.05 * rng.gauss(0, 1) for x in vectors[123]]
    hits = index.hybrid_search("zzz", query, E, limit=1)  # no word matches: the vectors alone
    assert [hit.heading for hit in hits] == ["Part note0123"]
    index.close()


def test_only_near_passages_enter_the_fusion_and_ties_go_to_the_nearer(tmp_path: Path) -> None:
    _, index = _folder(tmp_path, {"near.txt": "alpha", "words.txt": "beta"})
    wanted = index.passages_to_embed(E, 2)
    vectors = [[1.0, 0.0] if p.text == "alpha" else [0.3, 0.954] for p in wanted]
    index.store_vectors(E, wanted, vectors)
    # "beta" is the words' first and only hit; it does not stand out from the two, so it is not in the
    # vector ranking, and the two passages tie at 1/61: the nearer comes first.
    hits = index.hybrid_search("beta", [1.0, 0.0], E, limit=2)
    assert [hit.name for hit in hits] == ["near.txt", "words.txt"]
    index.close()


def test_changed_text_embedder_or_dimensions_ask_again(tmp_path: Path) -> None:
    folder, index = _folder(tmp_path, {"a.txt": "alpha", "b.txt": "beta"})
    _embed_all(index)
    (folder / "b.txt").write_text("beta, changed", encoding="utf-8")
    index.sync(folder)
    assert [p.text for p in index.passages_to_embed(E, 2)] == ["beta, changed"]
    assert index.embedded_passages(E, 2) == 1
    assert len(index.passages_to_embed("test:other", 2)) == 2
    assert len(index.passages_to_embed(E, 3)) == 2
    (folder / "a.txt").unlink()
    index.sync(folder)
    assert [p.text for p in index.passages_to_embed(E, 2)] == ["beta, changed"]
    # a's text is gone, and b's old one: of those two vectors the newer is kept (one, as many as passages)
    assert _vector_count(index) == 1
    index.close()


def _vector_count(index: KnowledgeIndex) -> int:
    return int(index._conn.execute("SELECT count(*) FROM text_vectors").fetchone()[0])


def test_editing_one_paragraph_embeds_only_it(tmp_path: Path) -> None:
    folder, index = _folder(tmp_path, {"a.md": _sections("one alpha", "two beta", "three gamma")})
    assert len(_embed_all(index)) == 3
    (folder / "a.md").write_text(_sections("one alpha", "two beta, edited", "three gamma"), encoding="utf-8")
    index.sync(folder)
    assert _embed_all(index) == ["Part two\ntwo beta, edited"]
    assert _vector_count(index) == 4  # the old text's vector kept (fewer orphans than passages)
    (folder / "a.md").write_text(_sections("one alpha", "two beta", "three gamma"), encoding="utf-8")
    index.sync(folder)
    assert _embed_all(index) == []  # the edit undone: its vector was kept
    index.close()


def test_a_renamed_file_embeds_nothing_again(tmp_path: Path) -> None:
    folder, index = _folder(tmp_path, {"a.md": _sections("one alpha", "two beta"), "b.txt": "gamma"})
    assert len(_embed_all(index)) == 3
    (folder / "sub").mkdir()
    (folder / "a.md").rename(folder / "sub" / "renamed.md")
    index.sync(folder)
    assert _embed_all(index) == [] and index.embedded_passages(E, 2) == 3
    assert _vector_count(index) == 3
    index.close()


def test_another_folder_and_back_embeds_nothing_again_within_the_bound(tmp_path: Path) -> None:
    folder, index = _folder(tmp_path, {"a.txt": "alpha", "b.txt": "beta"})
    _embed_all(index)
    other = tmp_path / "other"
    other.mkdir()
    for name in ("c.txt", "d.txt", "e.txt"):
        (other / name).write_text(f"{name} text", encoding="utf-8")
    index.sync(other)
    assert len(_embed_all(index)) == 3
    index.sync(folder)
    assert _embed_all(index) == []  # a and b kept their vectors while the other folder was indexed
    assert _vector_count(index) == 4  # c, d, e are orphans now: the newest two kept, as many as passages
    index.close()


def test_a_paragraph_inserted_at_the_top_is_the_only_one_embedded(tmp_path: Path) -> None:
    folder, index = _folder(tmp_path, {"a.md": _sections("one alpha", "two beta", "three gamma")})
    _embed_all(index)
    (folder / "a.md").write_text(_sections("zero new", "one alpha", "two beta", "three gamma"),
                                 encoding="utf-8")
    index.sync(folder)
    assert _embed_all(index) == ["Part zero\nzero new"]
    assert index.embedded_passages(E, 2) == 4
    index.close()


def test_a_text_shared_by_passages_is_embedded_once(tmp_path: Path) -> None:
    folder, index = _folder(tmp_path, {"a.txt": "the same words", "b.txt": "the same words", "c.txt": "x"})
    assert sorted(_embed_all(index)) == ["the same words", "x"]
    assert index.embedded_passages(E, 2) == 3
    (folder / "a.txt").unlink()
    index.sync(folder)
    assert _vector_count(index) == 2  # b still has the text
    assert [hit.name for hit in index.hybrid_search("same", [1.0, 0.0], E)] == ["b.txt"]
    index.close()


FAR = {f"far{n:02}": (n - 8) / 80 for n in range(17)}  # cosines -0.1 to 0.1


def _toward(cosine: float) -> list[float]:
    return [cosine, (1 - cosine * cosine) ** 0.5]


def test_a_stale_vector_is_never_returned(tmp_path: Path) -> None:
    words = ["one alpha", "two beta", *(f"{name} words" for name in FAR)]
    folder, index = _folder(tmp_path, {"a.md": _sections(*words)})
    wanted = index.passages_to_embed(E, 2)
    cosines = {"one": 0.9, "two": 1.0, **FAR}
    index.store_vectors(E, wanted, [_toward(cosines[p.text.split()[2]]) for p in wanted])
    assert [hit.heading for hit in index.hybrid_search("zzz", [1.0, 0.0], E)][:2] == ["Part two", "Part one"]
    words[1] = "two rewritten"
    (folder / "a.md").write_text(_sections(*words), encoding="utf-8")
    index.sync(folder)  # the same rowid now holds another text, not yet embedded
    headings = [hit.heading for hit in index.hybrid_search("zzz", [1.0, 0.0], E)]
    assert headings[0] == "Part one" and "Part two" not in headings
    index.close()


def test_without_the_words_a_small_folder_answers_from_the_vectors(tmp_path: Path) -> None:
    texts = {"a.txt": "alpha", "b.txt": "beta", "c.txt": "gamma", "d.txt": "delta", "e.txt": "epsilon"}
    _, index = _folder(tmp_path, texts)
    wanted = index.passages_to_embed(E, 2)
    cosines = {"alpha": 0.8, "beta": 0.75, "gamma": 0.1, "delta": 0.05, "epsilon": 0.0}
    index.store_vectors(E, wanted, [_toward(cosines[p.text]) for p in wanted])
    assert [hit.name for hit in index.hybrid_search("zzz", [1.0, 0.0], E)] == ["a.txt", "b.txt"]
    # with the words of one far passage, the cut applies and the fusion puts the words' hit first
    assert [hit.name for hit in index.hybrid_search("delta", [1.0, 0.0], E)] == ["d.txt"]
    index.close()


def test_a_vector_for_a_replaced_passage_is_not_stored(tmp_path: Path) -> None:
    folder, index = _folder(tmp_path, {"a.txt": "alpha"})
    wanted = index.passages_to_embed(E, 2)
    (folder / "a.txt").write_text("alpha, rewritten meanwhile", encoding="utf-8")
    index.sync(folder)
    assert index.store_vectors(E, wanted, [[1.0, 0.0]]) == 0
    index.close()


def test_passages_indexed_before_the_vectors_get_their_text_hashes(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite3"
    index_file_at(path, 2, "INSERT INTO passages (rowid, text, heading, name, position)"
                           " VALUES (5, 'old', 'H', 'a', 0)")
    index = KnowledgeIndex(path)
    assert [p.text for p in index.passages_to_embed(E, 2)] == ["H\nold"]
    index.close()
    assert is_current(path)
