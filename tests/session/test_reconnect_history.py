"""Nothing is lost across calls: the session limit, a quiet-moment renewal, a confirmation open while
the call dropped, and a conversation that survives five drops in a row."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest

from desktop.realtime.config import ProviderKind
from desktop.session.events import (
    AssistantTranscript,
    ConnectionRenewed,
    ErrorRaised,
    SessionState,
    StateChanged,
    ToolActivity,
)
from desktop.session.reconnect import EXPIRED, RENEWAL
from desktop.tools.ports import ToolCall, ToolResult
from tests.session.conftest import RunningDemoServer
from tests.session.harness import CREATE_MEETING, assert_nothing_left
from tests.session.reconnecting import (
    QUICK,
    answered,
    arrived,
    client_events,
    items,
    renewed,
    start,
    texts,
)

BOOK = "Book a meeting called design review tomorrow at 3 pm for 30 minutes."


class GatedTools:
    """A confirmation that waits for the person (a future the test releases); books idempotently."""

    def __init__(self) -> None:
        self.gate: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.calls: list[ToolCall] = []
        self.stored: dict[str, str] = {}  # call_id -> meeting, like the registry's idempotent store

    def schemas(self) -> list[dict[str, object]]:
        return [CREATE_MEETING]

    async def execute(self, call: ToolCall) -> ToolResult:
        self.calls.append(call)
        await self.gate
        self.stored.setdefault(call.call_id, call.arguments)
        return ToolResult(call.call_id, json.dumps({"status": "created", "id": len(self.stored)}))


@pytest.mark.parametrize("kind", [ProviderKind.AZURE_PREVIEW, ProviderKind.AZURE])
async def test_the_session_limit_renews_the_call_with_the_conversation(
    demo: RunningDemoServer, kind: ProviderKind
) -> None:
    demo.server.faults.session_expiry_seconds = 3.0
    # No periodic watch within the test: a renewal before the limit would otherwise race the expiry.
    no_early_renewal = dataclasses.replace(QUICK, watch_interval=60.0)
    session, events = start(demo.config(kind, greet_first=False), no_early_renewal)
    await session.connect()
    session.send_text("Remember that the project is called Falcon.")
    await answered(events, 1)
    renewal = await renewed(events)
    demo.server.faults.session_expiry_seconds = None
    assert renewal.reason == EXPIRED
    await arrived(lambda: len(items(demo.server, 1)) == 2)
    assert texts(demo.server, 1, "user") == ["Remember that the project is called Falcon."]
    (assistant,) = [i for i in items(demo.server, 1) if i.get("role") == "assistant"]
    expected = "text" if kind is ProviderKind.AZURE_PREVIEW else "output_text"
    assert assistant["content"][0]["type"] == expected and assistant["content"][0]["text"]
    assert client_events(demo.server, 1, "response.create") == []
    assert not any(e.fatal for e in events.of(ErrorRaised))
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_renewal_at_a_quiet_moment_before_the_limit(demo: RunningDemoServer) -> None:
    policy = dataclasses.replace(QUICK, session_limit=4.0, renew_margin=1.5)
    session, events = start(demo.config(ProviderKind.OPENAI, greet_first=False), policy)
    await session.connect()
    session.send_text("Remember that the project is called Falcon.")
    renewal = await renewed(events)
    assert renewal.reason == RENEWAL
    index = events.events.index(renewal)
    # The answer had finished (the renewal waited for it) and nobody saw a reconnect.
    assert any(isinstance(e, AssistantTranscript) and e.final for e in events.events[:index])
    assert not [e for e in events.of(StateChanged) if e.state is SessionState.RECONNECTING]
    await arrived(lambda: len(items(demo.server, 1)) == 2)
    assert texts(demo.server, 1, "user") == ["Remember that the project is called Falcon."]
    await arrived(lambda: demo.server.sessions[0].closed)  # the old call is closed after the switch
    assert not any(e.code == "session_expired" for e in events.of(ErrorRaised))
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


@pytest.mark.parametrize("released", ["after the renewal", "while reconnecting"])
async def test_a_confirmation_open_during_a_drop_is_neither_lost_nor_doubled(
    demo: RunningDemoServer, released: str
) -> None:
    tools = GatedTools()
    session, events = start(demo.config(ProviderKind.OPENAI, greet_first=False), tools=tools)
    await session.connect()
    session.send_text(BOOK)
    await events.wait_for(ToolActivity, lambda e: e.status == "requested")
    await arrived(lambda: bool(tools.calls))
    demo.server.faults.mint_delay = 0.3
    await demo.server.close_all_calls()
    if released == "while reconnecting":
        await events.wait_for(StateChanged, lambda e: e.state is SessionState.RECONNECTING)
        tools.gate.set_result(True)
        await renewed(events)
    else:
        await renewed(events)
        tools.gate.set_result(True)
    done = await events.wait_for(ToolActivity, lambda e: e.status == "done")
    call_id = done.call_id
    await arrived(lambda: bool(client_events(demo.server, 1, "response.create")))
    sent = [(i["type"], i.get("call_id")) for i in items(demo.server, 1) if i["type"] != "message"]
    assert sent == [("function_call", call_id), ("function_call_output", call_id)]
    await answered(events, 1)  # the assistant says it is booked, on the new call
    assert len(tools.calls) == 1 and list(tools.stored) == [call_id]
    kinds = [e.event.get("item", {}).get("type") for e in demo.server.client_events]
    outputs = [kind for kind in kinds if kind == "function_call_output"]
    assert len(outputs) == 1
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_a_conversation_survives_five_drops_in_a_row(demo: RunningDemoServer) -> None:
    session, events = start(demo.config(ProviderKind.AZURE, greet_first=False))
    await session.connect()
    said = [f"Note number {n}: the room is {n}0{n}." for n in range(1, 6)]
    for n, text in enumerate(said, start=1):
        session.send_text(text)
        await answered(events, n)
        await demo.server.close_all_calls()
        await renewed(events, n)
    await arrived(lambda: len(items(demo.server, 5)) == 10)
    assert texts(demo.server, 5, "user") == said
    assert len(texts(demo.server, 5, "assistant")) == 5
    assert len(events.of(ConnectionRenewed)) == 5 and session.state is not SessionState.FAILED
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)
