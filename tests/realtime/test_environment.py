"""The one reading of the environment's overrides, `environment_overrides` (`desktop.settings.target`
builds the call's target from it)."""

from __future__ import annotations

import pytest

from desktop.realtime.config import ProviderKind
from desktop.realtime.environment import environment_overrides, key_variable
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
    found = environment_overrides(ProviderKind.DEMO, env)
    assert found.provider is ProviderKind.AZURE_PREVIEW
    assert found.fields["endpoint"] == "https://res.openai.azure.com"
    assert found.fields["deployment"] == "gpt-realtime" and "api_key" not in found.fields  # KeyStore's
    assert found.fields["webrtc_url"].endswith("/realtimertc")
    assert "OPENAI_API_KEY" not in found.names and "VOICE_ASSISTANT_PROVIDER" in found.names


def test_openai_variables_and_blank_ones() -> None:
    env = {
        "OPENAI_API_KEY": "sk-x",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        "OPENAI_REALTIME_MODEL": " ",
        "AZURE_OPENAI_API_KEY": "azure-key",
    }
    found = environment_overrides(ProviderKind.OPENAI, env)
    assert found.fields == {"endpoint": "http://127.0.0.1:9/v1"}
    assert found.names == ("OPENAI_BASE_URL", "OPENAI_API_KEY")
    assert (key_variable(ProviderKind.AZURE), key_variable(ProviderKind.DEMO)) == ("AZURE_OPENAI_API_KEY", "")


def test_nothing_set_changes_nothing_and_bad_provider_is_one_sentence() -> None:
    found = environment_overrides(ProviderKind.AZURE, {})
    assert (found.provider, found.fields, found.names) == (ProviderKind.AZURE, {}, ())
    with pytest.raises(SessionError, match="Unknown provider 'bogus'"):
        environment_overrides(ProviderKind.AZURE, {"VOICE_ASSISTANT_PROVIDER": "bogus"})
