"""`voice-assistant meetings list | import | export`: the calendar without the window, for scripts and for
checking a calendar file before a conversation.

The same store as the app (the person's data folder; `VOICE_ASSISTANT_DATA_DIR` overrides it), reached
the same way: every store call runs on the calendar's `StoreWorker` thread. SQLite's own locking (WAL and
a busy timeout, `storage/migrations.py` `open_database`) lets these run beside the window, so they do not
take the window's single-instance lock, which would refuse to.

What the store offers is read through three small functions, `occurrences`, `import_file` and
`export_file`: the one place where the command meets the store's API.
"""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import ParamSpec, TypeVar

from desktop.app.command_output import CommandFailed, print_json, run_action
from desktop.storage import (
    MAX_YEARS_AWAY,
    InvalidMeeting,
    MeetingStore,
    StoreWorker,
    export_calendar,
    import_calendar,
    parse_day,
    paths,
)

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_DAYS = 30  # `meetings list` without --to: this many days after --from (today by default)
MAX_DAYS = MAX_YEARS_AWAY * 366  # the store's horizon, as listMeetings keeps to it: no endless listing


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One meeting on the calendar: a single meeting, or one occurrence of a series."""

    title: str
    start: datetime  # time-zone aware
    duration: int  # minutes
    all_day: bool = False
    series: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "title": self.title,
            "start": self.start.astimezone().isoformat(timespec="seconds"),
            "duration": self.duration,
            "all_day": self.all_day,
            "series": self.series,
        }

    def line(self) -> str:
        """One readable line, in the person's local time."""
        start = self.start.astimezone()
        end = (start + timedelta(minutes=self.duration)).astimezone()
        when = "all day" if self.all_day else f"{start:%H:%M}-{end:%H:%M}"
        repeats = "  (repeats)" if self.series else ""
        return f"{start:%a %Y-%m-%d} {when:<11}  {self.title}{repeats}"


@dataclass(frozen=True, slots=True)
class ImportSummary:
    added: int
    already_there: int
    refused: tuple[tuple[str, str], ...] = ()  # (the event, why it was not imported)


# The store's API, in the three places that meet it (they run on the calendar's worker thread).


def occurrences(store: MeetingStore, first: date, last: date) -> list[Occurrence]:
    """Everything on the local days first..last inclusive, in start order: each occurrence of a
    series on its own, all-day events with their whole days as the duration."""
    return [
        Occurrence(m.title, m.start, m.duration, m.all_day, m.in_series) for m in store.on_days(first, last)
    ]


def import_file(store: MeetingStore, path: Path) -> ImportSummary:
    """Adds the file's events; raises ValueError when it is not an iCalendar file."""
    report = import_calendar(store, path)
    return ImportSummary(report.added, report.already_there, tuple(report.not_imported))


def export_file(store: MeetingStore, path: Path) -> int:
    """Writes every meeting to `path`; returns how many."""
    return export_calendar(store, path)


# The store on its worker, for one command.


@dataclass(frozen=True, slots=True)
class Calendar:
    store: MeetingStore
    worker: StoreWorker

    def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self.worker.submit(fn, *args, **kwargs).result()


@contextmanager
def open_calendar() -> Iterator[Calendar]:
    worker = StoreWorker("calendar")
    try:
        try:
            store = worker.submit(MeetingStore, paths.calendar_db_path()).result()
        except (sqlite3.Error, OSError, RuntimeError) as error:
            raise CommandFailed(f"The calendar could not be opened: {error}.") from None
        try:
            yield Calendar(store, worker)
        finally:
            worker.submit(store.close).result()
    finally:
        worker.close()  # lets a write in progress finish


# The actions.


def day_range(first_text: str | None, last_text: str | None, today: date) -> tuple[date, date]:
    try:
        first = parse_day(first_text, "--from") if first_text is not None else today
        last = parse_day(last_text, "--to") if last_text is not None else None
    except InvalidMeeting as error:
        raise CommandFailed(str(error)) from None
    if last is None:
        last = min(first, date.max - timedelta(days=DEFAULT_DAYS)) + timedelta(days=DEFAULT_DAYS)
    if last < first:
        raise CommandFailed(f"--to {last} is before --from {first}.")
    if (last - first).days > MAX_DAYS:
        raise CommandFailed(f"{first} to {last} is longer than {MAX_YEARS_AWAY} years; "
                            "ask for a shorter range.")
    return first, last


def list_meetings(args: argparse.Namespace) -> int:
    first, last = day_range(args.first, args.last, date.today())
    with open_calendar() as calendar:
        try:
            found = calendar.run(occurrences, calendar.store, first, last)
        except (OverflowError, ValueError):  # year 1 or 9999: no time zone reaches there
            raise CommandFailed(f"{first} to {last} is beyond the dates the calendar can show.") from None
    if args.json:
        print_json([o.as_json() for o in found])
    elif not found:
        print(f"No meetings from {first} to {last}.")
    else:
        print("\n".join(o.line() for o in found))
    return 0


def import_meetings(args: argparse.Namespace) -> int:
    path = _existing_file(args.file)
    try:
        summary = _with_file(import_file, path, "could not be read")
    except ValueError as error:
        raise CommandFailed(f"{path} could not be imported: {error}.") from None
    for line in _import_report(summary, path):
        print(line)
    return 0


def _import_report(summary: ImportSummary, path: Path) -> list[str]:
    lines = [f"Imported {_meetings(summary.added)} from {path}."]
    if summary.already_there:
        lines.append(f"{_meetings(summary.already_there)} already in the calendar, not imported again.")
    lines += [f"Not imported: {event}: {reason}" for event, reason in summary.refused]
    return lines


def export_meetings(args: argparse.Namespace) -> int:
    path = Path(args.file)
    count = _with_file(export_file, path, "could not be written")
    print(f"Exported {_meetings(count)} to {path}.")
    return 0


def _with_file(use: Callable[[MeetingStore, Path], T], path: Path, failed: str) -> T:
    """`use(store, path)` on the calendar's worker; a file that cannot be used is one sentence."""
    with open_calendar() as calendar:
        try:
            return calendar.run(use, calendar.store, path)
        except OSError as error:
            raise CommandFailed(f"{path} {failed}: {error.strerror or error}.") from None


def _existing_file(text: str) -> Path:
    path = Path(text)
    if path.is_dir():
        raise CommandFailed(f"{path} is a folder, not an .ics file.")
    if not path.exists():
        raise CommandFailed(f"There is no file {path}.")
    return path


def _meetings(count: int) -> str:
    return f"{count} meeting" if count == 1 else f"{count} meetings"


ACTIONS = {"list": list_meetings, "import": import_meetings, "export": export_meetings}


def meetings_main(args: argparse.Namespace) -> int:
    return run_action(ACTIONS, args.action, args)
