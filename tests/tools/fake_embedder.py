"""A deterministic embedder for tests: each word (or its listed synonym) hashed to one dimension."""

from __future__ import annotations

import hashlib
import math
import re

SYNONYMS = {"reservation": "book", "reserve": "book", "reserving": "book", "booking": "book",
            "policy": "rule", "rules": "rule", "regulations": "rule"}


class FakeEmbedder:
    def __init__(self, model: str = "fake-embedding", dimensions: int = 64, *, fail: bool = False) -> None:
        self.model = model
        self.dimensions = dimensions
        self.fail = fail
        self.embedded: list[str] = []  # every text asked for, in order

    async def embed(self, texts: list[str]) -> list[list[float]]:
        if self.fail:
            raise ConnectionError("embeddings endpoint unreachable")
        self.embedded.extend(texts)
        return [self.vector(text) for text in texts]

    def vector(self, text: str) -> list[float]:
        vector = [0.0] * self.dimensions
        for word in re.findall(r"\w+", text.lower()):
            concept = SYNONYMS.get(word, word)
            vector[int(hashlib.md5(concept.encode()).hexdigest(), 16) % self.dimensions] += 1.0
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]
