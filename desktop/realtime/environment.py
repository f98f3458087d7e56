"""Environment variables that override the stored settings (handy for CI, --check and power users)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.errors import SessionError

PROVIDER = "VOICE_ASSISTANT_PROVIDER"
AZURE_VARS = {
    "AZURE_OPENAI_ENDPOINT": "endpoint",
    "AZURE_OPENAI_API_KEY": "api_key",
    "AZURE_OPENAI_DEPLOYMENT": "deployment",
    "AZURE_OPENAI_WEBRTC_URL": "webrtc_url",
}
OPENAI_VARS = {
    "OPENAI_BASE_URL": "endpoint",
    "OPENAI_API_KEY": "api_key",
    "OPENAI_REALTIME_MODEL": "deployment",
}


def parse_provider(name: str) -> ProviderKind:
    try:
        return ProviderKind(name.strip().lower())
    except ValueError:
        choices = ", ".join(kind.value for kind in ProviderKind)
        raise SessionError(
            f"Unknown provider '{name}'; choose one of {choices}.", code="bad_provider", retryable=False
        ) from None


def apply_environment(config: SessionConfig, env: Mapping[str, str] | None = None) -> SessionConfig:
    """A copy of `config` with the provider's variables applied; unset or empty variables change nothing.

    Only the variables of the effective provider apply, so an OPENAI_API_KEY in the shell never
    ends up sent to an Azure resource.
    """
    source = os.environ if env is None else env
    changes: dict[str, Any] = {}
    if source.get(PROVIDER, "").strip():
        changes["provider"] = parse_provider(source[PROVIDER])
    kind = changes.get("provider", config.provider)
    if kind in (ProviderKind.AZURE, ProviderKind.AZURE_PREVIEW):
        variables = AZURE_VARS
    elif kind is ProviderKind.OPENAI:
        variables = OPENAI_VARS
    else:
        variables = {}
    for name, attribute in variables.items():
        value = source.get(name, "").strip()
        if value:
            changes[attribute] = value
    return dataclasses.replace(config, **changes)
