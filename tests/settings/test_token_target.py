"""The token-service mode in what a call connects to: from the settings or VOICE_ASSISTANT_TOKEN_URL,
its bearer token from the environment, the dialog or the keychain, never the API key, and no demo
standing in for the key the app does not hold."""

from __future__ import annotations

from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.settings.keychain import KeyStore
from desktop.settings.preferences import Preferences, session_config
from desktop.settings.target import resolve_target

TOKEN_URL = "https://tokens.example.com/realtime-key"
STORED = SessionConfig(
    provider=ProviderKind.AZURE,
    endpoint="https://res.openai.azure.com",
    deployment="gpt-realtime",
    key_from="token_service",
    token_url=TOKEN_URL,
)
ENV = {"VOICE_ASSISTANT_TOKEN_URL": TOKEN_URL, "VOICE_ASSISTANT_TOKEN_BEARER": "env-bearer-0123456789"}


def test_the_preferences_carry_the_mode_and_its_url() -> None:
    prefs = Preferences(provider=ProviderKind.OPENAI, key_from="token_service", token_url=f" {TOKEN_URL} ")
    config = session_config(prefs)
    assert (config.key_from, config.token_url) == ("token_service", TOKEN_URL)
    assert session_config(Preferences(token_url=TOKEN_URL)).token_url == ""  # the API key mode: unused


async def test_the_stored_mode_uses_the_stored_bearer_and_never_loads_the_api_key() -> None:
    keys = KeyStore({"AZURE_OPENAI_API_KEY": "resource-key-0123456789"})
    await keys.save_token_bearer("stored-bearer-0123456789")
    target = await resolve_target(STORED, keys)
    assert target.token_service and not target.demo_stands_in and target.api_key == ""
    assert (target.token_bearer, target.bearer_source) == ("stored-bearer-0123456789", "this run")
    config = target.apply(SessionConfig())
    assert (config.key_from, config.token_url, config.api_key) == ("token_service", TOKEN_URL, "")
    assert target.problem() is None
    said = target.describe()
    bearer = "bearer token from this run's memory"
    assert said.endswith(f"session key from the token service at {TOKEN_URL} ({bearer})")
    assert "stored-bearer" not in said + repr(target)


async def test_the_environment_turns_the_mode_on_for_a_remote_provider() -> None:
    settings = SessionConfig(provider=ProviderKind.OPENAI, deployment="gpt-realtime")
    target = await resolve_target(settings, KeyStore(ENV | {"OPENAI_API_KEY": "sk-unused-0123456789"}))
    assert target.token_service and target.api_key == ""
    assert (target.token_bearer, target.bearer_source) == (ENV["VOICE_ASSISTANT_TOKEN_BEARER"], "environment")
    assert set(ENV) <= set(target.environment)
    assert "bearer token from VOICE_ASSISTANT_TOKEN_BEARER" in target.describe()


async def test_the_dialog_s_bearer_is_tested_before_it_is_saved() -> None:
    target = await resolve_target(STORED, KeyStore({}), entered_bearer=" typed-bearer-0123456789 ")
    assert (target.token_bearer, target.bearer_source) == ("typed-bearer-0123456789", "entered")


async def test_the_demo_ignores_the_mode() -> None:
    target = await resolve_target(SessionConfig(), KeyStore(ENV))
    assert not target.token_service and target.connects_to is ProviderKind.DEMO
    assert "VOICE_ASSISTANT_TOKEN_URL" not in target.environment


async def test_a_plain_http_url_to_another_host_is_a_problem_before_anything_is_sent() -> None:
    settings = SessionConfig(
        provider=ProviderKind.OPENAI,
        deployment="gpt-realtime",
        key_from="token_service",
        token_url="http://tokens.example.com/k",
    )
    problem = (await resolve_target(settings, KeyStore({}))).problem()
    assert problem is not None and problem.code == "bad_token_url"
