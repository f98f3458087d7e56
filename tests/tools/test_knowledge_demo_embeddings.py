"""The knowledge base on the sample folder (resources/knowledge) with the real embeddings client against
the demo server over real HTTP: paraphrases find their page, and without embeddings (the service fails
or is too slow, or Azure has no embeddings deployment) the search is lexical, never an error to the
model."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.embeddings import EmbeddingsClient, embeddings_client_for
from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.worker import StoreWorker
from desktop.tools.knowledge import KnowledgeBase
from tests.tools.fake_embedder import Clock
from tests.tools.knowledge_calls import ask

BOOKING_QUESTION = "知识库里关于预订规则怎么说"


@pytest.fixture
async def server() -> AsyncIterator[DemoServer]:
    demo = DemoServer()
    await demo.start()
    yield demo
    await demo.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def make_base(server: DemoServer, index: KnowledgeIndex, worker: StoreWorker,
                    clock: Clock) -> AsyncIterator[Callable[[], KnowledgeBase]]:
    """Knowledge bases of the sample folder with the demo server's embeddings, closed after the test."""
    made: list[KnowledgeBase] = []

    def make() -> KnowledgeBase:
        config = SessionConfig(provider=ProviderKind.DEMO, endpoint=server.base_url)
        made.append(KnowledgeBase(index, worker, embedder=embeddings_client_for(config), clock=clock))
        return made[-1]

    yield make
    for base in made:
        await base.close()



async def test_the_client_keeps_one_http_session_until_the_base_closes(
    make_base: Callable[[], KnowledgeBase],
) -> None:
    base = make_base()
    await ask(base, "how do I cancel a meeting")
    client = base._embeddings._embedder
    assert isinstance(client, EmbeddingsClient)
    session = client._http
    assert session is not None
    await ask(base, "预订规则")
    assert client._http is session
    await base.close()
    assert session.closed


@pytest.mark.parametrize(("question", "page"), [
    ("预订规则", "booking.md"),
    (BOOKING_QUESTION, "booking.md"),
    ("how do I cancel a meeting", "cancellation.md"),
])
async def test_the_demo_embeddings_find_the_page(server: DemoServer, make_base: Callable[[], KnowledgeBase],
                                                 question: str, page: str) -> None:
    base = make_base()
    status, output, sources = await ask(base, question)
    assert (status, output["status"]) == ("done", "done")
    assert sources[0] == page
    assert base.mode.mode == "hybrid"
    assert "POST /v1/embeddings" in server.requests


async def test_an_embeddings_fault_leaves_the_words(
    server: DemoServer, make_base: Callable[[], KnowledgeBase], clock: Clock
) -> None:
    server.faults.embeddings_status = 503
    base = make_base()
    status, output, sources = await ask(base, "cancel a meeting")
    assert (status, output["status"], sources[0]) == ("done", "done", "cancellation.md")
    assert (base.mode.mode, base.mode.reason) == ("lexical", "embeddings_failed")
    assert "HTTP 503" in base.mode.detail and base.mode.code == "server_error"  # Settings translates it
    status, output, _ = await ask(base, BOOKING_QUESTION)  # what the words alone miss: not an error
    assert status == "done" and output["status"] in ("done", "no_results")
    server.faults.embeddings_status = None  # the service is back: the next sync after the wait embeds
    clock.advance(30)
    await base.refresh()
    _, _, sources = await ask(base, BOOKING_QUESTION)
    assert sources[0] == "booking.md" and base.mode.mode == "hybrid"


async def test_azure_without_an_embeddings_deployment_is_lexical(server: DemoServer, index: KnowledgeIndex,
                                                                 worker: StoreWorker) -> None:
    config = SessionConfig(provider=ProviderKind.AZURE, endpoint=server.base_url, deployment="gpt-realtime",
                           api_key="az-test-key-0123456789")
    embedder = embeddings_client_for(config)
    assert embedder is None
    base = KnowledgeBase(index, worker, embedder=embedder, reason="no_deployment")
    status, output, sources = await ask(base, "cancel a meeting")
    assert (status, output["status"], sources[0]) == ("done", "done", "cancellation.md")
    assert (base.mode.mode, base.mode.reason) == ("lexical", "no_deployment")
    assert not any("embeddings" in request for request in server.requests)


async def test_a_slow_service_gets_the_words_answer_within_the_cap(
    server: DemoServer, make_base: Callable[[], KnowledgeBase], clock: Clock
) -> None:
    """The passages are embedded; then the service takes 4 s a request: a question waits about 1 s for
    its vector, then answers with the words (the generous limit here only catches a hang), and no
    embeddings request goes out until the wait after that failure is over."""
    base = make_base()
    await base.refresh()
    server.faults.embeddings_delay = 4.0  # the server finishes the abandoned request on stop
    async with asyncio.timeout(3.5):
        status, output, sources = await ask(base, "cancel a meeting")
    assert (status, output["status"], sources[0]) == ("done", "done", "cancellation.md")
    assert (base.mode.mode, base.mode.reason) == ("lexical", "embeddings_failed")
    assert "did not answer within 1 s" in base.mode.detail and base.mode.code == "embeddings_timeout"
    asked = len(server.requests)
    await ask(base, BOOKING_QUESTION)
    assert len(server.requests) == asked  # backing off: the question did not wait again
    server.faults.embeddings_delay = 0.0
    clock.advance(30)
    _, _, sources = await ask(base, BOOKING_QUESTION)
    assert sources[0] == "booking.md" and base.mode.mode == "hybrid"
