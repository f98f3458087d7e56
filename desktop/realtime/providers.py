"""The four ways of reaching a realtime model: where the ephemeral key is minted, how, where the SDP
offer goes and which event dialect the session speaks.

Any endpoint may be a plain http://127.0.0.1:PORT (the demo server), so nothing here assumes
HTTPS or a particular host.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from desktop.realtime.config import Dialect, ProviderKind, SessionConfig
from desktop.realtime.endpoints import endpoint_problem, invalid_url, webrtc_url_problem
from desktop.realtime.errors import SessionError, http_failure
from desktop.realtime.http_post import post
from desktop.realtime.masking import Masker
from desktop.realtime.mint_answer import read_mint_answer
from desktop.realtime.token_service import TokenService, token_service_for

if TYPE_CHECKING:  # aiohttp is imported where a key is minted: the window's notice needs only the URLs
    import aiohttp

log = logging.getLogger(__name__)

PREVIEW_API_VERSION = "2025-04-01-preview"
OPENAI_DEFAULT_BASE = "https://api.openai.com"
DEMO_API_KEY = "demo-key"
DEMO_MODEL = "gpt-realtime"
KEY_LIFETIME_SECONDS = 600

_NAMES = {
    ProviderKind.AZURE_PREVIEW: "Azure OpenAI (preview)",
    ProviderKind.AZURE: "Azure OpenAI",
    ProviderKind.OPENAI: "OpenAI",
    ProviderKind.DEMO: "the demo server",
}


@dataclass(frozen=True, slots=True)
class Provider:
    kind: ProviderKind
    dialect: Dialect
    mint_url: str
    sdp_url: str
    channel_label: str
    api_key: str = field(repr=False)  # "" when the key comes from a token service
    deployment: str
    voice: str
    token_service: TokenService | None = None  # set: the key is asked for there, not minted

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never be shown: the API key, or the token service's bearer token."""
        bearer = self.token_service.bearer if self.token_service is not None else ""
        return tuple(secret for secret in (self.api_key, bearer) if secret)

    @property
    def name(self) -> str:
        return _NAMES[self.kind]

    @property
    def hosts(self) -> str:
        """Where the key is minted and the call set up, for the log: hosts only, never a path or query."""
        minted_at = self.token_service.url if self.token_service is not None else self.mint_url
        mint = _host(minted_at)
        calls = _host(self.sdp_url) if self.sdp_url else mint  # "": a WebSocket call, on the resource
        return mint if mint == calls else f"{mint} (calls at {calls})"

    @property
    def call_refused_hint(self) -> str:
        """Added to "the key was refused at call setup". Azure preview mints on the resource but sets
        up the call on a regional host: a region other than the resource's refuses the fresh key, which
        reads like a bad key but is a wrong URL. A token service's key is refused when the service
        mints for another resource than the endpoint in the settings."""
        if self.token_service is not None:
            return (
                " The key came from the token service: check that it mints for this endpoint's resource"
                " and deployment."
            )
        if self.kind is ProviderKind.AZURE_PREVIEW:
            return (
                " Also check that the regional WebRTC URL names your resource's region"
                " (eastus2 or swedencentral)."
            )
        return ""

    def mint_headers(self) -> dict[str, str]:
        if self.kind in (ProviderKind.AZURE_PREVIEW, ProviderKind.AZURE):
            return {"api-key": self.api_key, "Content-Type": "application/json"}
        return {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}

    def mint_body(self) -> dict[str, Any]:
        if self.kind is ProviderKind.AZURE_PREVIEW:
            return {"model": self.deployment, "voice": self.voice}
        session = {"type": "realtime", "model": self.deployment, "audio": {"output": {"voice": self.voice}}}
        if self.kind is ProviderKind.AZURE:
            return {"session": session}
        return {
            "expires_after": {"anchor": "created_at", "seconds": KEY_LIFETIME_SECONDS},
            "session": session,
        }

    async def mint(self, http: aiohttp.ClientSession, limit: float) -> str:
        """POST for an ephemeral key; the API key goes nowhere else. With a token service, it hands
        out the key (its own mint's answer, passed through)."""
        if self.token_service is not None:
            return await self.token_service.fetch_key(http, limit)

        answer = await post(
            http, self.mint_url, limit=limit, what="mint request", json=self.mint_body(),
            headers=self.mint_headers(),
            timed_out=lambda: SessionError(
                f"{self.name} did not hand out a session key within {limit:g} s.", code="mint_timeout"),
            unreachable=lambda: unreachable(self.mint_url),
        )
        status, body, wait = answer.status, answer.body, answer.wait
        if not 200 <= status < 300:
            masked = Masker([self.api_key]).text(body)
            raise http_failure("key request", status, masked, target=self.deployment, retry_after=wait)
        return read_ephemeral_key(body)


