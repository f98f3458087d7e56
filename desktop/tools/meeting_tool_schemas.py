"""The JSON Schemas of the meeting tools, as the model sees them (descriptions in Chinese, like the
assistant's instructions)."""

from __future__ import annotations

from typing import Any

from desktop.storage import DEFAULT_TITLE, MAX_DURATION_MINUTES, MAX_RULE_CHARS, MAX_TITLE_CHARS

DATE_TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
MAX_MEETING_ID = 2**63 - 1  # SQLite's largest INTEGER: a bigger id would overflow the query itself

_TITLE: dict[str, Any] = {"type": "string", "maxLength": MAX_TITLE_CHARS}

CREATE_MEETING: dict[str, Any] = {
    "type": "object",
    "properties": {
        "start_time": {
            "type": "string",
            "pattern": DATE_TIME_PATTERN,
            "description": "会议开始时间（客户的本地时间），格式：年-月-日 时:分:00，"
            "例如 2025-09-09 15:30:00",
        },
        "duration": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_DURATION_MINUTES,
            "description": "会议时长，单位分钟的整数，例如 90",
        },
        "title": {**_TITLE, "description": f"会议名称；客户没有说明时用“{DEFAULT_TITLE}”"},
        "recurrence": {
            "type": "string",
            "maxLength": MAX_RULE_CHARS,
            "description": "可选，只在会议重复时填写：RFC 5545 的 RRULE。例如每周一、共十次："
            "FREQ=WEEKLY;BYDAY=MO;COUNT=10；每个工作日直到年底：FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20251231；"
            "每月第一个周二：FREQ=MONTHLY;BYDAY=1TU。start_time 是第一次会议的时间。",
        },
    },
    "required": ["start_time", "duration", "title"],
    "additionalProperties": False,
}

LIST_MEETINGS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "from_date": {"type": "string", "pattern": DATE_PATTERN,
                      "description": "查询的第一天，格式：年-月-日，例如 2025-09-09"},
        "to_date": {"type": "string", "pattern": DATE_PATTERN,
                    "description": "查询的最后一天（包含），格式：年-月-日；只查一天时可省略"},
    },
    "required": ["from_date"],
    "additionalProperties": False,
}

CANCEL_MEETING: dict[str, Any] = {
    "type": "object",
    "properties": {
        "meeting_id": {"type": "integer", "minimum": 1, "maximum": MAX_MEETING_ID,
                       "description": "要取消的会议编号（来自 listMeetings 的 id）；知道编号时优先使用"},
        "title": {**_TITLE, "description": "会议名称；可与 date 一起使用，只给名称时在今后的会议里查找"},
        "date": {"type": "string", "pattern": DATE_PATTERN, "description": "会议所在日期，格式：年-月-日"},
        "scope": {"type": "string", "enum": ["occurrence", "series"],
                  "description": "重复会议：occurrence 只取消 date 那一次（没有 date 时取消下一次），"
                                 "series 取消整个系列；客户会在确认窗口里再选一次"},
    },
    "additionalProperties": False,
}

DESCRIPTIONS = {
    "createMeeting": "创建一场会议（指定开始时间、时长和名称）。信息齐了就直接调用，"
    "不要先复述或等客户口头确认：调用后应用会弹出确认窗口，"
    "客户在窗口里确认或修改，结果以工具返回为准。",
    "listMeetings": "查询某一天或某段日期内已预约的会议，返回每场会议的编号、名称、开始时间和时长。",
    "cancelMeeting": "取消一场会议：提供会议编号，或提供会议名称和日期。若有多场符合，会返回候选让客户选择；"
    "调用后应用会弹出确认窗口，客户在窗口里确认，不要先口头确认。",
}
