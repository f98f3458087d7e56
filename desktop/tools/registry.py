"""The tools the assistant can call: declaration, schema for `session.tools`, and safe execution.

`execute` never raises. Arguments are checked against the schema before the handler runs; bad
arguments, unknown tools and handler failures all come back as a failed result whose JSON output
tells the model what went wrong so it can ask the person again. A call_id that is executed twice
(after a reconnection, or a duplicate event) gets the first execution's result, not a second action.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from desktop.tools.ports import ToolCall, ToolResult
from desktop.tools.validation import ArgumentError, parse_arguments

log = logging.getLogger(__name__)

REMEMBERED_RESULTS = 256


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a handler returns; the registry turns it into a ToolResult."""

    payload: dict[str, Any]
    status: Literal["done", "declined", "failed"] = "done"
    sources: tuple[str, ...] = ()


Handler = Callable[[dict[str, Any], str], Awaitable[Outcome]]  # (arguments, call_id)


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    handler: Handler = field(compare=False)
    needs_confirmation: bool = False

    def schema(self) -> dict[str, Any]:
        return {"type": "function", "name": self.name, "description": self.description,
                "parameters": self.parameters}


def to_json(payload: dict[str, Any]) -> str:
    """Readable JSON (Chinese stays Chinese), falling back to ASCII escapes when a value holds
    text that cannot be encoded as UTF-8 (a lone surrogate echoed from the input)."""
    text = json.dumps(payload, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(payload, default=str)
    return text


def failure(call_id: str, kind: str, message: str) -> ToolResult:
    payload = {"status": kind, "error": message,
               "hint": "Tell the person briefly what was wrong and ask for the missing or corrected details."}
    return ToolResult(call_id=call_id, output=to_json(payload), status="failed")


class ToolRegistry:
    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        self._results: OrderedDict[str, asyncio.Future[ToolResult]] = OrderedDict()
        for tool in tools:
            self.add(tool)

    def add(self, tool: Tool) -> None:
        if tool.name in self._tools:
            raise ValueError(f"tool {tool.name!r} is declared twice")
        self._tools[tool.name] = tool

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def schemas(self) -> list[dict[str, Any]]:
        return [tool.schema() for tool in self._tools.values()]

    async def execute(self, call: ToolCall) -> ToolResult:
        remembered = self._results.get(call.call_id) if call.call_id else None
        if remembered is not None:
            try:
                return await asyncio.shield(remembered)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise  # we are being cancelled ourselves
                # The first execution was abandoned while we waited: run the call here.
        future: asyncio.Future[ToolResult] = asyncio.get_running_loop().create_future()
        if call.call_id:
            self._remember(call.call_id, future)
        try:
            result = await self._run(call)
        except asyncio.CancelledError:
            # The caller went away (session closed): a later retry must run it afresh.
            self._results.pop(call.call_id, None)
            future.cancel()
            raise
        if result.status == "failed":
            self._results.pop(call.call_id, None)  # a failed call may succeed when retried
        future.set_result(result)
        return result

    def _remember(self, call_id: str, future: asyncio.Future[ToolResult]) -> None:
        self._results[call_id] = future
        while len(self._results) > REMEMBERED_RESULTS:
            self._results.popitem(last=False)

    async def _run(self, call: ToolCall) -> ToolResult:
        tool = self._tools.get(call.name)
        if tool is None:
            known = ", ".join(self._tools)
            return failure(call.call_id, "unknown_tool", f"There is no tool named {call.name[:80]!r}; "
                           f"the tools are: {known}.")
        try:
            arguments = parse_arguments(call.arguments, tool.parameters)
            outcome = await tool.handler(arguments, call.call_id)
        except ArgumentError as exc:
            return failure(call.call_id, "invalid_arguments", str(exc))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("tool %s failed", tool.name)
            message = f"{tool.name} failed unexpectedly and may not have completed."
            return failure(call.call_id, "error", message)
        return ToolResult(call_id=call.call_id, output=to_json(outcome.payload), status=outcome.status,
                          sources=outcome.sources)
