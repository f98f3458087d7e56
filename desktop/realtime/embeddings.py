"""Embeddings from the configured service: the vectors hybrid knowledge search ranks passages with.

OpenAI (and the demo server) take `POST {base}/v1/embeddings` with `Authorization: Bearer KEY` and a
model; Azure takes `POST {resource}/openai/deployments/{deployment}/embeddings?api-version=…` with
`api-key: KEY`, on an embeddings deployment beside the realtime one. Texts go in batches; each vector
comes back normalised to length 1 with `dimensions` components. The API key goes only to that URL
(no redirects); every failure is one SessionError sentence, the key masked out of it.

A client keeps one HTTP session (its connections, TLS included) for all its requests, made on the first
request in the running loop and ended by `close`. Its `identity` names who makes the vectors
(`openai:{model}`, `azure:{host}/{deployment}`, `demo:{model}`): the knowledge index keys them by it.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp

from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.errors import SessionError, http_failure
from desktop.realtime.http_post import post
from desktop.realtime.masking import Masker
from desktop.realtime.providers import DEMO_API_KEY, checked_endpoint, provider_name, unreachable

log = logging.getLogger(__name__)

EMBEDDINGS_API_VERSION = "2024-10-21"
DEFAULT_EMBEDDINGS_MODEL = "text-embedding-3-small"
DEFAULT_DIMENSIONS = 256
BATCH_SIZE = 128  # inputs per request; the services take up to 2048
STEP = "embeddings request"

_AZURE = (ProviderKind.AZURE, ProviderKind.AZURE_PREVIEW)


class EmbeddingsClient:
    """Turns texts into normalised vectors through one service's embeddings endpoint."""

    def __init__(
        self,
        *,
        service: str,
        url: str,
        api_key: str,
        model: str,
        identity: str = "",
        azure: bool = False,
        dimensions: int = DEFAULT_DIMENSIONS,
        timeout: float = 10.0,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.service = service  # "OpenAI", "Azure OpenAI", "the demo server": for the sentences
        self.url = url
        self.model = model  # the OpenAI model or the Azure deployment
        self.identity = identity or f"{url}#{model}"  # who makes the vectors (`embeddings_client_for`)
        self.dimensions = dimensions
        self.timeout = timeout
        self.batch_size = batch_size
        self._azure = azure
        self._api_key = api_key
        self._masker = Masker([api_key])
        self._http: aiohttp.ClientSession | None = None  # one session for every request, until `close`

    def __repr__(self) -> str:  # never the key
        return f"EmbeddingsClient({self.service!r}, model={self.model!r}, dimensions={self.dimensions})"

    async def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order; [] for no texts. Raises SessionError (one sentence)."""
        if not texts:
            return []
        http = self._session()
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            vectors += await self._batch(http, texts[start : start + self.batch_size])
        return vectors

    async def close(self) -> None:
        """Ends the HTTP session (a later `embed` would open a new one)."""
        http, self._http = self._http, None
        if http is not None:
            await http.close()

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession()  # in the running loop: embed is awaited there
        return self._http

    def _headers(self) -> dict[str, str]:
        if self._azure:
            return {"api-key": self._api_key, "Content-Type": "application/json"}
        return {"Authorization": f"Bearer {self._api_key}", "Content-Type": "application/json"}

    def _body(self, batch: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"input": batch, "dimensions": self.dimensions}
        if not self._azure:  # Azure names the model by the deployment in the URL
            body["model"] = self.model
        return body

    async def _batch(self, http: aiohttp.ClientSession, batch: list[str]) -> list[list[float]]:
        answer = await post(
            http, self.url, limit=self.timeout, what="embeddings request", json=self._body(batch),
            headers=self._headers(), masked=self._masker.text,
            timed_out=lambda: SessionError(
                f"{self.service} did not answer the {STEP} within {self.timeout:g} s.",
                code="embeddings_timeout"),
            unreachable=lambda: unreachable(self.url),
        )
        status, body, wait = answer.status, answer.body, answer.wait
        if rejects_dimensions(status, body):
            raise SessionError(
                f"The model of '{self.model}' does not take dimensions: "
                "use text-embedding-3-small or -large.",
                code="embeddings_no_dimensions",
                retryable=False,
            )
        if not 200 <= status < 300:
            masked = self._masker.text(body)
            raise http_failure(STEP, status, masked, target=self.model, retry_after=wait)
        return read_vectors(body, len(batch), self.dimensions)


def rejects_dimensions(status: int, body: str) -> bool:
    """The 400 of a model with fixed dimensions (text-embedding-ada-002: "This model does not support
    specifying dimensions."): asking again never helps, another model does."""
    said = body.lower()
    return status == 400 and "dimensions" in said and "not support" in said


def read_vectors(body: str, count: int, dimensions: int) -> list[list[float]]:
    """The `data[].embedding` lists of a reply, ordered by `index` and normalised; SessionError if the
    reply does not hold `count` vectors of `dimensions` numbers."""
    try:
        data: Any = json.loads(body)
        items = sorted(data["data"], key=lambda item: int(item["index"]))
        vectors = [[float(x) for x in item["embedding"]] for item in items]
    except (ValueError, KeyError, TypeError):
        vectors = []
    if len(vectors) != count or any(len(vector) != dimensions for vector in vectors):
        raise SessionError(
            f"The service's answer to the {STEP} did not hold {count} vectors of {dimensions} numbers.",
            code="embeddings_malformed",
        )
    return [normalised(vector) for vector in vectors]


def normalised(vector: list[float]) -> list[float]:
    """`vector` scaled to length 1 (a zero vector stays zero)."""
    length = math.sqrt(math.fsum(x * x for x in vector))
    return [x / length for x in vector] if length > 0 else vector


def embeddings_client_for(
    config: SessionConfig, *, dimensions: int = DEFAULT_DIMENSIONS
) -> EmbeddingsClient | None:
    """The client for the configured service, or None where it has no embeddings (Azure without an
    embeddings deployment). Raises SessionError for a missing key or a malformed endpoint."""
    kind = config.provider
    # The stored deployment is Azure's only; OpenAI's model comes from OPENAI_EMBEDDINGS_MODEL or the default.
    name = config.embeddings_deployment.strip() if kind in _AZURE else config.embeddings_model.strip()
    if kind in _AZURE and not name:
        return None
    endpoint = checked_endpoint(config)
    api_key = config.api_key or (DEMO_API_KEY if kind is ProviderKind.DEMO else "")
    if not api_key:
        raise SessionError(
            f"No API key is configured for {provider_name(kind)}.", code="not_configured", retryable=False
        )
    if kind in _AZURE:
        resource = endpoint.split("/openai/")[0]  # a pasted preview sessions URL names the resource too
        deployment = quote(name, safe="")
        url = f"{resource}/openai/deployments/{deployment}/embeddings?api-version={EMBEDDINGS_API_VERSION}"
        identity = f"azure:{urlsplit(resource).netloc.lower()}/{name}"
    else:
        url, name = f"{endpoint}/v1/embeddings", name or DEFAULT_EMBEDDINGS_MODEL
        identity = f"{'demo' if kind is ProviderKind.DEMO else 'openai'}:{name}"
    return EmbeddingsClient(
        service=provider_name(kind),
        url=url,
        api_key=api_key,
        model=name,
        identity=identity,
        azure=kind in _AZURE,
        dimensions=dimensions,
        timeout=config.timeouts.embeddings,
    )
