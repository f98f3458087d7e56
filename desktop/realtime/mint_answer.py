"""Reading a mint's answer: the ephemeral key and when it expires, in either shape the services use.

The app's own mint (desktop/realtime/providers.py) and a token service, which passes its mint's answer
through (desktop/realtime/token_service.py), read it with this one function.
"""

from __future__ import annotations

import json

from desktop.realtime.errors import SessionError


def read_mint_answer(body: str) -> tuple[str, float | None]:
    """(key, expires_at) of a mint's answer, preview (`client_secret.value`, `.expires_at`) or GA
    (top-level `value`, `expires_at`); expires_at (Unix seconds) is None when the answer names none."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        secret = data.get("client_secret")
        holder = secret if isinstance(secret, dict) else data
        value, expires = holder.get("value"), holder.get("expires_at")
        if isinstance(value, str) and value:
            readable = isinstance(expires, int | float) and not isinstance(expires, bool)
            return value, float(expires) if readable and expires is not None else None
    raise SessionError("The service's answer to the key request held no session key.", code="mint_malformed")
