"""What the session needs from tools, and what tools need from the person (a confirmation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol


@dataclass(frozen=True, slots=True)
class ToolCall:
    call_id: str
    name: str
    arguments: str  # the raw JSON string from the model; may be anything


@dataclass(frozen=True, slots=True)
class ToolResult:
    call_id: str
    output: str  # what goes into function_call_output (JSON-encoded)
    status: Literal["done", "declined", "failed"] = "done"
    sources: tuple[str, ...] = ()


class ToolExecutor(Protocol):
    def schemas(self) -> list[dict[str, Any]]:
        """The `session.tools` entries."""
        ...

    async def execute(self, call: ToolCall) -> ToolResult:
        """Never raises: bad arguments and unknown tools become a failed result the model can read."""
        ...


@dataclass(frozen=True, slots=True)
class ConfirmationRequest:
    """What the person is asked to approve. `fields` are editable values (e.g. title, start, duration,
    a series' recurrence); for an occurrence of a series to cancel, `scope` ("occurrence" or "series")
    is the choice offered first."""

    kind: Literal["create_meeting", "cancel_meeting"]
    fields: dict[str, Any]
    warnings: tuple[str, ...] = ()
    call_id: str = ""


@dataclass(frozen=True, slots=True)
class ConfirmationAnswer:
    approved: bool
    fields: dict[str, Any] = field(default_factory=dict)  # as edited by the person


class Confirmer(Protocol):
    async def confirm(self, request: ConfirmationRequest) -> ConfirmationAnswer: ...


class Embedder(Protocol):
    """Turns texts into vectors (the knowledge base's hybrid search). Implemented outside tools (the
    service's embeddings endpoint); any error it raises makes the search fall back to words only."""

    model: str  # the model or deployment, as Settings shows it
    # Who makes the vectors ("openai:{model}", "azure:{host}/{deployment}", "demo:{model}"): the index
    # keys the vectors by it, so vectors of another service or resource are never mixed in.
    identity: str
    dimensions: int

    async def embed(self, texts: list[str]) -> list[list[float]]:
        """One normalised vector of `dimensions` floats per text, in order; raises when the service
        fails, or does not answer within the embedder's own timeout."""
        ...

    async def close(self) -> None:
        """Releases the connection to the service (the embedder is not used again)."""
        ...
