from __future__ import annotations

from datetime import datetime, timedelta, timezone

from desktop.realtime.instructions import build_instructions, default_instructions


def test_default_instructions_with_local_time() -> None:
    now = datetime(2026, 11, 24, 15, 5, tzinfo=timezone(timedelta(hours=8), "CST"))
    text = build_instructions("", now)
    assert text.startswith(default_instructions())
    assert "2026-11-24 (Tuesday) 15:05" in text and "UTC+08:00" in text and "CST" in text


def test_configured_instructions_win() -> None:
    assert build_instructions("Be brief.").startswith("Be brief.\n\n")
