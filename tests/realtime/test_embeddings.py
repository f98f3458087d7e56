"""The embeddings client against the demo server over real HTTP: the vectors' shape, batching,
dimensions, each provider's URL and auth, every failure as one sentence without the key, who makes the
vectors (`identity`), and one HTTP session per client, closed by `close`."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind, SessionConfig, Timeouts
from desktop.realtime.embeddings import EmbeddingsClient, embeddings_client_for, read_vectors
from desktop.realtime.errors import SessionError

API_KEY = "sk-embeddings-test-key-0123456789"
AZURE_DEPLOYMENT = "embed-small"
OPENED: list[EmbeddingsClient] = []  # the clients a test made, closed after it


@pytest.fixture
async def server() -> AsyncIterator[DemoServer]:
    demo = DemoServer(api_key=API_KEY, embeddings_deployment=AZURE_DEPLOYMENT)
    await demo.start()
    yield demo
    while OPENED:
        await OPENED.pop().close()
    await demo.stop()


def opened(made: EmbeddingsClient | None) -> EmbeddingsClient:
    assert made is not None
    OPENED.append(made)
    return made


def config(server: DemoServer, kind: ProviderKind = ProviderKind.OPENAI, **fields: object) -> SessionConfig:
    base = SessionConfig(provider=kind, endpoint=server.base_url, deployment="gpt-realtime", api_key=API_KEY)
    if kind in (ProviderKind.AZURE, ProviderKind.AZURE_PREVIEW):
        base = dataclasses.replace(base, embeddings_deployment=AZURE_DEPLOYMENT, webrtc_url=server.base_url)
    return dataclasses.replace(base, **fields)  # type: ignore[arg-type]


def client(
    server: DemoServer, kind: ProviderKind = ProviderKind.OPENAI, **fields: object
) -> EmbeddingsClient:
    return opened(embeddings_client_for(config(server, kind, **fields)))


def length(vector: list[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))


@pytest.mark.parametrize("kind", [ProviderKind.OPENAI, ProviderKind.AZURE, ProviderKind.AZURE_PREVIEW])
async def test_each_provider_gets_normalised_vectors_of_the_asked_dimensions(
    server: DemoServer, kind: ProviderKind
) -> None:
    embeddings = client(server, kind)
    vectors = await embeddings.embed(["预订规则", "how do I cancel a meeting"])
    assert embeddings.dimensions == 256 and len(vectors) == 2
    assert all(len(v) == 256 and math.isclose(length(v), 1.0) for v in vectors)
    azure_path = f"/openai/deployments/{AZURE_DEPLOYMENT}/embeddings"
    path = "/v1/embeddings" if kind is ProviderKind.OPENAI else azure_path
    assert server.requests[-1] == f"POST {path}"


async def test_the_defaults_and_the_demo_provider(server: DemoServer) -> None:
    openai = client(server)
    assert openai.model == "text-embedding-3-small" and openai.url == f"{server.base_url}/v1/embeddings"
    demo = opened(embeddings_client_for(SessionConfig(provider=ProviderKind.DEMO, endpoint=server.base_url)))
    server.api_key = "demo-key"
    assert len((await demo.embed(["会议室"]))[0]) == 256
    assert "sk-" not in repr(openai)


async def test_the_identity_names_who_makes_the_vectors(server: DemoServer) -> None:
    """The index keys the vectors by it: another resource's deployment of the same name is another."""
    host = server.base_url.removeprefix("http://")
    assert client(server).identity == "openai:text-embedding-3-small"
    large = "text-embedding-3-large"
    assert client(server, embeddings_model=large).identity == f"openai:{large}"
    # An Azure deployment's name is no OpenAI model: OpenAI keeps its own (the default here).
    assert client(server, embeddings_deployment="my-azure-embeddings").model == "text-embedding-3-small"
    assert client(server, ProviderKind.AZURE).identity == f"azure:{host}/{AZURE_DEPLOYMENT}"
    assert client(server, ProviderKind.AZURE_PREVIEW).identity == f"azure:{host}/{AZURE_DEPLOYMENT}"
    demo = opened(embeddings_client_for(SessionConfig(provider=ProviderKind.DEMO, endpoint=server.base_url)))
    assert demo.identity == "demo:text-embedding-3-small" and demo.model == "text-embedding-3-small"
    azure = SessionConfig(provider=ProviderKind.AZURE, endpoint="https://Res.openai.azure.com/",
                          api_key=API_KEY, embeddings_deployment="embed-small")
    assert opened(embeddings_client_for(azure)).identity == "azure:res.openai.azure.com/embed-small"


