"""What the service refused of a replay, and what that means for the person.

A renewed call is told the conversation so far (`ConversationHistory.replay`). Services differ in
what they take back: one refuses a replayed function call, and then its output ("Tool call ID … not
found in conversation"). Such a refusal is a step in the background that the person can do nothing
about, so it goes to the log, not to the screen. Each replayed event carries an `event_id`, which the
service's `error` echoes; this record knows which item that was:

- a refused tool output is told again as a plain system note (the tool, its arguments and its
  result), so the model still knows what was done;
- a refused function call needs nothing of its own: its output's note carries it;
- a refused message, or a refused note, loses context: that, and only that, is said to the person,
  once per renewal, plainly.
"""

from __future__ import annotations

import itertools
import logging
import secrets
from typing import Any

from desktop.realtime import Dialect, ServerError
from desktop.realtime import client_events as ce
from desktop.session.effects import Effect, Emit, SendClientEvent
from desktop.session.events import ErrorRaised

log = logging.getLogger(__name__)

PREFIX = "replay_"
CONTEXT_LOST = "replay_incomplete"
CONTEXT_LOST_SENTENCE = (
    "The connection was renewed, but part of the conversation could not be restored: the assistant "
    "may not remember everything said before."
)
MAX_NOTE_CHARS = 4000  # far below the data channel's 64 KiB, like a replayed item


class ReplayRecord:
    """The events of the newest replay by `event_id` (`stamp`), and what a refusal of one means
    (`refused`)."""

    def __init__(self) -> None:
        self._renewals = itertools.count(1)
        self._prefix = PREFIX
        self._events: dict[str, dict[str, Any]] = {}
        self._calls: dict[str, dict[str, Any]] = {}  # call_id -> the replayed function_call item
        self._notes: set[str] = set()  # the event_ids of notes told in place of a refused output
        self._dialect = Dialect.GA
        self._lost_said = False

    def stamp(self, events: list[dict[str, Any]], dialect: Dialect) -> list[dict[str, Any]]:
        """`events` with an `event_id` each, remembered until the next replay."""
        self._prefix = f"{PREFIX}{next(self._renewals)}_"
        self._events, self._calls, self._notes = {}, {}, set()
        self._dialect, self._lost_said = dialect, False
        stamped = [
            self._remember({**event, "event_id": f"{self._prefix}{n}"}) for n, event in enumerate(events)
        ]
        for event in stamped:
            item = event.get("item", {})
            if item.get("type") == "function_call":
                self._calls[str(item.get("call_id"))] = item
        return stamped

    def refused(self, error: ServerError) -> list[Effect] | None:
        """What to do about `error` if it refuses a replayed event; None when it is about anything else."""
        event = self._events.pop(error.event_id, None) if error.event_id.startswith(PREFIX) else None
        if event is None:
            # An event of an earlier replay: that call is gone, and so is what it refused.
            return [] if error.event_id.startswith(PREFIX) else None
        item = event.get("item", {})
        kind = "note" if error.event_id in self._notes else str(item.get("type", "event"))
        code = error.code or "no code"
        log.warning("The service refused a replayed %s (%s): %s", kind, code, error.message)
        if kind == "function_call_output":
            return [SendClientEvent(self._note_for(item))]
        if kind == "function_call":
            return []
        return self._context_lost()

    def _note_for(self, output: dict[str, Any]) -> dict[str, Any]:
        call = self._calls.get(str(output.get("call_id")), {})
        text = (
            f"Earlier in this conversation you called the tool {call.get('name', 'unknown')} "
            f"with {call.get('arguments', '{}')}; it returned: {output.get('output', '')}"
        )[:MAX_NOTE_CHARS]
        note = ce.message_item(self._dialect, "system", text, f"item_{secrets.token_hex(8)}")
        event_id = f"{self._prefix}note_{len(self._notes)}"
        self._notes.add(event_id)
        return self._remember({**note, "event_id": event_id})

    def _context_lost(self) -> list[Effect]:
        if self._lost_said:
            return []
        self._lost_said = True
        return [Emit(ErrorRaised(CONTEXT_LOST_SENTENCE, code=CONTEXT_LOST))]

    def _remember(self, event: dict[str, Any]) -> dict[str, Any]:
        self._events[event["event_id"]] = event
        return event
