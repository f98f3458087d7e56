"""Keep secrets out of everything the person or a log can see.

The ephemeral key and the API key are replaced wherever they occur in a payload or a sentence, and
anything shaped like a key (`ek_...`, `sk-...`) is masked even when we do not know it.

Every secret a Masker is given is also remembered for the whole process (`remember_secrets`): the log
file masks them all on the way out (`mask_secrets`), whichever code logged them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

MASK = "***"
_KEY_SHAPES = re.compile(r"\b(?:ek_|sk-|sess_key_)[A-Za-z0-9_\-.]{4,}")
_SECRET_FIELDS = frozenset({"client_secret", "api_key", "api-key", "authorization"})

# Replaced whole, never changed in place: log records are formatted on any thread.
_remembered: tuple[str, ...] = ()
# Process-wide masking of a very short value would garble every log line that contains its letters
# (a one-letter test key turned "desktop" into "des***top"); real keys are 32 characters or more.
_SHORTEST_REMEMBERED = 8
_remembering = threading.Lock()


def remember_secrets(*secrets: str, shortest: int = _SHORTEST_REMEMBERED) -> None:
    """Secrets (keys, credentials) that no log line may ever show; empty values are ignored, and so
    are values shorter than `shortest` (lower it only for a value framed so that it cannot match a
    plain word, as a proxy's ":password@")."""
    global _remembered
    with _remembering:
        new = {secret for secret in secrets if len(secret) >= max(1, shortest) and secret not in _remembered}
        if new:
            _remembered = _longest_first([*_remembered, *new])


def mask_secrets(text: str) -> str:
    """`text` without any secret this process has handled, nor anything shaped like a key."""
    return _masked(text, _remembered)


def _longest_first(secrets: Iterable[str]) -> tuple[str, ...]:
    # A secret inside a longer one (a key and the header that carries it) must not leave a tail.
    return tuple(sorted(secrets, key=len, reverse=True))


def _masked(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return _KEY_SHAPES.sub(MASK, text)


class Masker:
    """Masks the given secrets (and key-shaped strings) in text and nested JSON-like payloads."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = {s for s in secrets if s}
        remember_secrets(*self._secrets)

    def add(self, secret: str) -> None:
        if secret:
            self._secrets.add(secret)
            remember_secrets(secret)

    def text(self, value: str) -> str:
        return _masked(value, _longest_first(self._secrets))

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
