"""The meeting dialog's accept, decline and edit paths, its live warnings, and QtConfirmer's
future under a running qasync loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from desktop.storage.meeting_model import Meeting
from desktop.tools.ports import ConfirmationAnswer, ConfirmationRequest
from desktop.ui.meeting_dialog import MeetingDialog, _filled
from desktop.ui.qt_confirmer import QtConfirmer

CST = timezone(timedelta(hours=8))
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=CST)
FIELDS = {"title": "周会", "start_time": "2025-09-09 15:30:00", "duration": 60}
STANDUP = Meeting(7, "u7", "standup", datetime(2025, 9, 9, 16, 0, tzinfo=CST), 30, NOW, "manual")


def make(qtbot: QtBot, mode: str = "create", fields: dict | None = None, **kwargs: object) -> MeetingDialog:
    dialog = MeetingDialog(None, mode, fields or FIELDS, tz=CST, now=lambda: NOW, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    return dialog


def set_start(dialog: MeetingDialog, year: int, month: int, day: int, hour: int, minute: int) -> None:
    dialog.start_edit.setDateTime(QDateTime(QDate(year, month, day), QTime(hour, minute)))


def test_confirm_returns_the_shown_values(qtbot: QtBot) -> None:
    dialog = make(qtbot)
    dialog.open()
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    assert dialog.accept_button.text() == "Confirm" and dialog.reject_button.text() == "Decline"
    with qtbot.waitSignal(dialog.finished) as finished:
        qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert finished.args == [QDialog.DialogCode.Accepted]
    assert dialog.values() == FIELDS


def test_decline(qtbot: QtBot) -> None:
    dialog = make(qtbot)
    dialog.open()
    with qtbot.waitSignal(dialog.finished) as finished:
        qtbot.mouseClick(dialog.reject_button, Qt.MouseButton.LeftButton)
    assert finished.args == [QDialog.DialogCode.Rejected]


def test_editing_changes_the_values_and_refreshes_the_warning(qtbot: QtBot) -> None:
    dialog = make(qtbot, others=[STANDUP])
    assert "standup" in dialog.warning_text()
    dialog.title_edit.setText("  项目周会 ")
    dialog.duration_edit.setValue(25)
    assert dialog.warning_text() == ""  # 15:30 + 25 min ends before the 16:00 standup
    set_start(dialog, 2025, 8, 1, 9, 0)
    assert "past" in dialog.warning_text()
    set_start(dialog, 2025, 9, 10, 9, 0)
    assert dialog.values() == {"title": "项目周会", "start_time": "2025-09-10 09:00:00", "duration": 25}
    assert dialog.warning_text() == ""
    dialog.title_edit.clear()
    assert dialog.values()["title"] == "我的会议"


def test_without_a_calendar_snapshot_the_tool_warnings_show_until_edited(qtbot: QtBot) -> None:
    dialog = make(qtbot, warnings=("Overlaps with “standup”.",))
    assert "standup" in dialog.warning_text()
    dialog.duration_edit.setValue(20)
    assert dialog.warning_text() == ""


def test_manual_modes_use_save_and_cancel_and_cancel_mode_is_read_only(qtbot: QtBot) -> None:
    edit = make(qtbot, "edit")
    assert edit.accept_button.text().replace("&", "") == "Save"
    assert edit.reject_button.text().replace("&", "") == "Cancel"
    removal = make(qtbot, "cancel")
    assert removal.title_edit.isReadOnly() and removal.duration_edit.isReadOnly()
    assert removal.accept_button.text() == "Confirm"


async def _ask(
    confirmer: QtConfirmer, request: ConfirmationRequest, act: Callable[[MeetingDialog], None]
) -> ConfirmationAnswer:
    pending = asyncio.ensure_future(confirmer.confirm(request))
    await asyncio.sleep(0)  # confirm() opens the dialog before its first await
    (dialog,) = confirmer.open_dialogs
    assert dialog.isVisible()
    act(dialog)
    return await pending


def test_qt_confirmer_answers_through_a_future_while_the_loop_runs(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    asked: list[str] = []
    confirmer = QtConfirmer(
        parent, snapshot=lambda: [STANDUP], tz=CST, now=lambda: NOW, on_asking=asked.append
    )
    request = ConfirmationRequest("create_meeting", dict(FIELDS), ("old warning",), "call-1")
    ticks = 0

    async def keep_ticking() -> None:  # the session's other work goes on while the dialog is up
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    def edit_and_confirm(dialog: MeetingDialog) -> None:
        assert "standup" in dialog.warning_text()
        dialog.duration_edit.setValue(30)
        dialog.accept_button.click()

    async def scenario() -> tuple[ConfirmationAnswer, ConfirmationAnswer]:
        ticker = asyncio.ensure_future(keep_ticking())
        await asyncio.sleep(0.02)
        approved = await _ask(confirmer, request, edit_and_confirm)
        declined = await _ask(confirmer, ConfirmationRequest("cancel_meeting", dict(FIELDS)),
                              lambda d: d.reject_button.click())
        pending = asyncio.ensure_future(confirmer.confirm(request))
        await asyncio.sleep(0)
        assert len(confirmer.open_dialogs) == 1
        pending.cancel()  # the session closed while the person was deciding
        with pytest.raises(asyncio.CancelledError):
            await pending
        ticker.cancel()
        return approved, declined

    approved, declined = qloop.run_until_complete(scenario())
    assert approved == ConfirmationAnswer(True, {**FIELDS, "duration": 30})
    assert declined == ConfirmationAnswer(False, {})
    assert confirmer.open_dialogs == []
    assert ticks > 1
    assert asked == ["call-1", "call-1"]  # the cancel request had no call_id to name


def test_a_placeholder_without_a_value_stays_as_written() -> None:
    """A slip in a translation ("%4" where there are three values) shows, rather than failing."""
    assert _filled("%1 at %2 (%4, %0)", "Standup", "9:00") == "Standup at 9:00 (%4, %0)"
