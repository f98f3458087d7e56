"""The app gives the knowledge base the configured service's embeddings, or none and why: the demo
has no embeddings service (its server is not started for them), Azure may lack an embeddings
deployment, and a missing key or a malformed endpoint is "not configured"."""

from __future__ import annotations

import dataclasses

from desktop.app.session_factory import AppSessionFactory
from desktop.realtime import ProviderKind
from desktop.settings import KeyStore, Preferences

AZURE = {"AZURE_OPENAI_API_KEY": "az-embedder-test-key-0123456789"}
AZURE_PREFS = Preferences(provider=ProviderKind.AZURE, endpoint="https://example.openai.azure.com",
                          deployment="gpt-realtime")


async def test_the_demo_has_no_embeddings_and_starts_no_server() -> None:
    factory = AppSessionFactory(environ={})
    assert await factory.embedder(Preferences(), KeyStore({})) == (None, "demo")
    assert factory._demo_server is None
    await factory.close()


async def test_a_missing_key_is_not_configured_though_the_demo_stands_in() -> None:
    factory = AppSessionFactory(environ={})
    openai = Preferences(provider=ProviderKind.OPENAI)
    assert await factory.embedder(openai, KeyStore({})) == (None, "not_configured")
    assert factory._demo_server is None
    await factory.close()


async def test_a_malformed_endpoint_is_not_configured() -> None:
    factory = AppSessionFactory(environ=AZURE)
    prefs = dataclasses.replace(AZURE_PREFS, endpoint="example.openai.azure.com", embeddings_deployment="e")
    assert await factory.embedder(prefs, KeyStore(AZURE)) == (None, "not_configured")
    await factory.close()


async def test_azure_without_an_embeddings_deployment_gets_none() -> None:
    factory = AppSessionFactory(environ=AZURE)
    assert await factory.embedder(AZURE_PREFS, KeyStore(AZURE)) == (None, "no_deployment")
    await factory.close()


async def test_azure_with_one_gets_its_deployment() -> None:
    factory = AppSessionFactory(environ=AZURE)
    prefs = dataclasses.replace(AZURE_PREFS, embeddings_deployment="embed-small")
    embedder, reason = await factory.embedder(prefs, KeyStore(AZURE))
    assert embedder is not None and reason == ""
    assert embedder.model == "embed-small"
    assert embedder.identity == "azure:example.openai.azure.com/embed-small"
    assert "/openai/deployments/embed-small/embeddings" in embedder.url  # type: ignore[attr-defined]
    await embedder.close()
    await factory.close()


async def test_openai_gets_the_default_model() -> None:
    key = {"OPENAI_API_KEY": "sk-embedder-test-key-0123456789"}
    factory = AppSessionFactory(environ=key)
    embedder, reason = await factory.embedder(Preferences(provider=ProviderKind.OPENAI), KeyStore(key))
    assert embedder is not None and reason == ""
    assert embedder.identity == "openai:text-embedding-3-small"
    await embedder.close()
    await factory.close()
