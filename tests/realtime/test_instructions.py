from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from desktop.realtime.instructions import build_instructions, default_instructions
from desktop.tools.meeting_tool_schemas import DESCRIPTIONS


def test_default_instructions_with_local_time() -> None:
    now = datetime(2026, 11, 24, 15, 5, tzinfo=timezone(timedelta(hours=8), "CST"))
    text = build_instructions("", now)
    assert text.startswith(default_instructions())
    assert "2026-11-24 (Tuesday) 15:05" in text and "UTC+08:00" in text and "CST" in text


def test_configured_instructions_win() -> None:
    assert build_instructions("Be brief.").startswith("Be brief.\n\n")


def _only_as_what_not_to_do(text: str, words: str) -> None:
    """Reading the details back or waiting for a spoken yes may be named only to forbid it."""
    for match in re.finditer(words, text):
        assert "不要" in text[max(0, match.start() - 12) : match.start()], text[match.start() - 20 :]


def test_the_dialog_is_the_one_confirmation_in_the_instructions() -> None:
    """Issue 17: the app's dialog confirms every meeting change, so the model calls the tool as soon
    as it has the details, keeps asking for missing ones, and says the dialog's result once."""
    text = default_instructions()
    rule = next(line for line in text.splitlines() if "确认窗口" in line)
    assert "预约" in rule and "取消" in rule and "createMeeting" in rule and "cancelMeeting" in rule
    assert "直接调用 createMeeting" in text and "直接调用 cancelMeeting" in text
    assert "缺哪一项就问哪一项" in text  # missing details are still asked for
    assert "只说一次" in text
    _only_as_what_not_to_do(text, "复述|口头")


def test_the_tool_descriptions_agree() -> None:
    """The model reads the tools' descriptions too: they must not ask for the spoken yes back."""
    for name in ("createMeeting", "cancelMeeting"):
        description = DESCRIPTIONS[name]
        assert "确认窗口" in description
        _only_as_what_not_to_do(description, "复述|口头")
