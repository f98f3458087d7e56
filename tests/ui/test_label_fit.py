"""desktop/ui/label_fit.py with a width of one unit per Latin character and two per Chinese one."""

from __future__ import annotations

import pytest

from desktop.ui.label_fit import fitted


def advance(text: str) -> int:
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def elide(text: str, room: int) -> str:
    while advance(text + "…") > room:
        text = text[:-1]
    return text + "…"


@pytest.mark.parametrize(
    ("label", "room", "lines", "expected"),
    [
        ("Hold to talk (Space)", 40, 2, "Hold to talk (Space)"),
        ("Assistant is thinking — press to interrupt", 22, 2, "Assistant is thinking\npress to interrupt"),
        ("Waiting for your answer in the meeting dialog", 24, 2,
         "Waiting for your answer\nin the meeting dialog"),
        ("正在等待您在会议对话框中确认", 16, 2, "正在等待您在会\n议对话框中确认"),
        ("正在重新连接…（第 2 次，共 6 次）", 20, 2, "正在重新连接…（第\n2 次，共 6 次）"),
        ("Assistant is speaking — press to interrupt", 14, 2, "Assistant is\nspeaking — pr…"),
        ("Assistant is speaking — press to interrupt", 14, 3, "Assistant is\nspeaking —\npress to inte…"),
    ],
)
def test_a_label_fits_on_one_line_or_wraps_then_elides(
    label: str, room: int, lines: int, expected: str
) -> None:
    assert fitted(label, room, advance, elide, lines) == expected


def test_chinese_punctuation_never_starts_a_line_nor_an_opening_bracket_ends_one() -> None:
    for room in range(6, 30):
        for line in fitted("正在重新连接…（第 2 次，共 6 次）", room, advance, elide, 6).split("\n"):
            assert line[:1] not in "，…）" and line[-1:] != "（"
