"""What the demo server's assistant answers: a deterministic reading of the last conversation item.

A meeting request becomes `createMeeting`, "what do I have" `listMeetings`, a cancellation
`cancelMeeting`, a question `queryKnowledgeBase`; a tool's output becomes the matching spoken answer,
said once. As the bundled instructions ask, a meeting change is called at once, never after a spoken
"shall I book it?": the app's dialog is the one confirmation.
Only tools the session declared are called; their arguments are limited to the declared properties.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop.demo import utterance
from desktop.demo.phrases import TEXTS, Language, Phrase, language_of

DEMO_SCRIPT = "请帮我预约明天下午三点的项目周会，一个小时"
DEFAULT_TITLES = {Language.ZH: "我的会议", Language.EN: "My meeting"}
# Tool output statuses that mean "nothing was done", and what to say then.
UNSUCCESSFUL = {"not_found": Phrase.NOT_FOUND, "ambiguous": Phrase.NOT_FOUND, "no_results": Phrase.NOTHING}

_LIST = re.compile(r"what do i have|what's on|my meetings|list|有什么会|安排|日程", re.IGNORECASE)
_CANCEL = re.compile(r"cancel|取消", re.IGNORECASE)
_MEETING = re.compile(r"会议|预约|meeting|book|schedule|周会|开会", re.IGNORECASE)
_QUESTION = re.compile(r"[?？]|什么|如何|怎么|\bhow\b|\bwhat\b|\bwhy\b|\bwhen\b", re.IGNORECASE)
# "How do I cancel a meeting?" asks about the rules; only a named meeting makes it a request.
_HOW_TO = re.compile(r"如何|怎么|怎样|规则|\bhow (?:do|can|to|does)\b|\brules?\b|\bpolicy\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Say:
    text: str
    phrase: Phrase  # the bundled clip to fall back on when the text cannot be synthesized


@dataclass(frozen=True, slots=True)
class CallTool:
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Reply:
    say: Say | None = None
    call: CallTool | None = None


@dataclass
class Brain:
    speak_before_calls: bool = False  # "please confirm the meeting" spoken before the call, in one response
    now: datetime | None = None  # fixed "now" for tests; None means the clock

    def reply(self, items: list[dict[str, Any]], tools: list[dict[str, Any]]) -> Reply:
        last = items[-1] if items else None
        if last is not None and last.get("type") == "function_call_output":
            return self.after_tool(items, last)
        if last is None or last.get("role") != "user":
            has_user = any(item.get("role") == "user" for item in items)
            return _say(Phrase.OKAY if has_user else Phrase.GREETING, Language.ZH)
        return self.answer(user_text(last), tools)

    def answer(self, text: str, tools: list[dict[str, Any]]) -> Reply:
        language = language_of(text)
        if not text.strip():
            return _say(Phrase.SORRY, language)
        declared = {str(t.get("name")): t for t in tools if isinstance(t, dict)}
        start = utterance.start_time(text, self.now or datetime.now()).strftime("%Y-%m-%d %H:%M:00")
        title = utterance.title(text, chinese=language is Language.ZH)
        day = {"date": start[:10], "from_date": start[:10]}
        named = {"title": title} if title else {}
        meeting = {"start_time": start, "duration": utterance.duration_minutes(text)} | {
            "title": title or DEFAULT_TITLES[language]
        }
        repeats = utterance.recurrence(text)
        if repeats:
            meeting["recurrence"] = repeats
        # Candidate arguments under the names tools commonly use; only the declared ones are sent.
        question = (bool(_QUESTION.search(text)), "queryKnowledgeBase", {"question": text, "query": text})
        how_to = bool(_HOW_TO.search(text)) and title is None
        wanted: list[tuple[bool, str, dict[str, Any]]] = [
            *([question] if how_to else []),
            (bool(_LIST.search(text)), "listMeetings", day),
            (bool(_CANCEL.search(text)), "cancelMeeting", day | named),
            (bool(_MEETING.search(text)), "createMeeting", meeting),
            question,
        ]
        for matches, name, arguments in wanted:
            if matches and name in declared:
                preamble = _say(Phrase.CONFIRM, language).say if self.speak_before_calls else None
                return Reply(say=preamble, call=CallTool(name, _declared_only(declared[name], arguments)))
        return _say(Phrase.OKAY, language)

    def after_tool(self, items: list[dict[str, Any]], output_item: dict[str, Any]) -> Reply:
        call_id = output_item.get("call_id")
        call = next(
            (i for i in items if i.get("type") == "function_call" and i.get("call_id") == call_id), {}
        )
        name = str(call.get("name", ""))
        language = language_of(_last_user_text(items) or str(call.get("arguments", "")))
        raw = str(output_item.get("output", ""))
        try:
            output: Any = json.loads(raw)
        except ValueError:
            output = raw
        if _declined(output, raw):
            return _say(Phrase.DECLINED, language)
        status = str(output.get("status", "")) if isinstance(output, dict) else ""
        if status in UNSUCCESSFUL:
            return _say(UNSUCCESSFUL[status], language)
        if isinstance(output, dict) and (output.get("error") or status == "failed"):
            return _say(Phrase.SORRY, language)
        if name == "createMeeting":
            return _say(Phrase.BOOKED, language)
        if name == "cancelMeeting":
            return _say(Phrase.CANCELLED, language)
        if name == "listMeetings":
            return _meetings(output, language)
        if name == "queryKnowledgeBase":
            return _found(output, language)
        return _say(Phrase.OKAY, language)


def user_text(item: dict[str, Any]) -> str:
    parts = item.get("content") or []
    return " ".join(str(p.get("text") or p.get("transcript") or "") for p in parts if isinstance(p, dict))


def _last_user_text(items: list[dict[str, Any]]) -> str:
    return next((user_text(i) for i in reversed(items) if i.get("role") == "user"), "")


def okay(language: Language) -> Say:
    return Say(TEXTS[Phrase.OKAY][language], Phrase.OKAY)


def _say(phrase: Phrase, language: Language) -> Reply:
    return Reply(say=Say(TEXTS[phrase][language], phrase))


def _declared_only(tool: dict[str, Any], arguments: dict[str, Any]) -> dict[str, Any]:
    properties = (tool.get("parameters") or {}).get("properties")
    if not isinstance(properties, dict):
        return arguments
    return {key: value for key, value in arguments.items() if key in properties}


def _declined(output: Any, raw: str) -> bool:
    if isinstance(output, dict):
        status = str(output.get("status", "")).lower()
        return status in ("declined", "rejected", "cancelled_by_user") or output.get("declined") is True
    return "declined" in raw.lower() or "拒绝" in raw


def _meetings(output: Any, language: Language) -> Reply:
    meetings = output.get("meetings") if isinstance(output, dict) else output
    if not isinstance(meetings, list):
        return _say(Phrase.MEETINGS, language)
    count = len(meetings)
    text = f"您有{count}个会议。" if language is Language.ZH else f"You have {count} meetings."
    return Reply(say=Say(text, Phrase.MEETINGS))


def _found(output: Any, language: Language) -> Reply:
    source = _first_source(output)
    if not source:
        return _say(Phrase.FOUND, language)
    text = (
        f"这是我找到的信息，来源是{source}。"
        if language is Language.ZH
        else f"Here is what I found in {source}."
    )
    return Reply(say=Say(text, Phrase.FOUND))


def _first_source(output: Any) -> str:
    if isinstance(output, dict):
        for key in ("passages", "results", "sources", "matches"):
            if isinstance(output.get(key), list) and output[key]:
                return _first_source(output[key][0])
        for key in ("source", "title", "file", "name", "path"):
            if isinstance(output.get(key), str):
                return str(output[key])
    if isinstance(output, list) and output:
        return _first_source(output[0])
    return output if isinstance(output, str) and len(output) < 80 else ""
