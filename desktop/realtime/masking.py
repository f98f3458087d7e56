"""Keep secrets out of everything the person or a log can see.

The ephemeral key and the API key are replaced wherever they occur in a payload or a sentence, and
anything shaped like a key (`ek_...`, `sk-...`) is masked even when we do not know it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MASK = "***"
_KEY_SHAPES = re.compile(r"\b(?:ek_|sk-|sess_key_)[A-Za-z0-9_\-.]{4,}")
_SECRET_FIELDS = frozenset({"client_secret", "api_key", "api-key", "authorization"})


class Masker:
    """Masks the given secrets (and key-shaped strings) in text and nested JSON-like payloads."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = {s for s in secrets if s}

    def add(self, secret: str) -> None:
        if secret:
            self._secrets.add(secret)

    def text(self, value: str) -> str:
        for secret in self._secrets:
            value = value.replace(secret, MASK)
        return _KEY_SHAPES.sub(MASK, value)

    def payload(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self._field(key, item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.payload(item) for item in value]
        return value

    def _field(self, key: Any, item: Any) -> Any:
        if isinstance(key, str) and key.lower() in _SECRET_FIELDS and item:
            return self._secret_field(item)
        return self.payload(item)

    def _secret_field(self, item: Any) -> Any:
        # `client_secret` is an object on the preview mint response: hide its value, keep the rest.
        if isinstance(item, dict):
            return {k: (MASK if k == "value" else self.payload(v)) for k, v in item.items()}
        return MASK
