"""SimHash sign bits: a fixed rotation, then one bit per coordinate; the candidates by Hamming distance
keep the exact nearest even when the dimensions' variances differ (as in real embeddings)."""

from __future__ import annotations

import random

from desktop.storage.knowledge_signs import nearest_by_hamming, sign_bits


def test_sign_bits_are_fixed_and_padded_to_a_power_of_two() -> None:
    rng = random.Random(1)
    vector = [rng.gauss(0, 1) for _ in range(300)]
    assert len(sign_bits(vector)) == 512 // 8
    assert sign_bits(vector) == sign_bits(list(vector))
    assert sign_bits([2.0 * x for x in vector]) == sign_bits(vector)  # the scale does not matter
    flipped = int.from_bytes(sign_bits([-x for x in vector])) ^ int.from_bytes(sign_bits(vector))
    assert flipped.bit_count() == 512  # the opposite direction differs in every bit


def test_nearest_by_hamming_takes_exactly_count_and_the_closest() -> None:
    signs = [0b0000, 0b1111, 0b0001, 0b0011, 0b0001]
    assert nearest_by_hamming(signs, 0b0000, 3) == [0, 2, 4]
    assert nearest_by_hamming(signs, 0b0000, 10) == [0, 1, 2, 3, 4]


def _raw_signs(vector: list[float]) -> int:
    return int("".join("1" if x > 0 else "0" for x in vector), 2)


def _normalised(vector: list[float]) -> list[float]:
    norm = sum(x * x for x in vector) ** 0.5
    return [x / norm for x in vector]


def _recall(signs: list[int], query_signs: list[int], vectors: list[list[float]],
            queries: list[list[float]]) -> float:
    found = 0
    for query, query_bits in zip(queries, query_signs, strict=True):
        similarity = [sum(a * b for a, b in zip(vector, query, strict=True)) for vector in vectors]
        exact = sorted(range(len(vectors)), key=lambda i: -similarity[i])
        found += len(set(exact[:10]) & set(nearest_by_hamming(signs, query_bits, 200)))
    return found / (10 * len(queries))


def test_the_rotation_keeps_the_nearest_where_plain_signs_lose_them() -> None:
    rng = random.Random(5)
    scales = [1.0 / (1 + i) for i in range(64)]  # a few wide dimensions, many narrow ones
    vectors = [_normalised([rng.gauss(0, s) for s in scales]) for _ in range(2000)]
    queries = [_normalised([x + rng.gauss(0, 0.5 * s) for x, s in zip(vectors[n], scales, strict=True)])
               for n in range(0, 2000, 200)]
    rotated = _recall([int.from_bytes(sign_bits(v)) for v in vectors],
                      [int.from_bytes(sign_bits(q)) for q in queries], vectors, queries)
    plain = _recall([_raw_signs(v) for v in vectors], [_raw_signs(q) for q in queries], vectors, queries)
    assert rotated >= 0.9 and rotated > plain + 0.1, (rotated, plain)
