"""createMeeting, listMeetings and cancelMeeting: the calendar as the assistant sees it.

Nothing is written until the person approves in the confirmation dialog, and then with the values
they may have edited. A createMeeting call whose call_id is already stored returns that meeting,
so a call re-executed after a reconnection never books twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from desktop.storage import (
    MAX_YEARS_AWAY,
    InvalidMeeting,
    Meeting,
    MeetingDraft,
    MeetingStore,
    StoreWorker,
    check_duration,
    check_start,
    check_title,
    format_local,
    parse_day,
    parse_local,
    warnings_for,
)
from desktop.tools import meeting_tool_schemas as schemas
from desktop.tools.ports import ConfirmationRequest, Confirmer
from desktop.tools.registry import Outcome, Tool
from desktop.tools.validation import ArgumentError

MAX_LIST_DAYS = 366


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
        proposed = self._draft(args, call_id)
        warnings = await self._warnings(proposed)
        answer = await self._confirmer.confirm(ConfirmationRequest(
            kind="create_meeting", fields=_fields(proposed), warnings=warnings, call_id=call_id))
        if not answer.approved:
            return Outcome({"status": "declined", "proposed": _fields(proposed),
                            "message": "The person declined; no meeting was created. "
                                       "Ask what they would like to change."}, status="declined")
        try:
            final = self._draft({**_fields(proposed), **answer.fields}, call_id)
        except ArgumentError as exc:
            return Outcome({"status": "failed", "error": f"The edited values are not usable: {exc}"},
                           status="failed")
        warnings = await self._warnings(final)
        meeting = await self._worker.run(self._store.create, final)
        return _created(meeting, warnings, self._tz, edited=_fields(final) != _fields(proposed))

    def _draft(self, args: dict[str, Any], call_id: str) -> MeetingDraft:
        try:
            start = check_start(parse_local(str(args["start_time"]), self._tz), self._now())
            duration = check_duration(int(args["duration"]))
            title = check_title(str(args.get("title", "")))
        except (InvalidMeeting, ValueError, TypeError) as exc:
            raise ArgumentError(str(exc)) from None
        return MeetingDraft(title=title, start=start, duration=duration, source="voice",
                            call_id=call_id or None)

    async def _warnings(self, draft: MeetingDraft) -> tuple[str, ...]:
        clashes = await self._worker.run(self._store.overlapping, draft.start, draft.duration)
        return warnings_for(draft.start, clashes, self._now())

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
        answer = await self._confirmer.confirm(ConfirmationRequest(
            kind="cancel_meeting", fields=found.describe(self._tz), call_id=call_id))
        if not answer.approved:
            return Outcome({"status": "declined", "meeting": found.describe(self._tz),
                            "message": "The person chose to keep this meeting; it was not cancelled."},
                           status="declined")
        removed = await self._worker.run(self._store.delete, found.id)
        if removed is None:
            return _not_found("The meeting was already removed.", [], self._tz)
        return Outcome({"status": "cancelled", "meeting": removed.describe(self._tz)})

    async def _find(self, args: dict[str, Any]) -> Meeting | Outcome:
        if "meeting_id" in args:
            meeting = await self._worker.run(self._store.get, args["meeting_id"])
            return meeting or _not_found(f"There is no meeting with id {args['meeting_id']}.", [], self._tz)
        try:
            title = check_title(args["title"]) if args.get("title", "").strip() else ""
        except InvalidMeeting as exc:
            raise ArgumentError(str(exc)) from None
        day = self._day(args["date"], "date") if "date" in args else None
        if day is None and not title:
            raise ArgumentError("Give meeting_id, or the title and/or date of the meeting to cancel.")
        if day is not None:
            searched = await self._worker.run(self._store.on_days, day, day, self._tz)
            where = f"on {day.isoformat()}"
        else:  # title only: the meetings still ahead
            today = self._now().date()
            searched = await self._worker.run(
                self._store.on_days, today, today + timedelta(days=MAX_LIST_DAYS), self._tz)
            searched = [m for m in searched if m.end > self._now()]
            where = "in the coming year"
        candidates = _matching(searched, title)
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            return _not_found(f"No meeting matches {where}.", searched if day else [], self._tz)
        return Outcome({"status": "ambiguous", "candidates": [m.describe(self._tz) for m in candidates],
                        "message": "Several meetings match. Ask the person which one, then call "
                                   "cancelMeeting again with its meeting_id."}, status="failed")


def _matching(meetings: list[Meeting], title: str) -> list[Meeting]:
    if not title:
        return meetings
    wanted = title.casefold()
    exact = [m for m in meetings if m.title.casefold() == wanted]
    return exact or [m for m in meetings if wanted in m.title.casefold() or m.title.casefold() in wanted]


def _fields(draft: MeetingDraft) -> dict[str, Any]:
    return {"title": draft.title, "start_time": format_local(draft.start), "duration": draft.duration}


def _created(meeting: Meeting, warnings: tuple[str, ...], tz: tzinfo | None, edited: bool = False) -> Outcome:
    return Outcome({"status": "created", "meeting": meeting.describe(tz), "edited_by_person": edited,
                    "warnings": list(warnings)})


def _not_found(message: str, that_day: list[Meeting], tz: tzinfo | None) -> Outcome:
    return Outcome({"status": "not_found", "message": message,
                    "meetings_that_day": [m.describe(tz) for m in that_day]}, status="failed")