def _host(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # a malformed port: the host alone says enough
        port = None
    host = parts.hostname or "?"
    return f"{host}:{port}" if port else host


def read_ephemeral_key(body: str) -> str:
    """The key sits at `client_secret.value` (preview) or top-level `value` (GA)."""
    return read_mint_answer(body)[0]


def unreachable(url: str) -> SessionError:
    host = url.split("/")[2] if "//" in url else url
    return SessionError(
        f"Could not reach {host}; check the endpoint and the network connection.", code="unreachable"
    )


def _require(value: str, sentence: str) -> str:
    if not value.strip():
        raise SessionError(sentence, code="not_configured", retryable=False)
    return value.strip()


def _preview_mint_url(endpoint: str) -> str:
    if "/realtimeapi/sessions" in endpoint:  # the seed's SESSIONS_URL pasted whole
        return endpoint if "api-version=" in endpoint else f"{endpoint}?api-version={PREVIEW_API_VERSION}"
    return f"{endpoint}/openai/realtimeapi/sessions?api-version={PREVIEW_API_VERSION}"


def provider_name(kind: ProviderKind) -> str:
    return _NAMES[kind]


def checked_endpoint(config: SessionConfig) -> str:
    """The endpoint, required where the provider has no default, and well formed (SessionError if not)."""
    kind = config.provider
    if kind is ProviderKind.OPENAI:
        endpoint = config.endpoint.strip() or OPENAI_DEFAULT_BASE
    elif kind is ProviderKind.DEMO:
        endpoint = _require(config.endpoint, "The demo server has not started.")
    else:
        endpoint = _require(config.endpoint, "No Azure OpenAI endpoint is configured.")
    if reason := endpoint_problem(kind, endpoint):
        raise invalid_url("The endpoint", endpoint, reason, [config.api_key])
    endpoint = endpoint.rstrip("/")
    # The OpenAI SDKs' OPENAI_BASE_URL convention includes /v1; the paths built here add it themselves.
    return endpoint.removesuffix("/v1") if kind is ProviderKind.OPENAI else endpoint


def _urls(config: SessionConfig, deployment: str) -> tuple[str, str]:
    """(mint URL, SDP URL) of the configured provider."""
    kind = config.provider
    endpoint = checked_endpoint(config)
    if kind in (ProviderKind.OPENAI, ProviderKind.DEMO):
        return f"{endpoint}/v1/realtime/client_secrets", f"{endpoint}/v1/realtime/calls"
    if kind is ProviderKind.AZURE:
        return f"{endpoint}/openai/v1/realtime/client_secrets", f"{endpoint}/openai/v1/realtime/calls"
    if config.transport == "websocket" and not config.webrtc_url.strip():
        return _preview_mint_url(endpoint), ""  # the WebSocket goes to the resource itself
    webrtc = _require(config.webrtc_url, "No Azure WebRTC URL (…/v1/realtimertc) is configured.")
    if reason := webrtc_url_problem(webrtc):
        raise invalid_url("The regional WebRTC URL", webrtc, reason, [config.api_key])
    webrtc = webrtc.rstrip("/")
    if "model=" not in webrtc:  # the seed's WEBRTC_URL takes it as a query; a pasted one may have it
        webrtc = f"{webrtc}{'&' if '?' in webrtc else '?'}model={quote(deployment)}"
    return _preview_mint_url(endpoint), webrtc


def provider_for(config: SessionConfig) -> Provider:
    """Build the provider for `config`, or raise SessionError naming what is missing."""
    kind = config.provider
    default_model = DEMO_MODEL if kind is ProviderKind.DEMO else ""
    deployment = _require(config.deployment or default_model, "No deployment or model name is configured.")
    mint_url, sdp_url = _urls(config, deployment)
    dialect = Dialect.PREVIEW if kind is ProviderKind.AZURE_PREVIEW else Dialect.GA
    azure = kind in (ProviderKind.AZURE_PREVIEW, ProviderKind.AZURE)
    label = "realtime-channel" if azure else "oai-events"  # each provider's samples name it so
    if config.key_from == "token_service" and kind is not ProviderKind.DEMO:
        service = token_service_for(config.token_url, config.token_bearer)
        return Provider(kind, dialect, mint_url, sdp_url, label, "", deployment, config.voice, service)
    api_key = config.api_key or (DEMO_API_KEY if kind is ProviderKind.DEMO else "")
    _require(api_key, f"No API key is configured for {_NAMES[kind]}.")
    return Provider(kind, dialect, mint_url, sdp_url, label, api_key, deployment, config.voice)
