"""Whether a configured URL can be where a realtime service lives, said in one sentence before anything
is sent.

A malformed endpoint would otherwise reach aiohttp and come back as "Could not reach not a url/openai/…",
which sends the person looking at their network instead of at a typo. Only the shape is judged here
(http or https, a host, nothing that cannot belong); whether the host answers is the connection's
business. The sentence quotes what was given, with any key in it masked.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

from desktop.realtime.config import ProviderKind
from desktop.realtime.errors import SessionError
from desktop.realtime.masking import Masker

_SHOWN_LENGTH = 80  # a pasted paragraph is quoted by its start


def url_problem(value: str, *, query_allowed: bool = False) -> str:
    """Why `value` cannot be the http(s) URL of a service, or "" when it can."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return "it cannot be read as a URL"
    if "://" not in value:
        return "it must begin with https://, or http:// for a server on this computer"
    if parts.scheme.lower() not in ("http", "https"):
        return f"it begins with {parts.scheme}://, but only https:// and http:// work"
    if any(character.isspace() for character in value):
        return "it contains spaces"
    if not parts.hostname:
        return "it names no host"
    try:
        _ = parts.port
    except ValueError:
        return "its port is not a number from 0 to 65535"
    if parts.username is not None or parts.password is not None:
        return "a user name or password does not belong in it"
    if parts.query and not query_allowed:
        return "a query (?…) does not belong in it"
    if parts.fragment:
        return "a fragment (#…) does not belong in it"
    return ""


def endpoint_problem(kind: ProviderKind, endpoint: str) -> str:
    """Why `endpoint` cannot be `kind`'s endpoint, or "" (whether one is required is asked elsewhere)."""
    # The preview's sessions URL may be pasted whole, api-version and all.
    pasted = kind is ProviderKind.AZURE_PREVIEW and "/realtimeapi/sessions" in endpoint
    return url_problem(endpoint, query_allowed=pasted)


def webrtc_url_problem(url: str) -> str:
    """Why `url` cannot be the preview's regional WebRTC URL (its query may name the model), or ""."""
    return url_problem(url, query_allowed=True)


def shown_url(value: str, secrets: Iterable[str] = ()) -> str:
    """`value` as it may be shown or logged: `secrets` (the API key) and a password in it masked, and
    cut when it is long."""
    masker = Masker(secrets)
    with contextlib.suppress(ValueError):  # unreadable: then there is no password to find either
        masker.add(urlsplit(value).password or "")
    shown = masker.text(value)
    return f"{shown[:_SHOWN_LENGTH]}…" if len(shown) > _SHOWN_LENGTH else shown


def query_values(url: str) -> list[str]:
    """The values in `url`'s query: a token service's URL may carry its key there (`?code=…`)."""
    with contextlib.suppress(ValueError):
        return [value for _name, value in parse_qsl(urlsplit(url).query) if value]
    return []


def invalid_url(label: str, value: str, reason: str, secrets: Iterable[str] = ()) -> SessionError:
    """The non-retryable "<label> is not a valid URL" error, quoting `value` (`shown_url`)."""
    sentence = f"{label} is not a valid URL: '{shown_url(value, secrets)}' ({reason})."
    return SessionError(sentence, code="bad_endpoint", retryable=False)


def malformed_field(
    kind: ProviderKind, endpoint: str, webrtc_url: str
) -> Literal["endpoint", "webrtc_url", ""]:
    """Which of `kind`'s URL fields is malformed, for the settings dialog; an empty field is not judged
    here (settings may be saved half done; the connection test names what is missing)."""
    if kind is ProviderKind.DEMO:
        return ""
    if endpoint and endpoint_problem(kind, endpoint):
        return "endpoint"
    if kind is ProviderKind.AZURE_PREVIEW and webrtc_url and webrtc_url_problem(webrtc_url):
        return "webrtc_url"
    return ""
