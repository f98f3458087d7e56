"""createMeeting, listMeetings and cancelMeeting: the calendar as the assistant sees it.

Nothing is written until the person approves in the confirmation dialog, and then with the values
they may have edited. A createMeeting call whose call_id is already stored returns that meeting,
so a call re-executed after a reconnection never books twice.

A series (createMeeting's `recurrence`, an RRULE) is checked and stored once; listMeetings lists its
occurrences, its overlaps are looked for over its first year, and cancelMeeting leaves out one
occurrence or removes the series, as the person chooses in the dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from desktop.storage import (
    MAX_YEARS_AWAY,
    InvalidMeeting,
    Meeting,
    MeetingDraft,
    MeetingStore,
    Recurrence,
    StoreWorker,
    check_reminder,
    check_start,
    check_title,
    checked_draft,
    clashes_of,
    draft_occurrences,
    format_local,
    parse_day,
    parse_local,
    warnings_for,
    zone_name,
)
from desktop.tools import meeting_tool_schemas as schemas
from desktop.tools.ports import ConfirmationRequest, Confirmer
from desktop.tools.registry import Outcome, Tool
from desktop.tools.validation import ArgumentError

MAX_LIST_DAYS = 366
MAX_CHECKED_OCCURRENCES = 100  # a series' overlaps are looked for among its first occurrences


class MeetingTools:
    def __init__(
        self,
        store: MeetingStore,
        worker: StoreWorker,
        confirmer: Confirmer,
        *,
        tz: tzinfo | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._store = store
        self._worker = worker
        self._confirmer = confirmer
        self._tz = tz
        self._now = now or (lambda: datetime.now().astimezone(tz))

    def tools(self) -> list[Tool]:
        return [
            Tool("createMeeting", schemas.DESCRIPTIONS["createMeeting"], schemas.CREATE_MEETING,
                 self.create, needs_confirmation=True),
            Tool("listMeetings", schemas.DESCRIPTIONS["listMeetings"], schemas.LIST_MEETINGS, self.list),
            Tool("cancelMeeting", schemas.DESCRIPTIONS["cancelMeeting"], schemas.CANCEL_MEETING,
                 self.cancel, needs_confirmation=True),
        ]

    # createMeeting

    async def create(self, args: dict[str, Any], call_id: str) -> Outcome:
        if call_id:
            stored = await self._worker.run(self._store.find_by_call_id, call_id)
            if stored is not None:
                return _created(stored, (), self._tz)
        # On the worker: checking a rule (dateutil looking for its first date) stays off the loop.
        proposed = await self._worker.run(self._draft, args, call_id)
        warnings = await self._warnings(proposed)
        answer = await self._confirmer.confirm(ConfirmationRequest(
            kind="create_meeting", fields=_fields(proposed), warnings=warnings, call_id=call_id))
        if not answer.approved:
            return Outcome({"status": "declined", "proposed": _fields(proposed),
                            "message": "The person declined; no meeting was created. "
                                       "Ask what they would like to change."}, status="declined")
        try:
            final = await self._worker.run(self._draft, {**_fields(proposed), **answer.fields}, call_id)
        except ArgumentError as exc:
            return Outcome({"status": "failed", "error": f"The edited values are not usable: {exc}"},
                           status="failed")
        warnings = await self._warnings(final)
        meeting = await self._worker.run(self._store.create, final)
        return _created(meeting, warnings, self._tz, edited=_fields(final) != _fields(proposed))

    def _draft(self, args: dict[str, Any], call_id: str) -> MeetingDraft:
        """The checked draft (a series' start moved to its first occurrence), or ArgumentError with
        the one sentence the model reads, however hostile the arguments."""
        try:
            rule = str(args.get("recurrence") or "").strip()
            draft = MeetingDraft(
                title=str(args.get("title", "")),
                start=check_start(parse_local(str(args["start_time"]), self._tz), self._now()),
                duration=int(args["duration"]),
                source="voice",
                call_id=call_id or None,
                all_day=args.get("all_day") is True,  # only the dialog sets it
                time_zone=zone_name(self._tz) if rule else None,
                recurrence=Recurrence(rule) if rule else None,
                reminder=check_reminder(args.get("reminder")),  # only the dialog sets it
            )
            return checked_draft(draft, self._now())
        except (InvalidMeeting, ValueError, TypeError, OverflowError) as exc:
            raise ArgumentError(str(exc)) from None

    async def _warnings(self, draft: MeetingDraft) -> tuple[str, ...]:
        """Overlaps of the meeting, or of a series' first occurrences, and a start in the past."""
        clashes = await self._worker.run(self._clashes, draft)
        return warnings_for(draft.start, clashes, self._now())

    def _clashes(self, draft: MeetingDraft) -> list[Meeting]:
        if draft.all_day:
            return []
        until = draft.start + timedelta(days=MAX_LIST_DAYS)
        proposed = draft_occurrences(draft, until, self._tz)[:MAX_CHECKED_OCCURRENCES]
        if not proposed:
            return []
        return clashes_of(proposed, self._store.between(proposed[0].start, proposed[-1].end, self._tz))

    # listMeetings

    async def list(self, args: dict[str, Any], call_id: str) -> Outcome:
        first, last = self._range(args)
        meetings = await self._worker.run(self._store.on_days, first, last, self._tz)
        return Outcome({"status": "done", "from_date": first.isoformat(), "to_date": last.isoformat(),
                        "count": len(meetings), "meetings": [m.describe(self._tz) for m in meetings]})

    def _range(self, args: dict[str, Any]) -> tuple[date, date]:
        first = self._day(args["from_date"], "from_date")
        last = self._day(args["to_date"], "to_date") if "to_date" in args else first
        if last < first:
            raise ArgumentError("to_date is before from_date.")
        if (last - first) > timedelta(days=MAX_LIST_DAYS):
            raise ArgumentError(f"Ask for at most {MAX_LIST_DAYS} days at a time.")
        return first, last

    def _day(self, text: str, field: str) -> date:
        """A real date near enough to today to hold meetings (9999-12-31 would overflow the
        day-after arithmetic of the search)."""
        try:
            day = parse_day(text, field)
        except InvalidMeeting as exc:
            raise ArgumentError(str(exc)) from None
        this_year = self._now().year
        if abs(day.year - this_year) > MAX_YEARS_AWAY:
            raise ArgumentError(f"{field} year {day.year} is too far from today ({this_year}).")
        return day

    # cancelMeeting

    async def cancel(self, args: dict[str, Any], call_id: str) -> Outcome:
        found = await self._find(args)
        if isinstance(found, Outcome):
            return found
        fields = found.describe(self._tz)
        if found.occurrence is not None:  # the person chooses in the dialog; the model's word comes first
            fields["scope"] = args.get("scope", "occurrence" if "date" in args else "series")
        answer = await self._confirmer.confirm(ConfirmationRequest(
            kind="cancel_meeting", fields=fields, call_id=call_id))
        if not answer.approved:
            return Outcome({"status": "declined", "meeting": found.describe(self._tz),
                            "message": "The person chose to keep this meeting; it was not cancelled."},
                           status="declined")
        if found.occurrence is not None and answer.fields.get("scope", fields.get("scope")) == "occurrence":
            series = await self._worker.run(self._store.cancel_occurrence, found.id, found.occurrence)
            if series is None:
                return _not_found("The series was already removed.", [], self._tz)
            return Outcome({"status": "cancelled", "scope": "occurrence",
                            "meeting": found.describe(self._tz)})
        removed = await self._worker.run(self._store.delete, found.id)
        if removed is None:
            return _not_found("The meeting was already removed.", [], self._tz)
        cancelled = {"status": "cancelled", "meeting": removed.describe(self._tz)}
        return Outcome(cancelled | ({"scope": "series"} if removed.in_series else {}))

    async def _find(self, args: dict[str, Any]) -> Meeting | Outcome:
        """The meeting to cancel; for a series, the occurrence on `date` or else the next one."""
        day = self._day(args["date"], "date") if "date" in args else None
        if "meeting_id" in args:
            meeting = await self._worker.run(self._store.get, args["meeting_id"])
            if meeting is None:
                return _not_found(f"There is no meeting with id {args['meeting_id']}.", [], self._tz)
            return await self._occurrence_of(meeting, day) if meeting.in_series else meeting
        try:
            title = check_title(args["title"]) if args.get("title", "").strip() else ""
        except InvalidMeeting as exc:
            raise ArgumentError(str(exc)) from None
        if day is None and not title:
            raise ArgumentError("Give meeting_id, or the title and/or date of the meeting to cancel.")
        searched = await self._searched(day)
        where = f"on {day.isoformat()}" if day is not None else "in the coming year"
        candidates = _first_of_each(_matching(searched, title))
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            return _not_found(f"No meeting matches {where}.", searched if day else [], self._tz)
        return Outcome({"status": "ambiguous", "candidates": [m.describe(self._tz) for m in candidates],
                        "message": "Several meetings match. Ask the person which one, then call "
                                   "cancelMeeting again with its meeting_id."}, status="failed")

    async def _searched(self, day: date | None) -> Sequence[Meeting]:
        """The occurrences on `day`, or (None) those still ahead in the coming year."""
        if day is not None:
            return await self._worker.run(self._store.on_days, day, day, self._tz)
        today = self._now().date()
        ahead = await self._worker.run(
            self._store.on_days, today, today + timedelta(days=MAX_LIST_DAYS), self._tz)
        return [m for m in ahead if m.end > self._now()]

    async def _occurrence_of(self, series: Meeting, day: date | None) -> Meeting | Outcome:
        searched = await self._searched(day)
        mine = [m for m in searched if m.id == series.id]
        if mine:
            return mine[0]
        if day is not None:
            return _not_found(f"Meeting {series.id} does not take place on {day.isoformat()}.",
                              searched, self._tz)
        return series  # nothing ahead: only the whole series can go


def _matching(meetings: Sequence[Meeting], title: str) -> list[Meeting]:
    if not title:
        return list(meetings)
    wanted = title.casefold()
    exact = [m for m in meetings if m.title.casefold() == wanted]
    return exact or [m for m in meetings if wanted in m.title.casefold() or m.title.casefold() in wanted]


def _first_of_each(meetings: list[Meeting]) -> list[Meeting]:
    """One occurrence per meeting (the first): a weekly series is one candidate, not fifty-two."""
    first: dict[int, Meeting] = {}
    for meeting in meetings:
        first.setdefault(meeting.id, meeting)
    return list(first.values())


def _fields(draft: MeetingDraft) -> dict[str, Any]:
    """What the dialog shows and the person may edit; `all_day`, `recurrence` and `reminder` only when
    set."""
    fields: dict[str, Any] = {"title": draft.title, "start_time": format_local(draft.start),
                              "duration": draft.duration}
    if draft.all_day:
        fields["all_day"] = True
    if draft.recurrence is not None:
        fields["recurrence"] = draft.recurrence.rule
    if draft.reminder is not None:
        fields["reminder"] = draft.reminder
    return fields


def _created(meeting: Meeting, warnings: tuple[str, ...], tz: tzinfo | None, edited: bool = False) -> Outcome:
    return Outcome({"status": "created", "meeting": meeting.describe(tz), "edited_by_person": edited,
                    "warnings": list(warnings)})


def _not_found(message: str, that_day: Sequence[Meeting], tz: tzinfo | None) -> Outcome:
    return Outcome({"status": "not_found", "message": message,
                    "meetings_that_day": [m.describe(tz) for m in that_day]}, status="failed")
