"""What a call will connect to: the one answer the window's notice, the call, Settings → Test connection
and `--check` all take.

The settings name a provider, an endpoint, a deployment; the environment may override each of them and
the key (`desktop.realtime.environment`); the key comes from the environment, the keychain or the
settings dialog; and without a key the built-in demo answers instead of a remote provider. In the
token-service mode there is no API key: the key comes from the organisation's token service, asked
with the bearer token (environment, keychain or dialog), and nothing stands in for it. Working
this out in one place is what keeps the window from announcing the demo while the call goes to Azure.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from desktop.realtime import (
    OPENAI_DEFAULT_BASE,
    TOKEN_BEARER,
    KeyFrom,
    ProviderKind,
    SessionConfig,
    SessionError,
    environment_overrides,
    key_variable,
    provider_for,
    provider_name,
    query_values,
    shown_url,
)
from desktop.settings.keychain import KeySource, KeyStore, ResolvedKey

_DEMO = ProviderKind.DEMO
_AZURE = (ProviderKind.AZURE, ProviderKind.AZURE_PREVIEW)
_KEY_ORIGINS = {"keychain": "the keychain", "this run": "this run's memory", "entered": "the settings dialog"}


@dataclass(frozen=True, slots=True)
class Target:
    """Where the next call goes, and where each part of that came from."""

    provider: ProviderKind  # as configured: the settings, then VOICE_ASSISTANT_PROVIDER
    endpoint: str = ""
    webrtc_url: str = ""  # Azure preview only
    deployment: str = ""
    embeddings_deployment: str = ""  # Azure only (the stored setting): "" means no embeddings
    embeddings_model: str = ""  # OpenAI only (OPENAI_EMBEDDINGS_MODEL): "" means text-embedding-3-small
    api_key: str = field(default="", repr=False)
    key_source: KeySource = "none"
    key_from: KeyFrom = "api_key"  # "token_service": the key is asked for at token_url
    token_url: str = ""
    token_bearer: str = field(default="", repr=False)
    bearer_source: KeySource = "none"
    environment: tuple[str, ...] = ()  # the variables that decided part of it

    @property
    def demo_stands_in(self) -> bool:
        """A remote provider without a key: the built-in demo answers the call instead."""
        return self.provider is not _DEMO and not self.api_key and not self.token_service

    def demo_answers(self, *, stand_in: bool = True) -> bool:
        """The demo takes the call: chosen, or (with `stand_in`) standing in for a missing key."""
        return self.provider is _DEMO or (stand_in and self.demo_stands_in)

    @property
    def token_service(self) -> bool:
        """The key comes from the organisation's token service (never for the demo)."""
        return self.provider is not _DEMO and self.key_from == "token_service"

    @property
    def connects_to(self) -> ProviderKind:
        """Who answers the call."""
        return _DEMO if self.demo_answers() else self.provider

    def apply(
        self, settings: SessionConfig, *, demo_endpoint: str = "", stand_in: bool = True
    ) -> SessionConfig:
        """`settings` (the person's voice, turns, tools…) pointed at this target. With `stand_in` the
        demo at `demo_endpoint` answers where the key is missing; without (a connection test, --check)
        the missing key is what the check reports."""
        if self.demo_answers(stand_in=stand_in):
            # The demo server's own model, key and URL; nothing of a remote provider's goes there.
            return dataclasses.replace(
                settings,
                provider=_DEMO,
                endpoint=demo_endpoint,
                webrtc_url="",
                deployment="",
                embeddings_deployment="",
                embeddings_model="",
                api_key="",
                key_from="api_key",
                token_url="",
                token_bearer="",
            )
        return dataclasses.replace(
            settings,
            provider=self.provider,
            endpoint=self.endpoint,
            webrtc_url=self.webrtc_url if self.provider is ProviderKind.AZURE_PREVIEW else "",
            deployment=self.deployment,
            # Each to its own provider: an Azure deployment's name is no OpenAI model.
            embeddings_deployment=self.embeddings_deployment if self.provider in _AZURE else "",
            embeddings_model=self.embeddings_model if self.provider is ProviderKind.OPENAI else "",
            api_key="" if self.token_service else self.api_key,
            key_from="token_service" if self.token_service else "api_key",
            token_url=self.token_url if self.token_service else "",
            token_bearer=self.token_bearer if self.token_service else "",
        )

    def problem(self) -> SessionError | None:
        """What would stop the call before anything is sent (a malformed endpoint, a missing
        deployment), or None. The demo has none: it needs nothing from the person."""
        if self.connects_to is _DEMO:
            return None
        try:
            provider_for(self.apply(SessionConfig()))
        except SessionError as error:
            return error
        return None

    def describe(self, *, stand_in: bool = True) -> str:
        """Where the call goes (`stand_in` as for `apply`), for --check and the log; the key only by
        where it came from."""
        if self.demo_answers(stand_in=stand_in):
            because = f" ({provider_name(self.provider)} has no API key)" if self.demo_stands_in else ""
            return f"{_DEMO.value}: the built-in demo server{because}"
        endpoint = self.endpoint or (OPENAI_DEFAULT_BASE if self.provider is ProviderKind.OPENAI else "")
        secrets = [self.api_key, self.token_bearer]
        parts = [f"{self.provider.value} at {shown_url(endpoint, secrets) or '(no endpoint)'}"]
        if self.provider is ProviderKind.AZURE_PREVIEW:
            parts.append(f"WebRTC at {shown_url(self.webrtc_url, secrets) or '(none)'}")
        parts.append(f"deployment {self.deployment or '(none)'}")
        parts.append(self._key_part(secrets))
        return ", ".join(parts)

    def _key_part(self, secrets: list[str]) -> str:
        if not self.token_service:
            return f"API key from {self.key_origin}" if self.api_key else "no API key"
        where = shown_url(self.token_url, [*secrets, *query_values(self.token_url)]) or "(no URL)"
        bearer = (
            f"bearer token from {_origin(self.bearer_source, TOKEN_BEARER)}"
            if self.token_bearer
            else "no bearer token"
        )
        return f"session key from the token service at {where} ({bearer})"

    @property
    def key_origin(self) -> str:
        return _origin(self.key_source, key_variable(self.provider))


