"""Identifiers shaped like the real services' (a prefix and random URL-safe characters)."""

from __future__ import annotations

import secrets


def new_id(prefix: str, length: int = 20) -> str:
    return prefix + secrets.token_urlsafe(length)[:length].replace("-", "A").replace("_", "B")