async def test_one_http_session_serves_every_request_until_close(server: DemoServer) -> None:
    embeddings = client(server)
    embeddings.batch_size = 1
    await embeddings.embed(["rooms", "limits"])
    session = embeddings._http
    assert session is not None
    await embeddings.embed(["booking"])
    assert embeddings._http is session and not session.closed
    await embeddings.close()
    assert session.closed and embeddings._http is None
    await embeddings.close()  # twice is fine


def test_azure_without_an_embeddings_deployment_has_no_client(server: DemoServer) -> None:
    assert embeddings_client_for(config(server, ProviderKind.AZURE, embeddings_deployment="")) is None


async def test_texts_go_in_batches_and_come_back_in_order(server: DemoServer) -> None:
    embeddings = client(server)
    embeddings.batch_size = 4
    texts = [f"passage {n}" for n in range(10)]
    before = len(server.requests)
    vectors = await embeddings.embed(texts)
    assert len(server.requests) - before == 3
    one_by_one = [(await embeddings.embed([text]))[0] for text in texts]
    assert vectors == one_by_one
    assert await embeddings.embed([]) == []


async def test_other_dimensions(server: DemoServer) -> None:
    made = opened(embeddings_client_for(config(server), dimensions=512))
    assert len((await made.embed(["rooms"]))[0]) == 512


def one_sentence(error: SessionError) -> str:
    text = str(error)
    own_words = text.split(" (HTTP")[0]  # the parenthesis quotes the service, which may say more
    assert API_KEY not in text and text.endswith(".") and ". " not in own_words
    return text


@pytest.mark.parametrize("kind", [ProviderKind.OPENAI, ProviderKind.AZURE])
async def test_a_refused_key_is_one_sentence(server: DemoServer, kind: ProviderKind) -> None:
    server.api_key = "sk-another-key-9876543210"
    with pytest.raises(SessionError) as caught:
        await client(server, kind).embed(["会议"])
    assert "rejected the key during the embeddings request" in one_sentence(caught.value)
    assert not caught.value.retryable


async def test_an_unknown_azure_deployment_is_named(server: DemoServer) -> None:
    with pytest.raises(SessionError) as caught:
        await client(server, ProviderKind.AZURE, embeddings_deployment="missing").embed(["会议"])
    assert "'missing'" in one_sentence(caught.value) and caught.value.code == "not_found"


@pytest.mark.parametrize("kind", [ProviderKind.OPENAI, ProviderKind.AZURE])
async def test_a_model_without_dimensions_says_which_models_take_them(
    server: DemoServer, kind: ProviderKind
) -> None:
    """text-embedding-ada-002 refuses `dimensions` for good (HTTP 400): one sentence naming the models."""
    ada = "text-embedding-ada-002"
    server.embeddings_deployment = ada  # the Azure deployment of that model
    named = {"embeddings_deployment": ada} if kind is ProviderKind.AZURE else {"embeddings_model": ada}
    with pytest.raises(SessionError) as caught:
        await client(server, kind, **named).embed(["会议"])
    assert one_sentence(caught.value) == (
        f"The model of '{ada}' does not take dimensions: use text-embedding-3-small or -large."
    )
    assert caught.value.code == "embeddings_no_dimensions" and not caught.value.retryable


@pytest.mark.parametrize(
    ("status", "code"), [(429, "rate_limited"), (500, "server_error"), (503, "server_error")]
)
async def test_service_failures_are_one_sentence(server: DemoServer, status: int, code: str) -> None:
    server.faults.embeddings_status = status
    with pytest.raises(SessionError) as caught:
        await client(server).embed(["会议"])
    assert caught.value.code == code and f"HTTP {status}" in one_sentence(caught.value)
    assert caught.value.retryable


