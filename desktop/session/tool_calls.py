"""The function calls of each response, from request to one batch of outputs.

Each call is handled once (it arrives both as `function_call_arguments.done` and as
`output_item.done`), runs as its own task, and once the response that asked has ended and every
call has a result, all outputs go back together, followed by a single request for a new response.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from desktop.session.events import AppEvent, ToolActivity
from desktop.tools import ToolCall, ToolExecutor, ToolResult

Spawn = Callable[[Coroutine[Any, Any, None]], None]
Deliver = Callable[[list[ToolResult]], None]


@dataclass(slots=True)
class _Round:
    calls: dict[str, ToolCall] = field(default_factory=dict)
    results: dict[str, ToolResult] = field(default_factory=dict)
    ended: bool = False


def _failed(call: ToolCall, message: str) -> ToolResult:
    return ToolResult(call.call_id, json.dumps({"error": message}, ensure_ascii=False), status="failed")


class ToolCalls:
    def __init__(
        self, tools: ToolExecutor | None, emit: Callable[[AppEvent], None], spawn: Spawn, deliver: Deliver
    ) -> None:
        self._tools = tools
        self._emit = emit
        self._spawn = spawn
        self._deliver = deliver
        self._rounds: dict[str, _Round] = {}
        self._seen: set[str] = set()

    @property
    def pending(self) -> bool:
        return bool(self._rounds)

    def request(self, response_id: str, call_id: str, name: str, arguments: str) -> None:
        if not call_id or call_id in self._seen:
            return
        self._seen.add(call_id)
        call = ToolCall(call_id, name, arguments)
        self._rounds.setdefault(response_id, _Round()).calls[call_id] = call
        self._emit(ToolActivity(call_id, name, arguments, "requested"))
        self._spawn(self._run(response_id, call))

    def response_ended(self, response_id: str, output: list[dict[str, Any]]) -> None:
        # Calls a filtered or reordered stream only reported inside response.done still count.
        for item in output:
            if item.get("type") == "function_call":
                self.request(
                    response_id,
                    str(item.get("call_id") or ""),
                    str(item.get("name") or ""),
                    str(item.get("arguments") or ""),
                )
        batch = self._rounds.get(response_id)
        if batch is not None:
            batch.ended = True
            self._finish(response_id)

    def connection_lost(self) -> None:
        """The responses that asked are gone with their call; the calls themselves keep running (a
        confirmation dialog stays open) and their outputs go back once each one has a result."""
        for response_id in list(self._rounds):
            self._rounds[response_id].ended = True
            self._finish(response_id)

    async def _run(self, response_id: str, call: ToolCall) -> None:
        if self._tools is None:
            result = _failed(call, "No tools are available in this session.")
        else:
            try:
                result = await self._tools.execute(call)
            except Exception as exc:  # the port promises not to raise; a bug must not lose the turn
                result = _failed(call, f"The tool failed: {type(exc).__name__}.")
        self._emit(
            ToolActivity(
                call.call_id, call.name, call.arguments, result.status, result.output, result.sources
            )
        )
        batch = self._rounds.get(response_id)
        if batch is not None:
            batch.results[call.call_id] = result
            self._finish(response_id)

    def _finish(self, response_id: str) -> None:
        batch = self._rounds[response_id]
        if not batch.ended or len(batch.results) < len(batch.calls):
            return
        del self._rounds[response_id]
        self._deliver([batch.results[call_id] for call_id in batch.calls])
