"""What the reconnection tests share: a quick retry policy and a look at what each server call got."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.demo.server import DemoServer
from desktop.realtime.config import SessionConfig
from desktop.session.events import AssistantTranscript, ConnectionRenewed, SessionState, StateChanged
from desktop.session.reconnect import ReconnectPolicy
from desktop.session.voice_session import VoiceSession
from desktop.tools.ports import ToolExecutor
from tests.session.harness import Collector

QUICK = ReconnectPolicy(max_attempts=4, first_delay=0.05, max_delay=0.2, watch_interval=0.2)


def start(
    config: SessionConfig, policy: ReconnectPolicy = QUICK, tools: ToolExecutor | None = None
) -> tuple[VoiceSession, Collector]:
    session = VoiceSession(config, SyntheticMicrophone(), RecordingSpeaker(), tools, reconnect=policy)
    return session, Collector(session)


def client_events(server: DemoServer, call: int, kind: str = "") -> list[dict[str, Any]]:
    """The events server call number `call` received (optionally only those of type `kind`)."""
    session_id = server.sessions[call].session_id
    return [
        r.event
        for r in server.client_events
        if r.session_id == session_id and (not kind or r.event.get("type") == kind)
    ]


def items(server: DemoServer, call: int) -> list[dict[str, Any]]:
    return [e["item"] for e in client_events(server, call, "conversation.item.create")]


def texts(server: DemoServer, call: int, role: str) -> list[str]:
    return [
        part.get("text", "")
        for item in items(server, call)
        if item.get("type") == "message" and item.get("role") == role
        for part in item["content"]
    ]


async def answered(events: Collector, count: int) -> None:
    """Until `count` assistant answers have been completed (not interrupted)."""
    await events.wait_for(
        AssistantTranscript,
        lambda _e: len([a for a in events.of(AssistantTranscript) if a.final and not a.interrupted]) >= count,
    )


async def renewed(events: Collector, count: int = 1, limit: float = 10.0) -> ConnectionRenewed:
    return await events.wait_for(
        ConnectionRenewed, lambda _e: len(events.of(ConnectionRenewed)) >= count, limit=limit
    )


def reconnect_states(events: Collector) -> list[str]:
    return [e.detail for e in events.of(StateChanged) if e.state is SessionState.RECONNECTING]


async def arrived(test: Callable[[], bool], limit: float = 5.0) -> None:
    """Until the server has received what the client sent (the data channel takes a moment)."""
    async with asyncio.timeout(limit):
        for _tick in itertools.count():  # the server side has no event to wait on
            if test():
                return
            await asyncio.sleep(0.02)
