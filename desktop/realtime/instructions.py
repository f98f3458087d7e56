"""The instructions sent in session.update: the configured or default prompt plus the local date and
time at connect time, so "tomorrow at three" resolves against the person's clock."""

from __future__ import annotations

from datetime import datetime

from desktop.storage import resource

DEFAULT_INSTRUCTIONS = ("instructions", "meeting_assistant.txt")


def default_instructions() -> str:
    return resource(*DEFAULT_INSTRUCTIONS).read_text(encoding="utf-8").strip()


def current_time_note(now: datetime) -> str:
    offset = now.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    zone = now.tzname() or offset
    return f"Current local date and time: {now:%Y-%m-%d} ({now:%A}) {now:%H:%M}, time zone {zone} ({offset})."


def build_instructions(configured: str, now: datetime | None = None) -> str:
    moment = now if now is not None else datetime.now().astimezone()
    base = configured.strip() or default_instructions()
    return f"{base}\n\n{current_time_note(moment)}"