def _origin(source: KeySource, variable: str) -> str:
    return variable if source == "environment" else _KEY_ORIGINS.get(source, "nowhere")


async def resolve_target(
    settings: SessionConfig,
    keys: KeyStore,
    *,
    entered_key: str | None = None,
    entered_bearer: str | None = None,
) -> Target:
    """The target for `settings` (the stored preferences, or those in the settings dialog, before the
    environment). The environment's provider and variables win; the key is the environment's, else the
    one `entered` in the dialog (None: the stored one); likewise the token service's bearer token
    (`entered_bearer`), loaded only in that mode, where the API key is not loaded at all. Raises
    SessionError for an unknown VOICE_ASSISTANT_PROVIDER."""
    found = environment_overrides(settings.provider, keys.environ)
    kind = found.provider
    fields = found.fields
    token_url = fields.get("token_url", settings.token_url).strip()
    from_service = kind is not _DEMO and ("token_url" in fields or settings.key_from == "token_service")
    if from_service:
        bearer = await _bearer(keys, entered_bearer)
        key = ResolvedKey("", "none")  # the resource key stays where it is: it is not needed
    elif entered_key is None:
        key = await keys.load(kind)
    else:
        entered = entered_key.strip()
        key = keys.from_environment(kind) or ResolvedKey(entered, "entered" if entered else "none")
    if kind is _DEMO:
        key = ResolvedKey("", "none")  # the demo has its own
    if not from_service:
        bearer = ResolvedKey("", "none")
    return Target(
        provider=kind,
        endpoint=fields.get("endpoint", settings.endpoint).strip(),
        webrtc_url=fields.get("webrtc_url", settings.webrtc_url).strip(),
        deployment=fields.get("deployment", settings.deployment).strip(),
        embeddings_deployment=fields.get("embeddings_deployment", settings.embeddings_deployment).strip(),
        embeddings_model=fields.get("embeddings_model", "").strip(),  # the environment's only
        api_key=key.value,
        key_source=key.source,
        key_from="token_service" if from_service else "api_key",
        token_url=token_url if from_service else "",
        token_bearer=bearer.value,
        bearer_source=bearer.source,
        environment=found.names,
    )


async def _bearer(keys: KeyStore, entered: str | None) -> ResolvedKey:
    """The token service's bearer token: the environment's, else the one entered (None: the stored)."""
    if entered is None:
        return await keys.load_token_bearer()
    environment = keys.environ.get(TOKEN_BEARER, "").strip()
    if environment:
        return ResolvedKey(environment, "environment")
    return ResolvedKey(entered.strip(), "entered" if entered.strip() else "none")
