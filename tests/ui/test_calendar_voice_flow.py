"""Wired as in the app: the registry's createMeeting asks through QtConfirmer (under qasync), the
person edits and confirms, and the calendar pane shows the meeting as soon as it is stored."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.storage.meeting_model import MeetingDraft
from desktop.storage.meetings import MeetingStore
from desktop.storage.worker import StoreWorker
from desktop.tools.meetings import MeetingTools
from desktop.tools.ports import ToolCall
from desktop.tools.registry import ToolRegistry
from desktop.ui.calendar_pane import CalendarPane
from desktop.ui.qt_confirmer import QtConfirmer

CST = timezone(timedelta(hours=8))
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=CST)


def test_voice_booking_shows_up_in_the_pane(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, tmp_path: Path
) -> None:
    """`qloop` (tests/ui/conftest.py) runs qasync with garbage collected on the GUI thread only."""
    store = MeetingStore(tmp_path / "calendar.sqlite3")
    worker = StoreWorker("test-calendar")
    store.create(MeetingDraft("standup", datetime(2025, 9, 9, 16, 0, tzinfo=CST), 30))
    pane = CalendarPane(store, worker, tz=CST, now=lambda: NOW)
    qtbot.addWidget(pane)
    pane.select_day(date(2025, 9, 9))
    qtbot.waitUntil(lambda: len(pane.meetings()) == 1)
    confirmer = QtConfirmer(pane, snapshot=pane.meetings, tz=CST, now=lambda: NOW)
    registry = ToolRegistry(MeetingTools(store, worker, confirmer, tz=CST, now=lambda: NOW).tools())
    arguments = json.dumps({"start_time": "2025-09-09 15:30:00", "duration": 60, "title": "周会"})

    async def scenario() -> dict:
        pending = asyncio.ensure_future(registry.execute(ToolCall("c1", "createMeeting", arguments)))
        # The tool checks overlaps on the worker before it asks; poll the plain list it fills.
        while not confirmer.open_dialogs:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        (dialog,) = confirmer.open_dialogs
        assert "standup" in dialog.warning_text()
        dialog.duration_edit.setValue(30)  # the person shortens it to end before the standup
        assert dialog.warning_text() == ""
        dialog.accept_button.click()
        return json.loads((await pending).output)

    body = qloop.run_until_complete(scenario())
    assert body["status"] == "created" and body["meeting"]["duration"] == 30
    qtbot.waitUntil(lambda: [m.title for m in pane.day_meetings()] == ["周会", "standup"])
    assert pane.day_list.item(0).text() == "15:30–16:00  周会"
    pane.shutdown()
    worker.close()
    store.close()
