"""The meeting dialog's accept, decline and edit paths, its live warnings, and QtConfirmer's
future under a running qasync loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTime
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from desktop.storage.meeting_model import Meeting
from desktop.tools.ports import ConfirmationAnswer, ConfirmationRequest
from desktop.ui import meeting_dialog
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


SERIES_FIELDS = {"title": "Team sync", "start_time": "2025-09-15 10:00:00", "duration": 30,
                 "recurrence": "FREQ=WEEKLY;BYDAY=MO;COUNT=10"}


def choose(box: object, data: str) -> None:
    box.setCurrentIndex(box.findData(data))  # type: ignore[attr-defined]


def test_the_recurrence_is_shown_in_words_and_edited_with_a_few_choices(qtbot: QtBot) -> None:
    dialog = make(qtbot, fields=SERIES_FIELDS)
    editor = dialog.recurrence
    assert editor.words() == "Every Monday, 10 times"
    assert editor.repeat_box.currentData() == "WEEKLY" and editor.count_edit.value() == 10
    assert dialog.values() == SERIES_FIELDS
    editor.count_edit.setValue(12)
    assert dialog.values()["recurrence"] == "FREQ=WEEKLY;BYDAY=MO;COUNT=12"
    set_start(dialog, 2025, 9, 16, 10, 0)  # a Tuesday: a weekly series follows its start
    assert dialog.values()["recurrence"] == "FREQ=WEEKLY;BYDAY=TU;COUNT=12"
    assert editor.words() == "Every Tuesday, 12 times"
    choose(editor.repeat_box, "MONTHLY")
    choose(editor.end_box, "until")
    editor.until_edit.setDate(QDate(2025, 12, 31))
    assert dialog.values()["recurrence"] == "FREQ=MONTHLY;UNTIL=20251231"
    assert editor.words() == "Every month on day 16, until 2025-12-31"
    assert not editor.count_edit.isVisibleTo(dialog) and editor.until_edit.isVisibleTo(dialog)
    choose(editor.repeat_box, "")
    assert dialog.values()["recurrence"] == "" and editor.words() == ""  # given, so said to be gone
    assert not editor.end_box.isVisibleTo(dialog)
    plain = make(qtbot, "new")
    choose(plain.recurrence.repeat_box, "DAILY")
    assert plain.values()["recurrence"] == "FREQ=DAILY" and plain.recurrence.words() == "Every day"


@pytest.mark.parametrize(("rule", "words"), [
    ("FREQ=MONTHLY;BYDAY=-1FR", "Every month on the last Friday"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", "Every 2 weeks on Monday and Wednesday"),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20251231T225959Z", "Every weekday, until 2025-12-31"),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
     "Repeats: FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
])
def test_a_richer_rule_is_kept_and_told_in_words(qtbot: QtBot, rule: str, words: str) -> None:
    dialog = make(qtbot, fields={**SERIES_FIELDS, "recurrence": rule})
    assert dialog.recurrence.repeat_box.currentData() == "custom"
    assert dialog.recurrence.words() == words
    assert dialog.values()["recurrence"] == rule
    dialog.title_edit.setText("renamed")
    assert dialog.values()["recurrence"] == rule


def test_a_series_warns_of_an_overlap_in_a_later_week(qtbot: QtBot) -> None:
    board = Meeting(8, "u8", "Board", datetime(2025, 10, 6, 10, 15, tzinfo=CST), 60, NOW, "manual")
    dialog = make(qtbot, "new", fields={**SERIES_FIELDS, "recurrence": ""}, others=[board])
    assert dialog.warning_text() == ""
    choose(dialog.recurrence.repeat_box, "WEEKLY")
    assert "Board" in dialog.warning_text() and "2025-10-06 10:15" in dialog.warning_text()
    choose(dialog.recurrence.end_box, "count")
    dialog.recurrence.count_edit.setValue(3)  # ends before 6 October
    assert dialog.warning_text() == ""


def test_an_all_day_event_is_edited_in_days(qtbot: QtBot) -> None:
    dialog = make(qtbot, "new")
    dialog.all_day_box.setChecked(True)
    dialog.days_edit.setValue(2)
    assert dialog.values() == {"title": "周会", "start_time": "2025-09-09 00:00:00", "duration": 2880,
                               "all_day": True}
    assert dialog.start_edit.displayFormat() == "yyyy-MM-dd"
    assert dialog.days_edit.isVisibleTo(dialog) and not dialog.duration_edit.isVisibleTo(dialog)
    shown = make(qtbot, "edit", fields={"title": "Trip", "start_time": "2025-10-03 00:00:00",
                                        "duration": 4320, "all_day": True})
    assert shown.all_day_box.isChecked() and shown.days_edit.value() == 3
    shown.all_day_box.setChecked(False)
    assert shown.values()["all_day"] is False and shown.values()["duration"] == 30


def test_cancelling_an_occurrence_asks_it_or_the_whole_series(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    confirmer = QtConfirmer(parent, tz=CST, now=lambda: NOW)
    occurrence = {**SERIES_FIELDS, "id": 3, "start_time": "2025-10-06 10:00:00", "scope": "occurrence"}

    def whole_series(dialog: MeetingDialog) -> None:
        assert dialog.scope is not None and dialog.scope.only_this.isChecked()
        assert "2025-10-06 10:00" in dialog.scope.only_this.text()
        assert "Every Monday, 10 times" in dialog.scope.whole_series.text()
        dialog.scope.whole_series.click()
        dialog.accept_button.click()

    async def scenario() -> tuple[ConfirmationAnswer, ConfirmationAnswer, ConfirmationAnswer]:
        series = await _ask(confirmer, ConfirmationRequest("cancel_meeting", occurrence), whole_series)
        one = await _ask(confirmer, ConfirmationRequest("cancel_meeting", occurrence),
                         lambda d: d.accept_button.click())
        single = await _ask(confirmer, ConfirmationRequest("cancel_meeting", dict(FIELDS)),
                            lambda d: d.accept_button.click())
        return series, one, single

    series, one, single = qloop.run_until_complete(scenario())
    assert series == ConfirmationAnswer(True, {"scope": "series"})
    assert one == ConfirmationAnswer(True, {"scope": "occurrence"})
    assert single == ConfirmationAnswer(True, {})


def test_the_recurrence_the_cancel_choice_and_the_import_list_speak_chinese(
    qapp: QApplication, qtbot: QtBot
) -> None:
    from desktop.app.launch import install_translators
    from desktop.storage.ics import ImportReport
    from desktop.ui.calendar_files import import_notice
    from desktop.ui.recurrence_words import rule_in_words

    installed = install_translators(qapp, QLocale("zh_CN"))
    try:
        dialog = make(qtbot, fields=SERIES_FIELDS)
        assert dialog.recurrence.words() == "每周一，共 10 次"
        assert dialog.recurrence.repeat_box.currentText() == "每周"
        monday = datetime(2025, 9, 15, 10, 0, tzinfo=CST)
        assert rule_in_words("FREQ=MONTHLY;BYDAY=-1FR", monday) == "每月最后一个周五"
        twice_a_week = rule_in_words("FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20251231", monday)
        assert twice_a_week == "每周一、周三，直到 2025-12-31"
        removal = make(qtbot, "cancel", fields={**SERIES_FIELDS, "scope": "occurrence"})
        assert removal.scope is not None
        assert removal.scope.only_this.text() == "仅这一次（2025-09-15 10:00）"
        assert removal.scope.whole_series.text() == "整个系列（每周一，共 10 次）"
        report = ImportReport(2, 1, (("Conference", "it lasts longer than 24 hours"),))
        said = "已导入 2 个会议，1 个已在日历中。未导入：“Conference”（持续超过 24 小时）。"
        assert import_notice(report) == said
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)


def test_a_title_keystroke_does_not_recheck_overlaps(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """The title changes nothing the warning says: typing it must not expand the series again."""
    checks: list[object] = []
    real = meeting_dialog.clashes_of
    monkeypatch.setattr(meeting_dialog, "clashes_of", lambda *args: checks.append(args) or real(*args))
    dialog = make(qtbot, "new", fields={**SERIES_FIELDS, "recurrence": "FREQ=DAILY"}, others=[STANDUP])
    opened = len(checks)
    for text in ("D", "Da", "Dai", "Daily"):
        dialog.title_edit.setText(text)
    assert len(checks) == opened
    dialog.duration_edit.setValue(45)
    assert len(checks) == opened + 1


def test_the_warning_follows_the_start(qtbot: QtBot) -> None:
    dialog = make(qtbot, others=[STANDUP])
    assert "standup" in dialog.warning_text()
    set_start(dialog, 2025, 9, 9, 17, 0)
    assert dialog.warning_text() == ""
    set_start(dialog, 2025, 9, 9, 16, 15)
    assert "standup" in dialog.warning_text()


def test_a_daily_rule_that_never_matches_its_start_is_not_searched(qtbot: QtBot) -> None:
    """Every 7 days on Mondays, from a Tuesday: dateutil would look until the year 9999."""
    dialog = make(qtbot, "edit", fields={**FIELDS, "recurrence": "FREQ=DAILY;INTERVAL=7;BYDAY=MO"},
                  others=[STANDUP])
    assert "standup" in dialog.warning_text()  # the first meeting, 2025-09-09 (a Tuesday), still counts


def test_a_start_too_far_away_is_said_in_one_sentence(qtbot: QtBot) -> None:
    dialog = make(qtbot, others=[STANDUP])
    set_start(dialog, 9999, 12, 31, 23, 30)
    assert dialog.warning_text() == "⚠ The start time 9999-12-31 is too far from today."
