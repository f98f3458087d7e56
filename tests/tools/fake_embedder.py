"""A deterministic embedder for tests: each word (or its listed synonym) hashed to one dimension; and a
clock the tests move by hand (the wait after an embeddings failure)."""

from __future__ import annotations

import hashlib
import math
import re

SYNONYMS = {"reservation": "book", "reserve": "book", "reserving": "book", "booking": "book",
            "policy": "rule", "rules": "rule", "regulations": "rule"}


class FakeEmbedder:
    def __init__(self, model: str = "fake-embedding", dimensions: int = 64, *, fail: bool = False) -> None:
        self.model = model
        self.identity = f"fake:{model}"
        self.dimensions = dimensions
        self.fail = fail
        self.embedded: list[str] = []  # every text asked for, in order
        self.requests = 0  # calls of embed, failed ones too
        self.closed = False

    async def embed(self, texts: list[str]) -> list[list[float]]:
        self.requests += 1
        if self.fail:
            raise ConnectionError("embeddings endpoint unreachable")
        self.embedded.extend(texts)
        return [self.vector(text) for text in texts]

    async def close(self) -> None:
        self.closed = True

    def vector(self, text: str) -> list[float]:
        vector = [0.0] * self.dimensions
        for word in re.findall(r"\w+", text.lower()):
            concept = SYNONYMS.get(word, word)
            vector[int(hashlib.md5(concept.encode()).hexdigest(), 16) % self.dimensions] += 1.0
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]


class Clock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
