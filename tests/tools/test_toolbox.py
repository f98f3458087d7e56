"""The toolbox opens both stores in the data folder, offers all four tools, and closes cleanly."""

from __future__ import annotations

import json

from desktop.storage import paths
from desktop.tools.ports import ToolCall
from desktop.tools.toolbox import Toolbox
from tests.tools.fakes import ScriptedConfirmer


async def test_open_use_and_close() -> None:
    toolbox = await Toolbox.open(ScriptedConfirmer())
    toolbox.start()
    assert [s["name"] for s in toolbox.registry.schemas()] == [
        "queryKnowledgeBase", "createMeeting", "listMeetings", "cancelMeeting"
    ]
    meeting = {"start_time": "2030-01-02 10:00:00", "duration": 30, "title": "t"}
    created = await toolbox.registry.execute(ToolCall("c1", "createMeeting", json.dumps(meeting)))
    assert created.status == "done"
    answer = await toolbox.registry.execute(ToolCall("q1", "queryKnowledgeBase", '{"question": "会议室"}'))
    assert answer.sources[0] == "rooms.md"
    await toolbox.close()
    assert paths.calendar_db_path().exists() and paths.knowledge_db_path().exists()
