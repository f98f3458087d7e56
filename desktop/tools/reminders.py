"""Meeting reminders: which occurrence is due to be announced now, without Qt.

Each meeting's reminder is minutes before its start (`Meeting.reminder`; None takes the person's
default, NO_REMINDER none), for every occurrence of a series. One look at the calendar (`check`, on the
store's worker, in one go) finds the reminders that are due, logs them as shown (the log lives in the
calendar's file: a restart never repeats one), and says when the next one falls due.

A reminder is shown when its time has come and the meeting has not started yet, or it came at most
`grace` ago (a reminder "at the start" seen a few seconds late). A meeting that started since the last
look, its reminder not shown (the app was closed, or the computer asleep), is not announced late: it is
logged as missed (those of the last day: a daily meeting missed for a month is not thirty lines), and
`missed` lists those. A meeting booked after its reminder time (a meeting in five
minutes, booked now) gets none: the person knows. The first look ever misses nothing before it.

The clock is injected (`clock`), as in desktop/session/wake.py, so tests say what time it is; `run`
looks again when the next reminder is due, when the calendar changes, and at least every minute
(the clock may jump: a suspend, a time-zone change). The window only presents what it is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Literal

from desktop.storage import (
    MAX_REMINDER_MINUTES,
    NO_REMINDER,
    LoggedReminder,
    Meeting,
    MeetingStore,
    StoreWorker,
)

log = logging.getLogger(__name__)

GRACE = timedelta(minutes=1)
LOOK_AHEAD = timedelta(minutes=MAX_REMINDER_MINUTES)  # the longest reminder a meeting may have
MISSED_KEPT = timedelta(days=1)  # how far back a meeting counts as missed, and `missed` lists
LOG_KEPT = timedelta(days=30)
MAX_WAIT_S = 60.0


@dataclass(frozen=True, slots=True)
class Reminder:
    """One occurrence to announce (or missed): what the notification says and where Show goes."""

    uid: str
    meeting_id: int | None  # None for a missed meeting read back from the log
    title: str
    start: datetime
    duration: int
    all_day: bool = False
    minutes: int = 0  # how long before the start it was due

    @property
    def key(self) -> tuple[str, int]:
        return self.uid, int(self.start.timestamp())


@dataclass(frozen=True, slots=True)
class Checked:
    due: tuple[Reminder, ...] = ()  # to show now
    missed: tuple[Reminder, ...] = ()  # newly found to have started unannounced
    next_due: datetime | None = None  # when the next reminder falls due, within LOOK_AHEAD


def _now() -> datetime:
    return datetime.now().astimezone()


class ReminderScheduler:
    def __init__(self, store: MeetingStore, worker: StoreWorker, *, default_minutes: Callable[[], int],
                 clock: Callable[[], datetime] = _now, tz: tzinfo | None = None,
                 grace: timedelta = GRACE) -> None:
        """`default_minutes()` is the person's default (NO_REMINDER: none), read at each look."""
        self._store = store
        self._worker = worker
        self._default = default_minutes
        self._clock = clock
        self._tz = tz
        self._grace = grace
        self._log = store.reminder_log()
        self._pruned = False  # the log's old entries go once a run
        self._changed: asyncio.Event | None = None

    async def check(self) -> Checked:
        """One look at the calendar now: what to show, what was missed, when to look next."""
        return await self._worker.run(self.check_now, self._clock(), self._default())

    async def missed(self) -> tuple[Reminder, ...]:
        """The meetings of the last day that started unannounced while the app was closed."""
        since = int((self._clock() - MISSED_KEPT).timestamp())
        logged = await self._worker.run(self._log.missed, since)
        return tuple(_from_log(entry, self._tz) for entry in logged)

    def check_now(self, now: datetime, default: int) -> Checked:
        """`check` itself, on the calling thread (the store's worker)."""
        last = self._log.checked_until()
        since = now if last is None else datetime.fromtimestamp(last, now.tzinfo)
        since = min(max(since, now - MISSED_KEPT), now)  # closed for weeks: only the last day is missed
        if not self._pruned:
            self._log.prune(int((now - LOG_KEPT).timestamp()))
            self._pruned = True
        found = self._store.between(min(since, now - self._grace), now + LOOK_AHEAD, self._tz)
        timed = [(o, lead) for o in found if (lead := _lead(o, default)) is not None]
        done = self._log.logged(_key(o) for o, _lead_minutes in timed)
        due: list[Reminder] = []
        missed: list[Reminder] = []
        upcoming: list[datetime] = []
        for occurrence, lead in timed:
            at = occurrence.start - timedelta(minutes=lead)
            if _key(occurrence) in done or occurrence.created_at > at:
                continue
            if at > now:
                upcoming.append(at)
            elif occurrence.start > now or now - at <= self._grace:
                due.append(_reminder(occurrence, lead))
            elif occurrence.start > since:
                missed.append(_reminder(occurrence, lead))
        entries = [_entry(r, "shown") for r in due] + [_entry(r, "missed") for r in missed]
        self._log.record(entries, int(now.timestamp()))
        return Checked(tuple(due), tuple(missed), min(upcoming, default=None))

    async def run(self, present: Callable[[Checked], None]) -> None:
        """Looks, hands each look to `present` (on the loop), and waits for the next; until cancelled.
        A look that fails is logged and tried again a minute later."""
        self._changed = asyncio.Event()
        loop = asyncio.get_running_loop()
        changed = self._changed
        def wake(_change: object) -> None:  # on the store's worker thread
            loop.call_soon_threadsafe(changed.set)

        unsubscribe = self._store.subscribe(wake)
        try:
            while True:
                changed.clear()
                wait = MAX_WAIT_S
                try:
                    checked = await self.check()
                except Exception:
                    log.exception("looking for due meeting reminders failed")
                else:
                    wait = self._wait(checked.next_due)
                    try:
                        present(checked)
                    except Exception:  # one look's showing failed: the next reminders still come
                        log.exception("showing meeting reminders failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), wait)
        finally:
            unsubscribe()

    def _wait(self, next_due: datetime | None) -> float:
        if next_due is None:
            return MAX_WAIT_S
        return min(max((next_due - self._clock()).total_seconds(), 0.5), MAX_WAIT_S)


def _lead(occurrence: Meeting, default: int) -> int | None:
    """Minutes before the start it is due; None for no reminder. The default is for timed meetings: an
    all-day event starts at midnight, and a reminder at 23:50 the night before helps nobody; it is
    reminded of only with a reminder of its own."""
    if occurrence.reminder is None and occurrence.all_day:
        return None
    minutes = occurrence.reminder if occurrence.reminder is not None else default
    return None if minutes == NO_REMINDER or minutes < 0 else minutes


def _key(occurrence: Meeting) -> tuple[str, int]:
    return occurrence.uid, int(occurrence.start.timestamp())


def _reminder(occurrence: Meeting, lead: int) -> Reminder:
    return Reminder(occurrence.uid, occurrence.id, occurrence.title, occurrence.start,
                    occurrence.duration, occurrence.all_day, lead)


def _entry(reminder: Reminder, outcome: Literal["shown", "missed"]) -> LoggedReminder:
    uid, epoch = reminder.key
    return LoggedReminder(uid, epoch, outcome, reminder.title, reminder.duration, reminder.all_day)


def _from_log(entry: LoggedReminder, tz: tzinfo | None) -> Reminder:
    start = datetime.fromtimestamp(entry.start_epoch, tz).astimezone(tz)
    return Reminder(entry.uid, None, entry.title, start, entry.duration, entry.all_day)
