"""The sign bits of a vector after a fixed random rotation (SimHash), and the nearest by Hamming distance.

The sign of each raw coordinate says little when the dimensions' variances differ, as in real
embeddings: a few wide dimensions carry most of the angle, the narrow ones' bits are nearly noise.
A random rotation spreads every direction over all coordinates first; then the fraction of differing
bits estimates the angle between two vectors (Charikar's SimHash). The rotation is a structured one,
cheap in pure Python: the vector padded with zeros to a power of two, each coordinate's sign flipped
by a fixed seeded pattern, then the fast Walsh-Hadamard transform, `ROUNDS` times (one round mixes a
coordinate into all others; a second makes the projections nearly independent).

The rotation is fixed (the seed is a constant): stored sign bits stay valid across runs. Changing the
seed, the rounds or the padding invalidates every stored `signs` column.
"""

from __future__ import annotations

import functools
import itertools
import operator
import random
from collections import Counter
from collections.abc import Sequence

ROTATION_SEED = 19
ROUNDS = 2


def sign_bits(vector: Sequence[float]) -> bytes:
    """One bit per coordinate of the rotated vector (as many bits as the padded size), big-endian."""
    values = list(vector)
    size = 1 << max(len(values) - 1, 0).bit_length()
    values.extend([0.0] * (size - len(values)))
    for round_number in range(ROUNDS):
        values = _walsh_hadamard(list(map(operator.mul, values, _flips(size, round_number))))
    bits = int("".join(["1" if value > 0 else "0" for value in values]), 2)
    return bits.to_bytes((size + 7) // 8)


@functools.cache
def _flips(size: int, round_number: int) -> tuple[float, ...]:
    rng = random.Random(f"{ROTATION_SEED}:{size}:{round_number}")
    return tuple(rng.choice((-1.0, 1.0)) for _ in range(size))


def _walsh_hadamard(values: list[float]) -> list[float]:
    """The unnormalised Walsh-Hadamard transform (Sylvester order) of a power-of-two-long list: at each
    of the log2(n) stages, the sums of the neighbouring pairs, then their differences."""
    width = 1
    while width < len(values):
        even, odd = values[0::2], values[1::2]
        values = list(map(operator.add, even, odd)) + list(map(operator.sub, even, odd))
        width *= 2
    return values


def nearest_by_hamming(signs: Sequence[int], query: int, count: int) -> list[int]:
    """The indices of the `count` entries of `signs` with the fewest bits differing from `query` (all
    of them when there are no more); ties at the cut are taken in order."""
    if len(signs) <= count:
        return list(range(len(signs)))
    distances = [(entry ^ query).bit_count() for entry in signs]
    per_distance = Counter(distances)
    taken, cut = 0, 0
    while taken + per_distance[cut] < count:  # the last distance of which only some enter
        taken += per_distance[cut]
        cut += 1
    chosen = [position for position, distance in enumerate(distances) if distance < cut]
    at_cut = (position for position, distance in enumerate(distances) if distance == cut)
    return sorted(chosen + list(itertools.islice(at_cut, count - taken)))
