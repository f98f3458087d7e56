"""The reminder scheduler with an injected clock: it fires at the right minute, once, across a restart;
a meeting that started while the app was closed is listed as missed, not announced late; each
occurrence of a series has its own reminder; a meeting's own reminder, or none, beats the default.

Meetings are booked a few days from the real today: the store stamps `created_at` with the real
clock, and a meeting booked after its reminder time gets none.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop.storage.meeting_model import NO_REMINDER, MeetingDraft, Recurrence
from desktop.storage.meetings import MeetingStore
from desktop.storage.worker import StoreWorker
from desktop.tools.ports import ToolCall
from desktop.tools.registry import ToolRegistry
from desktop.tools.reminders import Checked, Reminder, ReminderScheduler
from tests.tools.fakes import ScriptedConfirmer

CST = timezone(timedelta(hours=8))
DAY = (datetime.now(CST) + timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0)


def at(hour: int, minute: int = 0, second: int = 0, day: int = 0) -> datetime:
    return DAY + timedelta(days=day, hours=hour, minutes=minute, seconds=second)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "calendar.sqlite3"


@pytest.fixture
def opened(path: Path) -> Iterator[list[MeetingStore]]:
    stores: list[MeetingStore] = []
    yield stores
    for store in stores:
        store.close()


def scheduler(path: Path, opened: list[MeetingStore], worker: StoreWorker, clock: Clock,
              default: int = 10) -> tuple[MeetingStore, ReminderScheduler]:
    """A scheduler on the calendar at `path`, as one run of the app opens it."""
    store = MeetingStore(path)
    opened.append(store)
    return store, ReminderScheduler(store, worker, default_minutes=lambda: default, clock=clock, tz=CST)


def titles(reminders: tuple[Reminder, ...]) -> list[str]:
    return [r.title for r in reminders]


async def test_fires_at_the_right_minute_and_once(path: Path, opened: list[MeetingStore],
                                                  worker: StoreWorker) -> None:
    clock = Clock(at(9, 30))
    store, reminders = scheduler(path, opened, worker, clock)
    store.create(MeetingDraft("Standup", at(10), 30))
    first = await reminders.check()
    assert first == Checked(next_due=at(9, 50))
    clock.now = at(9, 49, 59)
    assert (await reminders.check()).due == ()
    clock.now = at(9, 50)
    due = (await reminders.check()).due
    assert titles(due) == ["Standup"] and due[0].start == at(10) and due[0].duration == 30
    assert due[0].minutes == 10
    clock.now = at(9, 51)
    assert (await reminders.check()).due == ()  # shown once


async def test_a_restart_does_not_repeat_a_shown_reminder_and_fires_a_pending_one(
        path: Path, opened: list[MeetingStore], worker: StoreWorker) -> None:
    clock = Clock(at(9, 50))
    store, reminders = scheduler(path, opened, worker, clock)
    store.create(MeetingDraft("Shown before", at(10), 30))
    store.create(MeetingDraft("Still to come", at(11), 30))
    assert titles((await reminders.check()).due) == ["Shown before"]
    store.close()
    opened.clear()

    clock.now = at(10, 30)  # the app was closed from 09:50 to 10:30
    _store, again = scheduler(path, opened, worker, clock)
    checked = await again.check()
    assert checked.due == () and checked.missed == ()  # "Shown before" was shown: neither again nor missed
    assert checked.next_due == at(10, 50)
    clock.now = at(10, 50, 20)
    assert titles((await again.check()).due) == ["Still to come"]


async def test_a_meeting_that_started_while_closed_is_missed_not_announced(
        path: Path, opened: list[MeetingStore], worker: StoreWorker) -> None:
    clock = Clock(at(8))
    store, reminders = scheduler(path, opened, worker, clock)
    store.create(MeetingDraft("Started while closed", at(9), 30))
    store.create(MeetingDraft("Upcoming", at(12), 30))
    await reminders.check()
    store.close()
    opened.clear()

    clock.now = at(9, 5)  # closed from 08:00 to 09:05: the 08:50 reminder and the 09:00 start passed
    _store, again = scheduler(path, opened, worker, clock)
    checked = await again.check()
    assert checked.due == ()
    assert titles(checked.missed) == ["Started while closed"]
    assert titles(await again.missed()) == ["Started while closed"]
    assert (await again.check()).missed == ()  # found once
    missed = (await again.missed())[0]
    assert missed.start == at(9) and missed.duration == 30 and missed.meeting_id is None


def test_after_weeks_closed_only_the_last_day_counts_as_missed(path: Path, opened: list[MeetingStore],
                                                               worker: StoreWorker) -> None:
    store, reminders = scheduler(path, opened, worker, Clock(at(8)))
    store.create(MeetingDraft("Daily", at(9), 15, time_zone="Asia/Shanghai",
                              recurrence=Recurrence("FREQ=DAILY;COUNT=60")))
    reminders.check_now(at(8), 10)
    missed = reminders.check_now(at(12, day=30), 10).missed
    assert [m.start for m in missed] == [at(9, day=30)]


async def test_a_reminder_late_within_the_grace_is_shown_and_an_upcoming_one_too(
        path: Path, opened: list[MeetingStore], worker: StoreWorker) -> None:
    clock = Clock(at(8))
    store, reminders = scheduler(path, opened, worker, clock)
    store.create(MeetingDraft("At the start", at(9), 30, reminder=0))
    store.create(MeetingDraft("Not started yet", at(9, 5), 30))  # due at 08:55
    await reminders.check()
    clock.now = at(9, 0, 40)  # asleep since 08:00: 40 s late for the first, the second still ahead
    assert titles((await reminders.check()).due) == ["At the start", "Not started yet"]


def test_the_first_look_ever_misses_nothing_before_it(path: Path, opened: list[MeetingStore],
                                                      worker: StoreWorker) -> None:
    clock = Clock(at(12))
    store, reminders = scheduler(path, opened, worker, clock)
    store.create(MeetingDraft("This morning", at(9), 30))
    checked = reminders.check_now(clock.now, 10)
    assert checked.due == () and checked.missed == ()


def test_each_occurrence_of_a_series_has_its_own_reminder(path: Path, opened: list[MeetingStore],
                                                          worker: StoreWorker) -> None:
    clock = Clock(at(8))
    store, reminders = scheduler(path, opened, worker, clock)
    store.create(MeetingDraft("Daily", at(9), 15, time_zone="Asia/Shanghai",
                              recurrence=Recurrence("FREQ=DAILY;COUNT=3")))
    assert reminders.check_now(at(8), 10).next_due == at(8, 50)
    assert titles(reminders.check_now(at(8, 50), 10).due) == ["Daily"]
    following = reminders.check_now(at(9, 30), 10)
    assert following.due == () and following.next_due == at(8, 50, day=1)
    due = reminders.check_now(at(8, 51, day=1), 10).due
    assert titles(due) == ["Daily"] and due[0].start == at(9, day=1)


def test_a_meeting_s_own_reminder_or_none_beats_the_default(path: Path, opened: list[MeetingStore],
                                                            worker: StoreWorker) -> None:
    clock = Clock(at(8))
    store, reminders = scheduler(path, opened, worker, clock)
    store.create(MeetingDraft("Own 30", at(10), 30, reminder=30))
    store.create(MeetingDraft("None", at(10), 30, reminder=NO_REMINDER))
    store.create(MeetingDraft("Default", at(10), 30))
    assert reminders.check_now(at(8), 10).next_due == at(9, 30)
    assert titles(reminders.check_now(at(9, 30), 10).due) == ["Own 30"]
    assert titles(reminders.check_now(at(9, 50), 10).due) == ["Default"]
    assert reminders.check_now(at(9, 59), 10).next_due is None  # "None" never
    later = store.create(MeetingDraft("Default off", at(11), 30))
    assert reminders.check_now(at(10, 50), NO_REMINDER).due == ()
    assert later.reminder is None


def test_an_all_day_event_is_reminded_of_only_with_a_reminder_of_its_own(
    path: Path, opened: list[MeetingStore], worker: StoreWorker
) -> None:
    """The default would fire at 23:50 the night before: it applies to timed meetings only."""
    clock = Clock(at(20, day=-1))
    store, reminders = scheduler(path, opened, worker, clock)
    store.create(MeetingDraft("Holiday", at(0), 24 * 60, all_day=True))
    store.create(MeetingDraft("Offsite", at(0, day=1), 24 * 60, all_day=True, reminder=12 * 60))
    assert reminders.check_now(at(23, 50, day=-1), 10).due == ()
    assert titles(reminders.check_now(at(12), 10).due) == ["Offsite"]


def test_a_meeting_booked_after_its_reminder_time_gets_none(path: Path, opened: list[MeetingStore],
                                                            worker: StoreWorker) -> None:
    soon = datetime.now(CST).replace(second=0, microsecond=0) + timedelta(minutes=5)
    store, reminders = scheduler(path, opened, worker, Clock(soon - timedelta(minutes=4)))
    store.create(MeetingDraft("In five minutes", soon, 30))
    assert reminders.check_now(soon - timedelta(minutes=4), 10).due == ()


async def test_run_presents_each_look_and_looks_again_when_the_calendar_changes(
        path: Path, opened: list[MeetingStore], worker: StoreWorker) -> None:
    clock = Clock(at(9, 55))
    store, reminders = scheduler(path, opened, worker, clock)
    looks: list[Checked] = []
    looked = asyncio.Event()

    def present(look: Checked) -> None:
        looks.append(look)
        looked.set()

    running = asyncio.ensure_future(reminders.run(present))
    try:
        async with asyncio.timeout(10):
            await looked.wait()
            looked.clear()
            await worker.run(store.create, MeetingDraft("Booked by hand", at(10), 30, reminder=15))
            while not looks[-1].due:  # the change wakes it at once, not the minute's look
                await looked.wait()
                looked.clear()
    finally:
        running.cancel()
    assert titles(looks[-1].due) == ["Booked by hand"]


async def test_a_meeting_booked_by_voice_takes_the_reminder_chosen_in_the_dialog(
        store: MeetingStore, registry: ToolRegistry, confirmer: ScriptedConfirmer) -> None:
    arguments = {"title": "Voice", "start_time": "2025-09-09 15:30:00", "duration": 30}
    await registry.execute(ToolCall("call-1", "createMeeting", json.dumps(arguments)))
    assert "reminder" not in confirmer.requests[0].fields  # the default, unless the person changes it
    confirmer.edits = {"reminder": 5}
    await registry.execute(ToolCall("call-2", "createMeeting", json.dumps({**arguments, "title": "Own"})))
    confirmer.edits = {"reminder": 10_000_000}
    result = await registry.execute(ToolCall("call-3", "createMeeting", json.dumps(arguments)))
    assert '"failed"' in result.output and "reminder" in result.output
    assert [(m.title, m.reminder) for m in store.all()] == [("Voice", None), ("Own", 5)]
