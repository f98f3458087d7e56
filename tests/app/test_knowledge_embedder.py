"""The app gives the knowledge base the configured service's embeddings: the built-in demo server's for
the demo (so the demo's search is hybrid), none for Azure without an embeddings deployment (lexical)."""

from __future__ import annotations

import dataclasses

from desktop.app.session_factory import AppSessionFactory
from desktop.realtime import ProviderKind
from desktop.settings import KeyStore, Preferences

AZURE = {"AZURE_OPENAI_API_KEY": "az-embedder-test-key-0123456789"}
AZURE_PREFS = Preferences(provider=ProviderKind.AZURE, endpoint="https://example.openai.azure.com",
                          deployment="gpt-realtime")


async def test_the_demo_gets_the_demo_servers_embeddings() -> None:
    factory = AppSessionFactory(environ={})
    try:
        embedder = await factory.embedder(Preferences(), KeyStore({}))
        assert embedder is not None
        assert embedder.url.startswith(await factory.demo_endpoint())  # type: ignore[attr-defined]
        (vector,) = await embedder.embed(["预订规则"])
        assert len(vector) == embedder.dimensions
    finally:
        await factory.close()


async def test_azure_without_an_embeddings_deployment_gets_none() -> None:
    factory = AppSessionFactory(environ=AZURE)
    assert await factory.embedder(AZURE_PREFS, KeyStore(AZURE)) is None
    await factory.close()


async def test_azure_with_one_gets_its_deployment() -> None:
    factory = AppSessionFactory(environ=AZURE)
    prefs = dataclasses.replace(AZURE_PREFS, embeddings_deployment="embed-small")
    embedder = await factory.embedder(prefs, KeyStore(AZURE))
    assert embedder is not None and embedder.model == "embed-small"
    assert "/openai/deployments/embed-small/embeddings" in embedder.url  # type: ignore[attr-defined]
    await factory.close()
