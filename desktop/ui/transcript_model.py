"""The conversation as a list of turns, built from app events; Qt-free so it is tested on its own.

Turns are ordered by the server's item order, not by arrival: the person's words come back from
transcription after the assistant has often begun answering, and their `previous_item_id` says
where they belong. Tool calls are turns of their own, updated in place as they move along.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from desktop.session import AssistantTranscript, ToolActivity, UserTranscript
from desktop.ui.usage_tally import UsageTally

Role = Literal["user", "assistant", "tool", "marker"]  # marker: "connection renewed" and the like
ConversationEvent = UserTranscript | AssistantTranscript | ToolActivity


@dataclass(slots=True)
class TranscriptTurn:
    key: str  # item_id for speech, call_id for a tool
    role: Role
    text: str = ""
    final: bool = False
    interrupted: bool = False
    tool: ToolActivity | None = None


@dataclass(frozen=True, slots=True)
class Change:
    index: int
    inserted: bool  # False: the turn at `index` was updated in place


@dataclass(slots=True)
class TranscriptModel:
    turns: list[TranscriptTurn] = field(default_factory=list)
    _by_key: dict[str, TranscriptTurn] = field(default_factory=dict)
    _marks: int = 0
    usage: UsageTally = field(default_factory=UsageTally)  # the tokens of the responses shown

    def apply(self, event: ConversationEvent) -> Change | None:
        if isinstance(event, UserTranscript):
            return self._user(event)
        if isinstance(event, AssistantTranscript):
            return self._assistant(event)
        return self._tool(event)

    def mark(self) -> Change:
        """A line between turns: the connection was renewed and the same conversation goes on."""
        self._marks += 1
        turn = TranscriptTurn(f"marker-{self._marks}", "marker", final=True)
        return Change(self._insert(turn, None), inserted=True)

    def clear(self) -> None:
        self.turns.clear()
        self._by_key.clear()
        self.usage.clear()

    def _user(self, event: UserTranscript) -> Change | None:
        turn = self._by_key.get(event.item_id)
        if turn is None:
            if not event.text.strip() and event.final:
                return None  # silence or noise transcribed as nothing: no empty bubble
            turn = TranscriptTurn(event.item_id, "user")
            index = self._insert(turn, event.previous_item_id)
            self._set_user_text(turn, event)
            return Change(index, inserted=True)
        self._set_user_text(turn, event)
        return Change(self.turns.index(turn), inserted=False)

    @staticmethod
    def _set_user_text(turn: TranscriptTurn, event: UserTranscript) -> None:
        # Non-final user transcripts are deltas; the final one carries the whole text.
        turn.text = event.text if event.final else turn.text + event.text
        turn.final = event.final

    def _assistant(self, event: AssistantTranscript) -> Change | None:
        turn = self._by_key.get(event.item_id)
        inserted = turn is None
        if turn is None:
            turn = TranscriptTurn(event.item_id, "assistant")
            self._insert(turn, None)
        if event.final:
            # An interrupted answer's final text may be shorter than what streamed; keep what was heard.
            turn.text = event.text or turn.text
            turn.final = True
            turn.interrupted = turn.interrupted or event.interrupted
        else:
            turn.text += event.text
        return Change(self.turns.index(turn), inserted)

    def _tool(self, event: ToolActivity) -> Change:
        turn = self._by_key.get(event.call_id)
        if turn is None:
            turn = TranscriptTurn(event.call_id, "tool", tool=event)
            return Change(self._insert(turn, None), inserted=True)
        turn.tool = event
        turn.final = event.status in ("done", "declined", "failed")
        return Change(self.turns.index(turn), inserted=False)

    def _insert(self, turn: TranscriptTurn, after_key: str | None) -> int:
        after = self._by_key.get(after_key) if after_key else None
        index = self.turns.index(after) + 1 if after is not None else len(self.turns)
        self.turns.insert(index, turn)
        self._by_key[turn.key] = turn
        return index

    def to_markdown(
        self,
        labels: Mapping[Role, str],
        interrupted_note: str,
        sources_note: str = "%1",
        status_words: Mapping[str, str] | None = None,
    ) -> str:
        """`sources_note` frames a knowledge answer's document names ("Documents used: %1");
        `status_words` says a tool call's status in the reader's language (default: as is)."""
        words = status_words or {}
        lines: list[str] = []
        for turn in self.turns:
            if turn.role == "marker":
                lines.append(f"_— {labels['marker']} —_")
            elif turn.tool is not None:
                status = words.get(turn.tool.status, turn.tool.status)
                lines.append(f"> **{labels['tool']}** `{turn.tool.name}` — {status}")
                if turn.tool.output and not turn.tool.sources:
                    lines.append(f"> {turn.tool.output}")
                if turn.tool.sources:
                    lines.append(f"> {sources_note.replace('%1', ', '.join(turn.tool.sources))}")
            else:
                note = f" _({interrupted_note})_" if turn.interrupted else ""
                lines.append(f"**{labels[turn.role]}:** {turn.text}{note}")
            lines.append("")
        return "\n".join(lines)
