"""What a call connects to, worked out once (`desktop.settings.target`): the settings, the environment's
overrides, the key and where it came from, and the demo standing in where no key is set."""

from __future__ import annotations

import dataclasses

import pytest

from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.embeddings import EmbeddingsClient, embeddings_client_for
from desktop.realtime.errors import SessionError
from desktop.realtime.providers import provider_for
from desktop.settings.keychain import KeyStore
from desktop.settings.target import resolve_target

STORED = "https://stored.openai.azure.com"
AZURE = SessionConfig(provider=ProviderKind.AZURE, endpoint=STORED, deployment="stored", voice="cedar")
ENV = {
    "VOICE_ASSISTANT_PROVIDER": "azure",
    "AZURE_OPENAI_ENDPOINT": "https://env.openai.azure.com",
    "AZURE_OPENAI_DEPLOYMENT": "from-env",
    "AZURE_OPENAI_API_KEY": "azure-env-key-0123456789",
}


async def test_the_environment_beats_the_settings_and_is_named() -> None:
    target = await resolve_target(SessionConfig(), KeyStore(ENV))  # fresh settings: the demo
    assert (target.provider, target.connects_to, target.key_source) == (
        ProviderKind.AZURE, ProviderKind.AZURE, "environment"
    )  # fmt: skip
    assert sorted(target.environment) == sorted(ENV)
    config = target.apply(AZURE)
    assert (config.endpoint, config.deployment, config.api_key) == (
        "https://env.openai.azure.com", "from-env", ENV["AZURE_OPENAI_API_KEY"]
    )  # fmt: skip
    assert config.voice == "cedar" and target.problem() is None
    said = "azure at https://env.openai.azure.com, deployment from-env, API key from AZURE_OPENAI_API_KEY"
    assert target.describe() == said
    assert ENV["AZURE_OPENAI_API_KEY"] not in repr(target)


async def test_without_a_key_the_demo_stands_in_for_the_call_but_not_for_a_check() -> None:
    target = await resolve_target(AZURE, KeyStore({"OPENAI_API_KEY": "sk-not-for-azure-0123"}))
    assert target.demo_stands_in and target.connects_to is ProviderKind.DEMO
    call = target.apply(AZURE, demo_endpoint="http://127.0.0.1:9")
    assert (call.provider, call.endpoint, call.deployment, call.api_key) == (
        ProviderKind.DEMO, "http://127.0.0.1:9", "", ""
    )  # fmt: skip
    check = target.apply(AZURE, stand_in=False)
    with pytest.raises(SessionError, match="No API key is configured for Azure OpenAI"):
        provider_for(check)
    assert target.problem() is None  # the demo answers: nothing stops the call
    assert target.describe() == "demo: the built-in demo server (Azure OpenAI has no API key)"


async def test_the_stored_key_the_entered_key_and_the_environments() -> None:
    keys = KeyStore({})
    await keys.save(ProviderKind.AZURE, "stored-key-0123456789")
    stored = await resolve_target(AZURE, keys)
    assert (stored.api_key, stored.key_source) == ("stored-key-0123456789", "this run")
    entered = await resolve_target(AZURE, keys, entered_key=" typed-key-0123 ")
    assert (entered.api_key, entered.key_source) == ("typed-key-0123", "entered")
    overridden = await resolve_target(AZURE, KeyStore(ENV), entered_key="typed-key-0123")
    assert overridden.key_source == "environment"


async def test_a_malformed_endpoint_is_the_targets_problem_and_an_unknown_provider_one_sentence() -> None:
    target = await resolve_target(AZURE, KeyStore({**ENV, "AZURE_OPENAI_ENDPOINT": "http:/x"}))
    problem = target.problem()
    assert problem is not None and problem.code == "bad_endpoint" and not problem.retryable
    assert problem.message.startswith("The endpoint is not a valid URL: 'http:/x' (")
    with pytest.raises(SessionError, match="Unknown provider 'carrier-pigeon'"):
        await resolve_target(AZURE, KeyStore({"VOICE_ASSISTANT_PROVIDER": "carrier-pigeon"}))


async def test_the_embeddings_deployment_is_stored_overridden_and_never_sent_to_the_demo() -> None:
    stored = dataclasses.replace(AZURE, embeddings_deployment="embed-stored")
    keys = KeyStore({"AZURE_OPENAI_API_KEY": "azure-env-key-0123456789"})
    assert (await resolve_target(stored, keys)).apply(stored).embeddings_deployment == "embed-stored"
    env = KeyStore({**ENV, "AZURE_OPENAI_EMBEDDINGS_DEPLOYMENT": "embed-env"})
    target = await resolve_target(stored, env)
    assert target.embeddings_deployment == "embed-env"
    assert "AZURE_OPENAI_EMBEDDINGS_DEPLOYMENT" in target.environment
    demo = await resolve_target(stored, KeyStore({}))  # no key: the demo stands in
    assert demo.apply(stored, demo_endpoint="http://127.0.0.1:1").embeddings_deployment == ""


async def test_openai_takes_its_embeddings_model_from_the_environment_never_the_azure_setting() -> None:
    """The stored embeddings deployment is Azure's: on OpenAI it would name no model (a 404, then keyword
    search only). OpenAI's model is OPENAI_EMBEDDINGS_MODEL, else text-embedding-3-small."""
    stored = SessionConfig(provider=ProviderKind.OPENAI, embeddings_deployment="my-azure-embeddings")
    keys = KeyStore({"OPENAI_API_KEY": "sk-test-0123456789"})
    openai = (await resolve_target(stored, keys)).apply(stored)
    assert (openai.embeddings_deployment, openai.embeddings_model) == ("", "")
    assert opened(embeddings_client_for(openai)).model == "text-embedding-3-small"
    large = KeyStore({
        "OPENAI_API_KEY": "sk-test-0123456789",
        "OPENAI_EMBEDDINGS_MODEL": "text-embedding-3-large",
    })
    target = await resolve_target(stored, large)
    assert "OPENAI_EMBEDDINGS_MODEL" in target.environment
    assert opened(embeddings_client_for(target.apply(stored))).model == "text-embedding-3-large"
    azure = dataclasses.replace(stored, provider=ProviderKind.AZURE, endpoint=STORED)
    on_azure = (await resolve_target(azure, KeyStore(ENV))).apply(azure)
    assert (on_azure.embeddings_deployment, on_azure.embeddings_model) == ("my-azure-embeddings", "")


def opened(client: EmbeddingsClient | None) -> EmbeddingsClient:
    assert client is not None
    return client
