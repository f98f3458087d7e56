"""What a call will connect to: the one answer the window's notice, the call, Settings → Test connection
and `--check` all take.

The settings name a provider, an endpoint, a deployment; the environment may override each of them and
the key (`desktop.realtime.environment`); the key comes from the environment, the keychain or the
settings dialog; and without a key the built-in demo answers instead of a remote provider. Working
this out in one place is what keeps the window from announcing the demo while the call goes to Azure.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from desktop.realtime import (
    OPENAI_DEFAULT_BASE,
    ProviderKind,
    SessionConfig,
    SessionError,
    environment_overrides,
    key_variable,
    provider_for,
    provider_name,
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
    environment: tuple[str, ...] = ()  # the variables that decided part of it

    @property
    def demo_stands_in(self) -> bool:
        """A remote provider without a key: the built-in demo answers the call instead."""
        return self.provider is not _DEMO and not self.api_key

    def demo_answers(self, *, stand_in: bool = True) -> bool:
        """The demo takes the call: chosen, or (with `stand_in`) standing in for a missing key."""
        return self.provider is _DEMO or (stand_in and self.demo_stands_in)

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
            api_key=self.api_key,
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
        secrets = [self.api_key]
        parts = [f"{self.provider.value} at {shown_url(endpoint, secrets) or '(no endpoint)'}"]
        if self.provider is ProviderKind.AZURE_PREVIEW:
            parts.append(f"WebRTC at {shown_url(self.webrtc_url, secrets) or '(none)'}")
        parts.append(f"deployment {self.deployment or '(none)'}")
        parts.append(f"API key from {self.key_origin}" if self.api_key else "no API key")
        return ", ".join(parts)

    @property
    def key_origin(self) -> str:
        if self.key_source == "environment":
            return key_variable(self.provider)
        return _KEY_ORIGINS.get(self.key_source, "nowhere")


async def resolve_target(
    settings: SessionConfig, keys: KeyStore, *, entered_key: str | None = None
) -> Target:
    """The target for `settings` (the stored preferences, or those in the settings dialog, before the
    environment). The environment's provider and variables win; the key is the environment's, else the
    one `entered` in the dialog (None: the stored one). Raises SessionError for an unknown
    VOICE_ASSISTANT_PROVIDER."""
    found = environment_overrides(settings.provider, keys.environ)
    kind = found.provider
    if entered_key is None:
        key = await keys.load(kind)
    else:
        entered = entered_key.strip()
        key = keys.from_environment(kind) or ResolvedKey(entered, "entered" if entered else "none")
    if kind is _DEMO:
        key = ResolvedKey("", "none")  # the demo has its own
    fields = found.fields
    return Target(
        provider=kind,
        endpoint=fields.get("endpoint", settings.endpoint).strip(),
        webrtc_url=fields.get("webrtc_url", settings.webrtc_url).strip(),
        deployment=fields.get("deployment", settings.deployment).strip(),
        embeddings_deployment=fields.get("embeddings_deployment", settings.embeddings_deployment).strip(),
        embeddings_model=fields.get("embeddings_model", "").strip(),  # the environment's only
        api_key=key.value,
        key_source=key.source,
        environment=found.names,
    )
