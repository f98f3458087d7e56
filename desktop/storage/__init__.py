"""Storage: the meeting store and the knowledge index in SQLite, iCalendar, documents, migrations,
and where files live (`paths`).

Other packages import only the names below; modules inside the package import each other directly.
"""

from typing import TYPE_CHECKING

from desktop import lazy_exports

if TYPE_CHECKING:
    from desktop.storage import paths
    from desktop.storage.ics import export_calendar, import_calendar
    from desktop.storage.knowledge_index import Hit, KnowledgeIndex
    from desktop.storage.knowledge_query import clean_question
    from desktop.storage.knowledge_sync import IndexProgress, SyncReport, SyncTally
    from desktop.storage.meeting_model import (
        DEFAULT_TITLE,
        MAX_DURATION_MINUTES,
        MAX_TITLE_CHARS,
        MAX_YEARS_AWAY,
        InvalidMeeting,
        Meeting,
        MeetingDraft,
        check_duration,
        check_start,
        check_title,
        checked_draft,
        format_local,
        localize,
        overlapping,
        parse_day,
        parse_local,
        warnings_for,
    )
    from desktop.storage.meetings import MeetingChange, MeetingStore
    from desktop.storage.paths import APP_AUTHOR, APP_ID, APP_NAME, DATA_DIR_ENV, data_dir, log_dir, resource
    from desktop.storage.worker import StoreWorker

__all__ = [
    "APP_AUTHOR",
    "APP_ID",
    "APP_NAME",
    "DATA_DIR_ENV",
    "DEFAULT_TITLE",
    "MAX_DURATION_MINUTES",
    "MAX_TITLE_CHARS",
    "MAX_YEARS_AWAY",
    "Hit",
    "IndexProgress",
    "InvalidMeeting",
    "KnowledgeIndex",
    "Meeting",
    "MeetingChange",
    "MeetingDraft",
    "MeetingStore",
    "StoreWorker",
    "SyncReport",
    "SyncTally",
    "check_duration",
    "check_start",
    "check_title",
    "checked_draft",
    "clean_question",
    "data_dir",
    "export_calendar",
    "format_local",
    "import_calendar",
    "localize",
    "log_dir",
    "overlapping",
    "parse_day",
    "parse_local",
    "paths",
    "resource",
    "warnings_for",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "ics": (
            "export_calendar",
            "import_calendar",
        ),
        "knowledge_index": (
            "Hit",
            "KnowledgeIndex",
        ),
        "knowledge_query": ("clean_question",),
        "knowledge_sync": (
            "IndexProgress",
            "SyncReport",
            "SyncTally",
        ),
        "meeting_model": (
            "DEFAULT_TITLE",
            "InvalidMeeting",
            "MAX_DURATION_MINUTES",
            "MAX_TITLE_CHARS",
            "MAX_YEARS_AWAY",
            "Meeting",
            "MeetingDraft",
            "check_duration",
            "check_start",
            "check_title",
            "checked_draft",
            "format_local",
            "localize",
            "overlapping",
            "parse_day",
            "parse_local",
            "warnings_for",
        ),
        "meetings": (
            "MeetingChange",
            "MeetingStore",
        ),
        "paths": (
            "APP_AUTHOR",
            "APP_ID",
            "APP_NAME",
            "DATA_DIR_ENV",
            "data_dir",
            "log_dir",
            "resource",
        ),
        "worker": ("StoreWorker",),
    },
)
