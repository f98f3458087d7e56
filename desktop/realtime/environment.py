"""Environment variables that override the stored settings (handy for CI, --check and power users).

`environment_overrides` is the one reading of them: which provider they choose and which of its
variables apply (VOICE_ASSISTANT_TOKEN_URL, the token-service mode, to any remote provider).
`desktop.settings.target` builds what a call connects to from it; nothing else reads these variables.
`transport_override` reads VOICE_ASSISTANT_TRANSPORT, which overrides the Transport setting.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from desktop.realtime.config import TRANSPORT_CHOICES, ProviderKind, TransportChoice
from desktop.realtime.errors import SessionError

PROVIDER = "VOICE_ASSISTANT_PROVIDER"
AZURE_VARS = {
    "AZURE_OPENAI_ENDPOINT": "endpoint",
    "AZURE_OPENAI_API_KEY": "api_key",
    "AZURE_OPENAI_DEPLOYMENT": "deployment",
    "AZURE_OPENAI_WEBRTC_URL": "webrtc_url",
    "AZURE_OPENAI_EMBEDDINGS_DEPLOYMENT": "embeddings_deployment",
}
OPENAI_VARS = {
    "OPENAI_BASE_URL": "endpoint",
    "OPENAI_API_KEY": "api_key",
    "OPENAI_REALTIME_MODEL": "deployment",
    "OPENAI_EMBEDDINGS_MODEL": "embeddings_model",
}

# The token-service mode, for any remote provider: a URL set here means the key is asked for there.
TOKEN_URL = "VOICE_ASSISTANT_TOKEN_URL"
TOKEN_BEARER = "VOICE_ASSISTANT_TOKEN_BEARER"  # a secret: read by KeyStore, like the API keys
TOKEN_VARS = {TOKEN_URL: "token_url", TOKEN_BEARER: "token_bearer"}
TRANSPORT = "VOICE_ASSISTANT_TRANSPORT"  # auto, webrtc or websocket: overrides Settings → Network


def parse_provider(name: str) -> ProviderKind:
    try:
        return ProviderKind(name.strip().lower())
    except ValueError:
        choices = ", ".join(kind.value for kind in ProviderKind)
        raise SessionError(
            f"Unknown provider '{name}'; choose one of {choices}.", code="bad_provider", retryable=False
        ) from None


def variables_of(kind: ProviderKind) -> dict[str, str]:
    """The variables that configure `kind`, each with the SessionConfig field it sets."""
    if kind in (ProviderKind.AZURE, ProviderKind.AZURE_PREVIEW):
        return AZURE_VARS
    if kind is ProviderKind.OPENAI:
        return OPENAI_VARS
    return {}


def key_variable(kind: ProviderKind) -> str:
    """The variable that holds `kind`'s API key ("" for the demo, which needs none)."""
    return next((name for name, field in variables_of(kind).items() if field == "api_key"), "")


@dataclasses.dataclass(frozen=True, slots=True)
class Overrides:
    """What the environment decides: the provider, the fields it sets (never the key: that is read by
    `desktop.settings.keychain.KeyStore`, which ranks it against the keychain), and the variables that did."""

    provider: ProviderKind
    fields: dict[str, str]
    names: tuple[str, ...]


def environment_overrides(stored: ProviderKind, env: Mapping[str, str]) -> Overrides:
    """Unset or empty variables change nothing. Only the variables of the effective provider apply,
    so an OPENAI_API_KEY in the shell never ends up sent to an Azure resource."""
    names: list[str] = []
    kind = stored
    if env.get(PROVIDER, "").strip():
        kind = parse_provider(env[PROVIDER])
        names.append(PROVIDER)
    fields: dict[str, str] = {}
    remote = TOKEN_VARS if kind is not ProviderKind.DEMO else {}
    for name, attribute in (variables_of(kind) | remote).items():
        value = env.get(name, "").strip()
        if value:
            names.append(name)
            if attribute not in ("api_key", "token_bearer"):
                fields[attribute] = value
    return Overrides(kind, fields, tuple(names))


def transport_override(env: Mapping[str, str]) -> TransportChoice | None:
    """The transport VOICE_ASSISTANT_TRANSPORT chooses (None when unset or empty); SessionError when
    it names none of them."""
    value = env.get(TRANSPORT, "").strip().lower()
    if not value:
        return None
    for choice in TRANSPORT_CHOICES:
        if value == choice:
            return choice
    raise SessionError(
        f"{TRANSPORT} is '{value}'; choose one of {', '.join(TRANSPORT_CHOICES)}.",
        code="bad_transport",
        retryable=False,
    )
