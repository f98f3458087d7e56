from __future__ import annotations

import pytest

from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.environment import apply_environment
from desktop.realtime.errors import SessionError


def test_azure_variables_apply_to_azure_providers() -> None:
    env = {
        "VOICE_ASSISTANT_PROVIDER": "azure-preview",
        "AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com",
        "AZURE_OPENAI_API_KEY": "k1",
        "AZURE_OPENAI_DEPLOYMENT": "gpt-realtime",
        "AZURE_OPENAI_WEBRTC_URL": "https://eastus2.realtimeapi-preview.ai.azure.com/v1/realtimertc",
        "OPENAI_API_KEY": "must-not-leak",
    }
    config = apply_environment(SessionConfig(), env)
    assert config.provider is ProviderKind.AZURE_PREVIEW
    assert (config.endpoint, config.api_key, config.deployment) == (
        "https://res.openai.azure.com",
        "k1",
        "gpt-realtime",
    )
    assert config.webrtc_url.endswith("/realtimertc")


def test_openai_variables_and_untouched_fields() -> None:
    base = SessionConfig(provider=ProviderKind.OPENAI, voice="cedar", deployment="stored")
    env = {
        "OPENAI_API_KEY": "sk-x",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        "OPENAI_REALTIME_MODEL": " ",
        "AZURE_OPENAI_API_KEY": "azure-key",
    }
    config = apply_environment(base, env)
    assert (config.api_key, config.endpoint, config.deployment, config.voice) == (
        "sk-x",
        "http://127.0.0.1:9/v1",
        "stored",
        "cedar",
    )


def test_nothing_set_changes_nothing_and_bad_provider_is_one_sentence() -> None:
    config = SessionConfig(provider=ProviderKind.AZURE, endpoint="e")
    assert apply_environment(config, {}) == config
    with pytest.raises(SessionError, match="Unknown provider 'bogus'"):
        apply_environment(config, {"VOICE_ASSISTANT_PROVIDER": "bogus"})
