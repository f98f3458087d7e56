"""The registry never raises: any name, any argument text, any handler failure becomes a readable
failed result; schemas go out as `session.tools`; a call_id runs once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.storage.meetings import MeetingStore
from desktop.tools.ports import ToolCall
from desktop.tools.registry import Outcome, Tool, ToolRegistry
from tests.tools.fakes import ScriptedConfirmer

ECHO_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"n": {"type": "integer", "minimum": 1, "maximum": 10}, "word": {"type": "string"}},
    "required": ["n"],
    "additionalProperties": False,
}


def echo_registry(log: list[dict[str, Any]]) -> ToolRegistry:
    async def echo(arguments: dict[str, Any], call_id: str) -> Outcome:
        log.append(arguments)
        return Outcome({"status": "done", "echo": arguments})

    async def broken(arguments: dict[str, Any], call_id: str) -> Outcome:
        raise RuntimeError("database exploded with secret details")

    return ToolRegistry([
        Tool("echo", "Echoes.", ECHO_SCHEMA, echo),
        Tool("broken", "Fails.", {"type": "object", "properties": {}}, broken, needs_confirmation=True),
    ])


def test_schemas_are_session_tools() -> None:
    (echo, broken) = echo_registry([]).schemas()
    assert echo == {"type": "function", "name": "echo", "description": "Echoes.", "parameters": ECHO_SCHEMA}
    assert broken["name"] == "broken"


def test_meeting_and_knowledge_schemas_are_plain_json(registry: ToolRegistry) -> None:
    names = [s["name"] for s in registry.schemas()]
    assert names == ["createMeeting", "listMeetings", "cancelMeeting"]
    create = registry.schemas()[0]["parameters"]
    assert create["required"] == ["start_time", "duration", "title"]
    assert create["properties"]["duration"]["type"] == "integer"
    json.dumps(registry.schemas())
    assert registry.get("createMeeting").needs_confirmation  # type: ignore[union-attr]


async def test_failures_are_results_the_model_can_read() -> None:
    log: list[dict[str, Any]] = []
    registry = echo_registry(log)
    cases = {
        "unknown": ToolCall("1", "nope", "{}"),
        "not json": ToolCall("2", "echo", "{'n': 1}"),
        "not an object": ToolCall("3", "echo", "[1, 2]"),
        "missing": ToolCall("4", "echo", "{}"),
        "extra": ToolCall("5", "echo", '{"n": 1, "m": 2}'),
        "wrong type": ToolCall("6", "echo", '{"n": true}'),
        "too big": ToolCall("7", "echo", '{"n": 11}'),
        "nan": ToolCall("8", "echo", '{"n": NaN}'),
        "deep": ToolCall("9", "echo", "[" * 100_000),
        "handler": ToolCall("10", "broken", "{}"),
    }
    for label, call in cases.items():
        result = await registry.execute(call)
        assert result.status == "failed", label
        assert result.call_id == call.call_id
        body = json.loads(result.output)
        assert body["error"] and body["hint"], label
    assert "secret" not in (await registry.execute(ToolCall("11", "broken", "{}"))).output
    assert log == []
    integral = await registry.execute(ToolCall("12", "echo", '{"n": 2.0}'))
    assert json.loads(integral.output)["echo"] == {"n": 2}


async def test_a_call_id_runs_once_even_when_executed_concurrently() -> None:
    runs = 0
    gate = asyncio.Event()

    async def slow(arguments: dict[str, Any], call_id: str) -> Outcome:
        nonlocal runs
        runs += 1
        await gate.wait()
        return Outcome({"status": "done", "run": runs})

    registry = ToolRegistry([Tool("slow", "", {"type": "object"}, slow)])
    first = asyncio.create_task(registry.execute(ToolCall("same", "slow", "{}")))
    second = asyncio.create_task(registry.execute(ToolCall("same", "slow", "{}")))
    await asyncio.sleep(0)
    gate.set()
    assert (await first) == (await second)
    assert runs == 1
    third = await registry.execute(ToolCall("other", "slow", "{}"))
    assert json.loads(third.output)["run"] == 2


async def test_a_cancelled_execution_can_be_retried() -> None:
    gate = asyncio.Event()

    async def wait(arguments: dict[str, Any], call_id: str) -> Outcome:
        await gate.wait()
        return Outcome({"status": "done"})

    registry = ToolRegistry([Tool("wait", "", {"type": "object"}, wait)])
    task = asyncio.create_task(registry.execute(ToolCall("c", "wait", "{}")))
    await asyncio.sleep(0)
    task.cancel()
    gate.set()
    assert (await registry.execute(ToolCall("c", "wait", "{}"))).status == "done"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
hostile_fields = st.fixed_dictionaries(
    {},
    optional={
        "start_time": st.one_of(st.text(max_size=40), st.sampled_from(
            ["2025-02-30 10:00:00", "2025-09-09 25:00:00", "0000-01-01 00:00:00", "2025-09-09 15:30:00",
             "2025-09-09T15:30", "2025-9-9 15:30:00"]), json_values),
        "duration": st.one_of(
            st.integers(-10**6, 10**6), st.sampled_from([0, -1, 1441, 60, 1440]), json_values
        ),
        "title": st.one_of(st.text(max_size=260), st.sampled_from(["", "x" * 201, "a\x00b", "周会\n"])),
        "meeting_id": st.one_of(st.integers(-5, 10**30), json_values),
        "date": st.one_of(st.text(max_size=12), st.sampled_from(["2025-02-30", "2025-09-09", "9999-12-31"])),
        "from_date": st.one_of(
            st.text(max_size=12), st.sampled_from(["2025-09-09", "2025-02-29", "9999-12-31"])
        ),
        "to_date": st.one_of(st.text(max_size=12), st.sampled_from(["2025-09-10", "1999-01-01"])),
        "extra": json_values,
    },
)
raw_arguments = st.one_of(
    hostile_fields.map(lambda d: json.dumps(d, ensure_ascii=False)),
    json_values.map(json.dumps),
    st.text(max_size=80),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(["createMeeting", "listMeetings", "cancelMeeting", "nope", ""]), raw=raw_arguments
)
def test_hostile_calls_never_raise_and_store_only_what_was_confirmed(
    registry: ToolRegistry, store: MeetingStore, confirmer: ScriptedConfirmer, name: str, raw: str
) -> None:
    before = len(store.all())
    asked = len(confirmer.requests)
    # The tool's name is part of the id: outcomes are kept per call id, and two examples that differ
    # only in the tool would otherwise get the first one's outcome back.
    call_id = f"h{before}-{asked}-{name}-{hash(raw)}"
    result = asyncio.run(registry.execute(ToolCall(call_id, name, raw)))
    body = json.loads(result.output)
    result.output.encode("utf-8")  # sendable over the data channel
    assert isinstance(body, dict) and body.get("status")
    assert body["status"] != "error", body  # bad input is explained, never a handler crash
    after = len(store.all())
    if name == "createMeeting" and result.status == "done":
        assert after == before + 1 and len(confirmer.requests) == asked + 1
    elif name == "cancelMeeting" and result.status == "done":
        assert after == before - 1
    else:
        assert after == before
    if result.status == "failed" and name != "cancelMeeting":
        assert len(confirmer.requests) == asked  # bad input never reaches the person
