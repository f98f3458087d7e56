"""One batch of outputs per response, each call handled once, calls running side by side."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any

from desktop.session.events import AppEvent, ToolActivity
from desktop.session.tool_calls import ToolCalls
from desktop.tools.ports import ToolCall, ToolResult


class SlowTools:
    """Finishes calls in the reverse order they started; `running` shows they overlap."""

    def __init__(self) -> None:
        self.running = 0
        self.most_at_once = 0

    def schemas(self) -> list[dict[str, Any]]:
        return []

    async def execute(self, call: ToolCall) -> ToolResult:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        await asyncio.sleep(0.05 if call.name == "first" else 0.01)
        self.running -= 1
        if call.name == "broken":
            raise RuntimeError("bug")
        if call.name == "declined":
            return ToolResult(call.call_id, json.dumps({"declined": True}), status="declined")
        return ToolResult(call.call_id, json.dumps({"name": call.name}))


class Harness:
    def __init__(self, tools: SlowTools | None) -> None:
        self.events: list[AppEvent] = []
        self.batches: list[list[ToolResult]] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.calls = ToolCalls(tools, self.events.append, self.spawn, self.batches.append)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self.tasks.add(asyncio.get_running_loop().create_task(work))

    async def settle(self) -> None:
        await asyncio.gather(*self.tasks)


async def test_outputs_wait_for_the_response_and_every_call() -> None:
    tools = SlowTools()
    harness = Harness(tools)
    harness.calls.request("r1", "c1", "first", "{}")
    harness.calls.request("r1", "c1", "first", "{}")  # the same call from output_item.done
    harness.calls.request("r1", "c2", "second", "{}")
    await harness.settle()
    assert harness.batches == []  # the response has not ended yet
    assert harness.calls.pending
    harness.calls.response_ended("r1", [{"type": "function_call", "call_id": "c2", "name": "second"}])
    assert [[r.call_id for r in batch] for batch in harness.batches] == [["c1", "c2"]]
    assert tools.most_at_once == 2 and not harness.calls.pending
    statuses = [(e.call_id, e.status) for e in harness.events if isinstance(e, ToolActivity)]
    assert statuses == [("c1", "requested"), ("c2", "requested"), ("c2", "done"), ("c1", "done")]


async def test_declined_broken_and_missing_tools_become_results() -> None:
    harness = Harness(SlowTools())
    harness.calls.request("r1", "c1", "declined", "{}")
    harness.calls.request("r1", "c2", "broken", "{}")
    harness.calls.response_ended("r1", [])
    await harness.settle()
    (batch,) = harness.batches
    assert [r.status for r in batch] == ["declined", "failed"]
    assert "RuntimeError" in json.loads(batch[1].output)["error"]
    without = Harness(None)
    without.calls.request("r2", "c3", "anything", "{}")
    without.calls.response_ended("r2", [])
    await without.settle()
    assert without.batches[0][0].status == "failed"


async def test_calls_only_reported_in_response_done_still_run() -> None:
    harness = Harness(SlowTools())
    harness.calls.response_ended("r1", [{"type": "function_call", "call_id": "c9", "name": "second"}])
    await harness.settle()
    assert [r.call_id for r in harness.batches[0]] == ["c9"]
