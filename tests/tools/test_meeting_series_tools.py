"""createMeeting with a recurrence, listMeetings over a series, overlap warnings for a series, and
cancelMeeting for one occurrence or the whole series, through the registry with a scripted person."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from desktop.storage.meeting_model import MeetingDraft
from desktop.storage.meetings import MeetingStore
from desktop.storage.worker import StoreWorker
from desktop.tools.meetings import MeetingTools
from desktop.tools.ports import ToolCall, ToolResult
from desktop.tools.registry import ToolRegistry
from tests.tools.fakes import ScriptedConfirmer

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=BERLIN)
SERIES = {"start_time": "2025-09-15 10:00:00", "duration": 30, "title": "Team sync",
          "recurrence": "FREQ=WEEKLY;BYDAY=MO;COUNT=10"}
AUTUMN = {"from_date": "2025-09-01", "to_date": "2025-12-31"}


@pytest.fixture
def tools(store: MeetingStore, worker: StoreWorker, confirmer: ScriptedConfirmer) -> ToolRegistry:
    return ToolRegistry(MeetingTools(store, worker, confirmer, tz=BERLIN, now=lambda: NOW).tools())


async def call(registry: ToolRegistry, name: str, arguments: object, call_id: str) -> ToolResult:
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
    return await registry.execute(ToolCall(call_id, name, raw))


def body(result: ToolResult) -> dict:
    return json.loads(result.output)


async def test_a_spoken_series_is_confirmed_once_stored_once_and_listed_per_occurrence(
    tools: ToolRegistry, store: MeetingStore, confirmer: ScriptedConfirmer
) -> None:
    created = body(await call(tools, "createMeeting", SERIES, "s1"))
    assert created["status"] == "created" and created["meeting"]["recurrence"] == SERIES["recurrence"]
    (request,) = confirmer.requests
    assert request.fields["recurrence"] == "FREQ=WEEKLY;BYDAY=MO;COUNT=10"
    (stored,) = store.all()
    assert stored.time_zone == "Europe/Berlin" and stored.source == "voice"
    listed = body(await call(tools, "listMeetings", AUTUMN, "l1"))
    assert listed["count"] == 10
    assert [m["start_time"][:10] for m in listed["meetings"]][:2] == ["2025-09-15", "2025-09-22"]
    assert all(m["start_time"][11:16] == "10:00" and m["id"] == stored.id for m in listed["meetings"])


async def test_a_series_start_that_misses_its_weekday_moves_to_the_first_occurrence(
    tools: ToolRegistry, confirmer: ScriptedConfirmer
) -> None:
    created = body(await call(tools, "createMeeting", {**SERIES, "start_time": "2025-09-16 10:00:00"}, "s2"))
    assert created["meeting"]["start_time"] == "2025-09-22 10:00:00"
    assert confirmer.requests[0].fields["start_time"] == "2025-09-22 10:00:00"


async def test_overlap_warnings_cover_the_series(
    tools: ToolRegistry, store: MeetingStore, confirmer: ScriptedConfirmer
) -> None:
    store.create(MeetingDraft("Board", datetime(2025, 10, 6, 10, 15, tzinfo=BERLIN), 60))
    store.create(MeetingDraft("Holiday", datetime(2025, 9, 22, tzinfo=BERLIN), 1440, all_day=True))
    created = body(await call(tools, "createMeeting", SERIES, "s3"))
    assert created["warnings"] == ["Overlaps with “Board” (2025-10-06 10:15, 60 min, id 1)."]
    assert confirmer.requests[0].warnings == tuple(created["warnings"])


HOSTILE_RECURRENCES = [
    123, None, ["FREQ=DAILY"], {"FREQ": "DAILY"}, True, "FREQ=SECONDLY", "FREQ=DAILY;COUNT=100000",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31", "FREQ=WEEKLY;BYDAY=MO\r\nATTENDEE:mailto:x@y", "x" * 201,
    "FREQ=DAILY;UNTIL=19990101", "'; DROP TABLE meetings; --", "FREQ=DAILY;INTERVAL=99999999999999999999999",
]


@pytest.mark.parametrize("recurrence", HOSTILE_RECURRENCES)
async def test_hostile_recurrence_gets_one_sentence_back(
    tools: ToolRegistry, store: MeetingStore, confirmer: ScriptedConfirmer, recurrence: object
) -> None:
    result = await call(tools, "createMeeting", {**SERIES, "recurrence": recurrence}, "bad")
    answer = body(result)
    assert result.status == "failed" and answer["status"] == "invalid_arguments"
    assert isinstance(answer["error"], str) and "Traceback" not in answer["error"]
    assert confirmer.requests == [] and store.all() == []


async def test_cancel_one_occurrence_or_the_whole_series(
    tools: ToolRegistry, store: MeetingStore, confirmer: ScriptedConfirmer
) -> None:
    await call(tools, "createMeeting", SERIES, "s4")
    (series,) = store.all()
    one = body(await call(tools, "cancelMeeting", {"title": "team sync", "date": "2025-10-06"}, "c1"))
    assert one["status"] == "cancelled" and one["scope"] == "occurrence"
    assert confirmer.requests[-1].fields["scope"] == "occurrence"
    assert confirmer.requests[-1].fields["start_time"] == "2025-10-06 10:00:00"
    assert datetime(2025, 10, 6, 10, 0) in store.get(series.id).recurrence.exdates  # type: ignore[union-attr]
    listed = body(await call(tools, "listMeetings", AUTUMN, "l2"))
    assert listed["count"] == 9

    # By id, the model proposes the series; the person picks only the occurrence on that day instead.
    confirmer.edits = {"scope": "occurrence"}
    by_id = body(await call(tools, "cancelMeeting", {"meeting_id": series.id, "date": "2025-10-13",
                                                     "scope": "series"}, "c2"))
    assert confirmer.requests[-1].fields["scope"] == "series" and by_id["scope"] == "occurrence"
    assert len(store.all()) == 1

    # By title alone: the series is one candidate (its next occurrence), and the person removes it all.
    confirmer.edits = {"scope": "series"}
    whole = body(await call(tools, "cancelMeeting", {"title": "Team sync"}, "c3"))
    assert whole["status"] == "cancelled" and whole["scope"] == "series"
    assert confirmer.requests[-1].fields["start_time"] == "2025-09-15 10:00:00"
    assert store.all() == []


async def test_cancel_a_series_by_id_on_a_day_it_does_not_meet(
    tools: ToolRegistry, store: MeetingStore, confirmer: ScriptedConfirmer
) -> None:
    await call(tools, "createMeeting", SERIES, "s5")
    (series,) = store.all()
    missing = body(await call(tools, "cancelMeeting", {"meeting_id": series.id, "date": "2025-10-07"}, "c4"))
    assert missing["status"] == "not_found" and len(confirmer.requests) == 1
