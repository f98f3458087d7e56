"""createMeeting, listMeetings and cancelMeeting through the registry, with a scripted person."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from desktop.storage.meeting_model import MeetingDraft
from desktop.storage.meetings import MeetingStore
from desktop.tools.ports import ToolCall, ToolResult
from desktop.tools.registry import ToolRegistry
from tests.tools.conftest import CST
from tests.tools.fakes import ScriptedConfirmer


async def call(registry: ToolRegistry, name: str, arguments: object, call_id: str = "c1") -> ToolResult:
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
    return await registry.execute(ToolCall(call_id, name, raw))


def output(result: ToolResult) -> dict:
    return json.loads(result.output)


MEETING = {"start_time": "2025-09-09 15:30:00", "duration": 60, "title": "周会"}


async def test_create_asks_then_stores_what_was_asked(
    registry: ToolRegistry, store: MeetingStore, confirmer: ScriptedConfirmer
) -> None:
    result = await call(registry, "createMeeting", MEETING)
    assert result.status == "done"
    body = output(result)
    assert body["status"] == "created"
    assert body["meeting"]["title"] == "周会" and body["meeting"]["start_time"] == "2025-09-09 15:30:00"
    assert body["edited_by_person"] is False and body["warnings"] == []
    (request,) = confirmer.requests
    assert request.kind == "create_meeting" and request.call_id == "c1"
    assert request.fields == {"title": "周会", "start_time": "2025-09-09 15:30:00", "duration": 60}
    (stored,) = store.all()
    assert stored.start == datetime(2025, 9, 9, 15, 30, tzinfo=CST) and stored.source == "voice"
    assert stored.call_id == "c1"


async def test_what_the_person_edits_is_what_gets_stored(
    registry: ToolRegistry, store: MeetingStore, confirmer: ScriptedConfirmer
) -> None:
    confirmer.edits = {"title": "项目周会", "duration": 45, "start_time": "2025-09-09 16:00:00"}
    body = output(await call(registry, "createMeeting", MEETING))
    assert body["edited_by_person"] is True
    assert body["meeting"] == {"id": 1, "title": "项目周会", "start_time": "2025-09-09 16:00:00",
                               "duration": 45}
    assert store.all()[0].duration == 45


async def test_declining_stores_nothing_and_says_so(
    registry: ToolRegistry, store: MeetingStore, confirmer: ScriptedConfirmer
) -> None:
    confirmer.approve = False
    result = await call(registry, "createMeeting", MEETING)
    assert result.status == "declined"
    assert output(result)["status"] == "declined"
    assert store.all() == []


async def test_the_same_call_id_books_once_even_across_registries(
    registry: ToolRegistry, store: MeetingStore, worker, confirmer: ScriptedConfirmer
) -> None:
    first = output(await call(registry, "createMeeting", MEETING, "same"))
    again = output(await call(registry, "createMeeting", MEETING, "same"))
    # A fresh registry (the app restarted) still finds the stored call_id and asks nobody.
    from desktop.tools.meetings import MeetingTools

    fresh = ToolRegistry(MeetingTools(store, worker, confirmer, tz=CST).tools())
    after_restart = output(await call(fresh, "createMeeting", {**MEETING, "title": "other"}, "same"))
    assert first["meeting"] == again["meeting"] == after_restart["meeting"]
    assert len(store.all()) == 1
    assert len(confirmer.requests) == 1


async def test_warnings_name_the_overlapping_meeting_and_a_past_time(
    registry: ToolRegistry, store: MeetingStore, confirmer: ScriptedConfirmer
) -> None:
    store.create(MeetingDraft("standup", datetime(2025, 9, 9, 16, 0, tzinfo=CST), 30))
    body = output(await call(registry, "createMeeting", MEETING))
    (request,) = confirmer.requests
    assert any("standup" in w for w in request.warnings)
    assert any("standup" in w for w in body["warnings"])
    await call(registry, "createMeeting", {**MEETING, "start_time": "2025-08-01 09:00:00"}, "c2")
    assert any("past" in w for w in confirmer.requests[-1].warnings)


async def test_bad_arguments_are_explained_and_nothing_is_asked_or_stored(
    registry: ToolRegistry, store: MeetingStore, confirmer: ScriptedConfirmer
) -> None:
    cases = {
        "impossible date": {**MEETING, "start_time": "2025-02-30 10:00:00"},
        "wrong form": {**MEETING, "start_time": "next Tuesday"},
        "zero": {**MEETING, "duration": 0},
        "negative": {**MEETING, "duration": -30},
        "absurd": {**MEETING, "duration": 24 * 60 + 1},
        "string duration": {**MEETING, "duration": "60"},
        "long title": {**MEETING, "title": "x" * 201},
        "control chars": {**MEETING, "title": "周会\x07"},
        "missing": {"start_time": "2025-09-09 15:30:00", "title": "a"},
        "extra": {**MEETING, "room": "A"},
        "far year": {**MEETING, "start_time": "9999-01-01 10:00:00"},
    }
    for label, arguments in cases.items():
        result = await call(registry, "createMeeting", arguments, label)
        assert result.status == "failed", label
        body = output(result)
        assert body["status"] == "invalid_arguments" and body["error"], label
    assert json.loads((await call(registry, "createMeeting", "{not json")).output)["status"] == (
        "invalid_arguments"
    )
    assert confirmer.requests == [] and store.all() == []


async def test_an_empty_title_becomes_the_default(registry: ToolRegistry, store: MeetingStore) -> None:
    await call(registry, "createMeeting", {**MEETING, "title": "  "})
    assert store.all()[0].title == "我的会议"


async def test_list_by_day_and_range(registry: ToolRegistry, store: MeetingStore) -> None:
    for day, title in ((9, "a"), (9, "b"), (10, "c"), (12, "d")):
        store.create(MeetingDraft(title, datetime(2025, 9, day, 10, tzinfo=CST), 30))
    one_day = output(await call(registry, "listMeetings", {"from_date": "2025-09-09"}, "l1"))
    assert [m["title"] for m in one_day["meetings"]] == ["a", "b"] and one_day["count"] == 2
    both = {"from_date": "2025-09-09", "to_date": "2025-09-10"}
    span = output(await call(registry, "listMeetings", both, "l2"))
    assert [m["title"] for m in span["meetings"]] == ["a", "b", "c"]
    for bad in ({"from_date": "2025-09-10", "to_date": "2025-09-09"}, {"from_date": "2025-13-01"},
                {"from_date": "2025-01-01", "to_date": "2027-01-01"}, {}):
        assert (await call(registry, "listMeetings", bad, f"bad {bad}")).status == "failed"


async def test_dates_and_ids_at_the_edge_of_the_database_are_explained_not_crashed(
    registry: ToolRegistry, store: MeetingStore, confirmer: ScriptedConfirmer
) -> None:
    """The last day of year 9999 has no day after it, and SQLite has no integer above 2**63-1: both
    come back as a sentence the model can act on, not as an unexpected failure."""
    cases = {
        "listMeetings": [{"from_date": "9999-12-31"}, {"from_date": "0001-01-01"},
                         {"from_date": "2025-09-09", "to_date": "9999-12-31"}],
        "cancelMeeting": [{"date": "9999-12-31"}, {"meeting_id": 10**30}, {"meeting_id": 1e30},
                          {"title": "\u202e周会", "date": "2025-09-09"}],
        "createMeeting": [{**MEETING, "title": "\u202eevil\u202c"}],
    }
    for name, bad_arguments in cases.items():
        for arguments in bad_arguments:
            body = output(await call(registry, name, arguments, f"{name} {arguments}"))
            assert body["status"] == "invalid_arguments", (name, arguments)
    assert confirmer.requests == [] and store.all() == []


async def test_cancel_by_id_with_confirmation(
    registry: ToolRegistry, store: MeetingStore, confirmer: ScriptedConfirmer
) -> None:
    made = store.create(MeetingDraft("review", datetime(2025, 9, 9, 10, tzinfo=CST), 30))
    confirmer.approve = False
    kept = await call(registry, "cancelMeeting", {"meeting_id": made.id}, "k1")
    assert kept.status == "declined" and store.get(made.id) is not None
    confirmer.approve = True
    gone = await call(registry, "cancelMeeting", {"meeting_id": made.id}, "k2")
    assert output(gone)["status"] == "cancelled" and store.all() == []
    assert confirmer.requests[-1].kind == "cancel_meeting"
    assert confirmer.requests[-1].fields["title"] == "review"
    missing = await call(registry, "cancelMeeting", {"meeting_id": made.id}, "k3")
    assert missing.status == "failed" and output(missing)["status"] == "not_found"


async def test_cancel_by_title_and_date_asks_which_when_ambiguous(
    registry: ToolRegistry, store: MeetingStore, confirmer: ScriptedConfirmer
) -> None:
    nine = datetime(2025, 9, 9, 9, tzinfo=CST)
    store.create(MeetingDraft("周会", nine, 30))
    store.create(MeetingDraft("周会", nine + timedelta(hours=5), 30))
    store.create(MeetingDraft("1:1 with Li", nine + timedelta(hours=2), 30))
    ambiguous = await call(registry, "cancelMeeting", {"title": "周会", "date": "2025-09-09"}, "a")
    body = output(ambiguous)
    assert body["status"] == "ambiguous" and len(body["candidates"]) == 2
    assert confirmer.requests == []
    only = await call(registry, "cancelMeeting", {"title": "1:1 WITH LI", "date": "2025-09-09"}, "b")
    assert output(only)["status"] == "cancelled"
    nothing = output(await call(registry, "cancelMeeting", {"title": "x", "date": "2025-09-09"}, "c"))
    assert nothing["status"] == "not_found" and len(nothing["meetings_that_day"]) == 2
    by_title_only = output(await call(registry, "cancelMeeting", {"title": "周会"}, "d"))
    assert by_title_only["status"] == "ambiguous"  # both are still ahead
    assert output(await call(registry, "cancelMeeting", {}, "e"))["status"] == "invalid_arguments"
    assert len(store.all()) == 2


async def test_cancel_by_title_alone_looks_at_meetings_still_ahead(
    registry: ToolRegistry, store: MeetingStore
) -> None:
    store.create(MeetingDraft("retro", datetime(2025, 8, 20, 9, tzinfo=CST), 30))  # already past
    ahead = store.create(MeetingDraft("Retro", datetime(2025, 9, 20, 9, tzinfo=CST), 30))
    body = output(await call(registry, "cancelMeeting", {"title": "retro"}, "r1"))
    assert body["status"] == "cancelled" and body["meeting"]["id"] == ahead.id
    missing = output(await call(registry, "cancelMeeting", {"title": "retro"}, "r2"))
    assert missing["status"] == "not_found" and missing["meetings_that_day"] == []


async def test_meetings_are_described_in_the_current_local_time(
    registry: ToolRegistry, store: MeetingStore
) -> None:
    """Booked at home in UTC+2, listed after flying to UTC+8: the wall-clock time follows."""
    home = timezone(timedelta(hours=2))
    store.create(MeetingDraft("call home", datetime(2025, 9, 9, 9, 0, tzinfo=home), 30))
    body = output(await call(registry, "listMeetings", {"from_date": "2025-09-09"}, "t1"))
    assert body["meetings"][0]["start_time"] == "2025-09-09 15:00:00"
