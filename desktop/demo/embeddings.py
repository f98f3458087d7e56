"""The embeddings endpoints the demo server answers, as OpenAI and Azure shape them:

| provider          | path                                                          | auth           |
|-------------------|---------------------------------------------------------------|----------------|
| openai (and demo) | /v1/embeddings, body names the model                          | Bearer KEY     |
| azure (both)      | /openai/deployments/{deployment}/embeddings?api-version=…     | api-key: KEY   |

The vectors come from desktop/demo/concepts.py: a deterministic stand-in, not a model.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from aiohttp import web

from desktop.demo.auth import error_response, forced_error
from desktop.demo.concepts import embedding
from desktop.demo.endpoints import ServedProvider, check_api_key, wait_headers

if TYPE_CHECKING:
    from desktop.demo.server import DemoServer

OPENAI_PATH = "/v1/embeddings"
AZURE_PATH = "/openai/deployments/{deployment}/embeddings"
EMBEDDINGS_MODELS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
FIXED_DIMENSIONS = {"text-embedding-ada-002"}  # takes no `dimensions` (nor an Azure deployment named so)
MAX_INPUTS = 2048


def embedding_routes(server: DemoServer) -> list[web.RouteDef]:
    async def openai(request: web.Request) -> web.Response:
        return await _embeddings(server, ServedProvider.OPENAI, request)

    async def azure(request: web.Request) -> web.Response:
        return await _embeddings(server, ServedProvider.AZURE, request)

    return [web.post(OPENAI_PATH, openai), web.post(AZURE_PATH, azure)]


async def _embeddings(server: DemoServer, provider: ServedProvider, request: web.Request) -> web.Response:
    faults = server.faults
    if faults.embeddings_delay:
        await asyncio.sleep(faults.embeddings_delay)
    if faults.embeddings_status is not None:
        return forced_error(
            faults.embeddings_status, quota=faults.quota_exhausted, headers=wait_headers(faults)
        )
    problem = check_api_key(server, provider, request) or _model_problem(server, provider, request)
    if problem is not None:
        return problem
    try:
        body: Any = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return error_response(400, "The body must be a JSON object.", code="invalid_json")
    model = request.match_info.get("deployment") or body.get("model")
    if provider is ServedProvider.OPENAI and model not in EMBEDDINGS_MODELS:
        sentence = f"The model '{model}' does not exist or you do not have access to it."
        return error_response(404, sentence, code="model_not_found", param="model")
    if model in FIXED_DIMENSIONS and "dimensions" in body:
        return error_response(400, "This model does not support specifying dimensions.", code=None)
    texts, dimensions = _inputs(body.get("input")), body.get("dimensions", 1536)
    if texts is None:
        return error_response(
            400, f"'input' must be a string or a list of 1 to {MAX_INPUTS} non-empty strings.",
            code="invalid_value", param="input",
        )  # fmt: skip
    if not isinstance(dimensions, int) or isinstance(dimensions, bool) or not 1 <= dimensions <= 1536:
        return error_response(
            400, "'dimensions' must be an integer from 1 to 1536.", code="invalid_value", param="dimensions"
        )
    return web.json_response(_reply(texts, dimensions, str(model)))


def _model_problem(server: DemoServer, provider: ServedProvider, request: web.Request) -> web.Response | None:
    """Azure: the api-version query is required and the deployment must exist."""
    if provider is ServedProvider.OPENAI:
        return None
    if request.query.get("api-version") is None:
        return error_response(
            404, "The api-version query parameter (?api-version=) is required for all requests.", code="404"
        )
    if request.match_info["deployment"] != server.embeddings_deployment:
        return error_response(
            404,
            "The API deployment for this resource does not exist. If you created the deployment within the "
            "last 5 minutes, please wait a moment and try again.",
            code="DeploymentNotFound",
        )
    return None


def _inputs(value: Any) -> list[str] | None:
    texts = [value] if isinstance(value, str) else value
    if not isinstance(texts, list) or not 1 <= len(texts) <= MAX_INPUTS:
        return None
    if not all(isinstance(text, str) and text for text in texts):
        return None
    return texts


def _reply(texts: list[str], dimensions: int, model: str) -> dict[str, Any]:
    tokens = sum(len(text) for text in texts)  # a rough count: the demo bills nothing
    data = [
        {"object": "embedding", "index": index, "embedding": embedding(text, dimensions)}
        for index, text in enumerate(texts)
    ]
    return {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
