"""The conversation so far, kept so that a new server session can be told it.

Every reconnect or renewal is a new server session that knows nothing. The record slots items in
the server's own order as `conversation.item.created` announces them and fills them as their text
becomes known (a user's transcript may arrive after the assistant began answering; an interrupted
answer keeps the words said so far). Replay turns the record back into `conversation.item.create`
events: the person's and the assistant's words as text, function calls and their outputs as items,
so the assistant remembers what was said and does not do a booking twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Literal

from desktop.realtime import Dialect
from desktop.realtime import client_events as ce
from desktop.session.events import AppEvent, AssistantTranscript, ToolActivity, UserTranscript

Kind = Literal["user", "assistant", "call", "output"]
MAX_ITEM_CHARS = 8000  # one replayed item stays far below the data channel's 64 KiB
DEFAULT_BUDGET_CHARS = 40_000  # about 10k tokens of context: the newest part of a long day


@dataclass(slots=True)
class _Entry:
    kind: Kind
    item_id: str
    text: str = ""  # message text, or a function's output
    call_id: str = ""
    name: str = ""
    arguments: str = ""

    @property
    def complete(self) -> bool:
        if self.kind == "call":
            return bool(self.call_id and self.name)
        return self.kind == "output" or bool(self.text.strip())

    @property
    def size(self) -> int:
        return len(self.text) + len(self.arguments) + len(self.name) + 40


def _new_id() -> str:
    return f"item_{secrets.token_hex(8)}"


def _message_text(item: dict[str, Any]) -> str:
    parts = item.get("content")
    if not isinstance(parts, list):
        return ""
    texts = (p.get("text") or p.get("transcript") or "" for p in parts if isinstance(p, dict))
    return " ".join(t for t in texts if isinstance(t, str) and t)


class ConversationHistory:
    def __init__(self, budget_chars: int = DEFAULT_BUDGET_CHARS) -> None:
        self._budget = budget_chars
        self._entries: list[_Entry] = []
        self._by_item: dict[str, _Entry] = {}
        self._calls: dict[str, _Entry] = {}
        self._outputs: dict[str, _Entry] = {}

    def __len__(self) -> int:
        """The items a replay could send, before it keeps the newest part that fits the budget."""
        return sum(1 for entry in self._entries if entry.complete)

    def _add(self, entry: _Entry) -> _Entry:
        self._entries.append(entry)
        self._by_item[entry.item_id] = entry
        if entry.kind == "call" and entry.call_id:
            self._calls[entry.call_id] = entry
        elif entry.kind == "output":
            self._outputs[entry.call_id] = entry
        return entry

    def item_created(self, item_id: str, item: dict[str, Any]) -> None:
        """A slot in the server's order (`conversation.item.created`); echoes of known items are skipped."""
        if not item_id or item_id in self._by_item:
            return
        kind, call_id = item.get("type"), str(item.get("call_id") or "")
        known = self._calls.get(call_id) if kind == "function_call" else self._outputs.get(call_id)
        if kind in ("function_call", "function_call_output") and known is not None:
            self._by_item[item_id] = known
        elif kind == "message" and item.get("role") in ("user", "assistant"):
            role: Kind = "user" if item.get("role") == "user" else "assistant"
            self._add(_Entry(role, item_id, _message_text(item)))
        elif kind == "function_call":
            name, arguments = str(item.get("name") or ""), str(item.get("arguments") or "")
            self._add(_Entry("call", item_id, call_id=call_id, name=name, arguments=arguments))
        elif kind == "function_call_output":
            self._add(_Entry("output", item_id, str(item.get("output") or ""), call_id=call_id))

    def observe(self, event: AppEvent) -> None:
        """Final transcripts and requested tool calls, as the session emits them."""
        if isinstance(event, UserTranscript) and event.final:
            self._message("user", event.item_id, event.text)
        elif isinstance(event, AssistantTranscript) and event.final:
            self._message("assistant", event.item_id, event.text)
        elif isinstance(event, ToolActivity) and event.status == "requested":
            call = self._calls.get(event.call_id)
            if call is None:
                self._add(_Entry("call", _new_id(), call_id=event.call_id, name=event.name))
                call = self._calls[event.call_id]
            call.name, call.arguments = event.name, event.arguments

    def _message(self, kind: Kind, item_id: str, text: str) -> None:
        entry = self._by_item.get(item_id)
        if entry is None:
            entry = self._add(_Entry(kind, item_id or _new_id()))
        entry.text = text

    def user_text(self, text: str) -> None:
        """Words typed while no call was up: they reach the model with the replay."""
        self._add(_Entry("user", _new_id(), text))

    def function_output(self, call_id: str, output: str) -> None:
        """An output handed back to the model (recorded once, whichever call it went out on)."""
        if call_id not in self._outputs:
            self._add(_Entry("output", _new_id(), output, call_id=call_id))

    def replay(self, dialect: Dialect) -> list[dict[str, Any]]:
        """`conversation.item.create` events for the newest part of the conversation that fits."""
        entries = [entry for entry in self._entries if entry.complete]
        start, used = len(entries), 0
        while start > 0 and used + entries[start - 1].size <= self._budget:
            start -= 1
            used += entries[start].size
        kept = entries[start:]
        calls = {entry.call_id for entry in kept if entry.kind == "call"}
        # An output whose call fell outside the budget would name a call the new session never saw.
        return [_event(entry, dialect) for entry in kept if entry.kind != "output" or entry.call_id in calls]


def _event(entry: _Entry, dialect: Dialect) -> dict[str, Any]:
    text = entry.text[:MAX_ITEM_CHARS]
    if entry.kind == "call":
        return ce.function_call_item(entry.call_id, entry.name, entry.arguments, entry.item_id)
    if entry.kind == "output":
        return ce.function_output_item(entry.call_id, text, entry.item_id)
    return ce.message_item(dialect, entry.kind, text, entry.item_id)