async def test_an_unreachable_service_and_the_timeout_setting(server: DemoServer) -> None:
    url = server.base_url
    await server.stop()
    with pytest.raises(SessionError) as caught:
        await client(server).embed(["会议"])
    assert "Could not reach 127.0.0.1" in one_sentence(caught.value)
    server.base_url = url


async def test_a_silent_service_is_one_sentence(server: DemoServer) -> None:
    server.faults.embeddings_delay = 3.0  # the server still finishes it on stop
    quick_config = dataclasses.replace(config(server), timeouts=Timeouts(embeddings=0.2))
    quick = opened(embeddings_client_for(quick_config))
    with pytest.raises(SessionError) as caught:
        await quick.embed(["会议"])
    assert one_sentence(caught.value) == "OpenAI did not answer the embeddings request within 0.2 s."


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        '{"data": []}',
        '{"data": [{"index": 0, "embedding": [1.0, 0.0]}]}',  # 2 numbers, 3 asked for
        '{"data": [{"index": 0, "embedding": "1,2,3"}]}',
    ],
)
def test_a_malformed_reply_is_one_sentence(body: str) -> None:
    with pytest.raises(SessionError) as caught:
        read_vectors(body, 1, 3)
    assert one_sentence(caught.value).startswith("The service's answer to the embeddings request")


def test_vectors_come_back_in_their_index_order_and_normalised() -> None:
    body = '{"data": [{"index": 1, "embedding": [0, 2]}, {"index": 0, "embedding": [3, 4]}]}'
    assert read_vectors(body, 2, 2) == [[0.6, 0.8], [0.0, 1.0]]


def test_azure_urls_name_the_resource_the_deployment_and_the_version() -> None:
    pasted = "https://res.openai.azure.com/openai/realtimeapi/sessions?api-version=2025-04-01-preview"
    preview = SessionConfig(
        provider=ProviderKind.AZURE_PREVIEW, endpoint=pasted, api_key=API_KEY, embeddings_deployment="e 1"
    )
    made = embeddings_client_for(preview)
    assert made is not None
    assert made.url == "https://res.openai.azure.com/openai/deployments/e%201/embeddings?api-version=2024-10-21"


def test_a_missing_key_is_one_sentence(server: DemoServer) -> None:
    with pytest.raises(SessionError) as caught:
        embeddings_client_for(config(server, api_key=""))
    assert one_sentence(caught.value) == "No API key is configured for OpenAI."


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))  # both have length 1


def knowledge(name: str) -> str:
    return (Path(__file__).parents[2] / "resources" / "knowledge" / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("question", "near", "far"),
    [
        ("预订规则", "booking.md", "time-zones.md"),
        ("预订规则", "booking.md", "recording.md"),
        ("how do I cancel a meeting", "cancellation.md", "rooms.md"),
        ("how do I reserve a meeting", "booking.md", "limits.txt"),
        ("会议录像保存多久", "recording.md", "booking.md"),
    ],
)
async def test_the_demo_puts_paraphrases_near_each_other(
    server: DemoServer, question: str, near: str, far: str
) -> None:
    """A stand-in for a model (desktop/demo/concepts.py), but one the hybrid search can be tested with."""
    asked, close, unrelated = await client(server).embed([question, knowledge(near), knowledge(far)])
    assert cosine(asked, close) > cosine(asked, unrelated) + 0.05


@pytest.mark.parametrize(
    ("question", "best"),
    [
        ("知识库里关于预订规则怎么说", "booking.md"),
        ("how do I cancel a meeting", "cancellation.md"),
        ("which room has a projector", "rooms.md"),
        ("时差怎么算", "time-zones.md"),
    ],
)
async def test_the_demo_ranks_the_sample_file_that_answers_first(
    server: DemoServer, question: str, best: str
) -> None:
    names = sorted(path.name for path in (Path(__file__).parents[2] / "resources" / "knowledge").iterdir())
    asked, *files = await client(server).embed([question, *(knowledge(name) for name in names)])
    ranked = sorted(names, key=lambda name: -cosine(asked, files[names.index(name)]))
    assert ranked[0] == best
