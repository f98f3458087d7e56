"""The knowledge base on the sample folder (resources/knowledge) with the real embeddings client against
the demo server over real HTTP: paraphrases find their page, and without embeddings (the service fails,
or Azure has no embeddings deployment) the search is lexical, never an error to the model."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.embeddings import embeddings_client_for
from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.worker import StoreWorker
from desktop.tools.knowledge import KnowledgeBase
from tests.tools.knowledge_calls import ask

BOOKING_QUESTION = "知识库里关于预订规则怎么说"


@pytest.fixture
async def server() -> AsyncIterator[DemoServer]:
    demo = DemoServer()
    await demo.start()
    yield demo
    await demo.stop()




def demo_base(server: DemoServer, index: KnowledgeIndex, worker: StoreWorker) -> KnowledgeBase:
    config = SessionConfig(provider=ProviderKind.DEMO, endpoint=server.base_url)
    return KnowledgeBase(index, worker, embedder=embeddings_client_for(config))  # the sample folder



@pytest.mark.parametrize(("question", "page"), [
    ("预订规则", "booking.md"),
    (BOOKING_QUESTION, "booking.md"),
    ("how do I cancel a meeting", "cancellation.md"),
])
async def test_the_demo_embeddings_find_the_page(server: DemoServer, index: KnowledgeIndex,
                                                 worker: StoreWorker, question: str, page: str) -> None:
    base = demo_base(server, index, worker)
    status, output, sources = await ask(base, question)
    assert (status, output["status"]) == ("done", "done")
    assert sources[0] == page
    assert base.mode.mode == "hybrid"
    assert "POST /v1/embeddings" in server.requests


async def test_an_embeddings_fault_leaves_the_words(server: DemoServer, index: KnowledgeIndex,
                                                    worker: StoreWorker) -> None:
    server.faults.embeddings_status = 503
    base = demo_base(server, index, worker)
    status, output, sources = await ask(base, "cancel a meeting")
    assert (status, output["status"], sources[0]) == ("done", "done", "cancellation.md")
    assert (base.mode.mode, base.mode.reason) == ("lexical", "embeddings_failed")
    status, output, _ = await ask(base, BOOKING_QUESTION)  # what the words alone miss: not an error
    assert status == "done" and output["status"] in ("done", "no_results")
    server.faults.embeddings_status = None  # the service is back: the next sync embeds
    await base.refresh()
    _, _, sources = await ask(base, BOOKING_QUESTION)
    assert sources[0] == "booking.md" and base.mode.mode == "hybrid"


async def test_azure_without_an_embeddings_deployment_is_lexical(server: DemoServer, index: KnowledgeIndex,
                                                                 worker: StoreWorker) -> None:
    config = SessionConfig(provider=ProviderKind.AZURE, endpoint=server.base_url, deployment="gpt-realtime",
                           api_key="az-test-key-0123456789")
    embedder = embeddings_client_for(config)
    assert embedder is None
    base = KnowledgeBase(index, worker, embedder=embedder)
    status, output, sources = await ask(base, "cancel a meeting")
    assert (status, output["status"], sources[0]) == ("done", "done", "cancellation.md")
    assert (base.mode.mode, base.mode.reason) == ("lexical", "no_embedder")
    assert not any("embeddings" in request for request in server.requests)
