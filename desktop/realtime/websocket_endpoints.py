"""Where a WebSocket call goes and how it proves who it is.

The three services take the same event protocol over a WebSocket (docs: realtime-protocol.md, §1):
OpenAI `wss://api.openai.com/v1/realtime?model=M`, Azure GA
`wss://{resource}.openai.azure.com/openai/v1/realtime?model=DEPLOYMENT` and Azure preview
`wss://{resource}.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=D`. Each
is derived from the configured endpoint, so the demo server's http://127.0.0.1:PORT becomes
ws://127.0.0.1:PORT/…; the preview's regional WebRTC URL plays no part.

Authentication: the ephemeral key, minted as for WebRTC, as `Authorization: Bearer` wherever the
service takes it (OpenAI, Azure GA, the demo). Azure's preview WebSocket is documented with the
resource key in the `api-key` header only, so it gets that, and the ephemeral key (Bearer) only when
there is no resource key to send. Never a key in the URL: the URL is logged and shown.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.providers import PREVIEW_API_VERSION, Provider, checked_endpoint


def websocket_url(config: SessionConfig, provider: Provider) -> str:
    """The wss:// (or ws:// for a plain-http endpoint) URL of `provider`'s realtime WebSocket."""
    endpoint = checked_endpoint(config)
    model = quote(provider.deployment, safe="")
    kind = provider.kind
    if kind is ProviderKind.AZURE_PREVIEW:
        parts = urlsplit(endpoint)  # the seed's sessions URL may be pasted whole: keep its origin
        base = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        url = f"{base}/openai/realtime?api-version={PREVIEW_API_VERSION}&deployment={model}"
    elif kind is ProviderKind.AZURE:
        url = f"{endpoint}/openai/v1/realtime?model={model}"
    else:
        url = f"{endpoint}/v1/realtime?model={model}"
    return _as_websocket(url)


def _as_websocket(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{'wss' if scheme.lower() == 'https' else 'ws'}://{rest}"


def http_form(url: str) -> str:
    """The same URL with an http(s) scheme (for the sentences that name the host)."""
    scheme, rest = url.split("://", 1)
    return f"{'https' if scheme.lower() == 'wss' else 'http'}://{rest}"


def mints_for_websocket(provider: Provider) -> bool:
    """Whether the call mints an ephemeral key first (everywhere but Azure preview with a resource key)."""
    return provider.kind is not ProviderKind.AZURE_PREVIEW or not provider.api_key


def websocket_headers(provider: Provider, ephemeral: str) -> dict[str, str]:
    """The upgrade request's authentication header (and nothing else of interest)."""
    if ephemeral:
        return {"Authorization": f"Bearer {ephemeral}"}
    return {"api-key": provider.api_key}
