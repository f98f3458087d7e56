"""The person confirms a meeting change once, in the app's dialog: the assistant calls the tool as soon
as it has the details (no spoken "shall I book?" first) and says the dialog's result once.

A real session against the demo server, with the bundled instructions and the app's meeting tools on
a real calendar; the Confirmer stands where the dialog stands, answers as told and counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.demo.brain import DEMO_SCRIPT
from desktop.demo.phrases import TEXTS, Language, Phrase
from desktop.realtime.config import ProviderKind
from desktop.session.events import AppEvent, AssistantTranscript, ToolActivity
from desktop.session.voice_session import VoiceSession
from desktop.storage.meeting_model import MeetingDraft
from desktop.storage.meetings import MeetingStore
from desktop.storage.worker import StoreWorker
from desktop.tools.meetings import MeetingTools
from desktop.tools.registry import ToolRegistry
from tests.session.conftest import REQUEST, RunningDemoServer
from tests.session.harness import Collector, assert_nothing_left
from tests.session.reconnecting import client_events
from tests.tools.fakes import ScriptedConfirmer

CST = timezone(timedelta(hours=8))
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=CST)
# What the demo's assistant would say to ask for a spoken yes first ("shall I book it?").
ASKING_FIRST = tuple(TEXTS[Phrase.CONFIRM].values())


@pytest.fixture
def booked_tomorrow(store: MeetingStore) -> Iterator[MeetingStore]:
    store.create(MeetingDraft("design review", datetime(2025, 9, 2, 10, 0, tzinfo=CST), 30))
    yield store


async def _talk(
    demo: RunningDemoServer, store: MeetingStore, worker: StoreWorker, confirmer: ScriptedConfirmer, text: str
) -> tuple[VoiceSession, Collector]:
    """One request, typed, until the assistant has answered the tool's result."""
    demo.server.brain.now = NOW.replace(tzinfo=None)
    tools = ToolRegistry(MeetingTools(store, worker, confirmer, tz=CST, now=lambda: NOW).tools())
    # instructions="": the bundled ones, as the app sends them.
    config = demo.config(ProviderKind.OPENAI, greet_first=False, instructions="")
    session = VoiceSession(config, SyntheticMicrophone(), RecordingSpeaker(), tools)
    events = Collector(session)
    await session.connect()
    session.send_text(text)
    await events.wait_for(ToolActivity, lambda e: e.status in ("done", "declined", "failed"), limit=20)
    await events.wait_for(AssistantTranscript, lambda e: e.final, limit=20)
    return session, events


def _before_and_after_the_call(events: list[AppEvent]) -> tuple[list[str], list[str]]:
    """The assistant's finished sentences before the tool was called, and after."""
    called = next(i for i, e in enumerate(events) if isinstance(e, ToolActivity) and e.status == "requested")
    said = [(i, e.text) for i, e in enumerate(events) if isinstance(e, AssistantTranscript) and e.final]
    return [text for i, text in said if i < called], [text for i, text in said if i > called]


@pytest.mark.parametrize(
    ("request_text", "language"), [(REQUEST, Language.EN), (DEMO_SCRIPT, Language.ZH)], ids=["en", "zh"]
)
async def test_a_meeting_is_booked_after_exactly_one_confirmation(
    demo: RunningDemoServer, store: MeetingStore, worker: StoreWorker, request_text: str, language: Language
) -> None:
    confirmer = ScriptedConfirmer()
    session, events = await _talk(demo, store, worker, confirmer, request_text)
    assert [request.kind for request in confirmer.requests] == ["create_meeting"]
    assert len(store.all()) == 1
    before, after = _before_and_after_the_call(events.events)
    assert before == []  # nothing read back, no "shall I book?" before the dialog
    assert not any(asking in text for text in before + after for asking in ASKING_FIRST)
    assert after == [TEXTS[Phrase.BOOKED][language]]  # the result, said once
    instructions = client_events(demo.server, 0, "session.update")[0]["session"]["instructions"]
    assert "确认窗口" in instructions  # the bundled instructions reached the model
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_a_meeting_declined_in_the_dialog_is_not_booked_and_said_once(
    demo: RunningDemoServer, store: MeetingStore, worker: StoreWorker
) -> None:
    confirmer = ScriptedConfirmer(approve=False)
    session, events = await _talk(demo, store, worker, confirmer, REQUEST)
    assert len(confirmer.requests) == 1 and store.all() == []
    before, after = _before_and_after_the_call(events.events)
    assert before == [] and after == [TEXTS[Phrase.DECLINED][Language.EN]]
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)


async def test_a_cancellation_is_confirmed_once_in_the_dialog(
    demo: RunningDemoServer, booked_tomorrow: MeetingStore, worker: StoreWorker
) -> None:
    confirmer = ScriptedConfirmer()
    text = "Cancel the design review meeting tomorrow."
    session, events = await _talk(demo, booked_tomorrow, worker, confirmer, text)
    assert [request.kind for request in confirmer.requests] == ["cancel_meeting"]
    before, after = _before_and_after_the_call(events.events)
    assert before == [] and after == [TEXTS[Phrase.CANCELLED][Language.EN]]
    assert booked_tomorrow.all() == []
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)
