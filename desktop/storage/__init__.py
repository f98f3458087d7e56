"""Storage: the meeting store and the knowledge index in SQLite, iCalendar, documents, migrations,
and where files live (`paths`).

Other packages import only the names below; modules inside the package import each other directly.
"""

from typing import TYPE_CHECKING

from desktop import lazy_exports

if TYPE_CHECKING:
    from desktop.storage import paths
    from desktop.storage.ics import ImportReport, export_calendar, import_calendar
    from desktop.storage.ics_events import NotImported
    from desktop.storage.knowledge_index import Hit, KnowledgeIndex
    from desktop.storage.knowledge_query import clean_question
    from desktop.storage.knowledge_sync import IndexProgress, SyncReport, SyncTally
    from desktop.storage.meeting_model import (
        DEFAULT_REMINDER_MINUTES,
        DEFAULT_TITLE,
        MAX_ALL_DAY_DAYS,
        MAX_DURATION_MINUTES,
        MAX_REMINDER_MINUTES,
        MAX_TITLE_CHARS,
        MAX_YEARS_AWAY,
        MINUTES_PER_DAY,
        NO_REMINDER,
        InvalidMeeting,
        Meeting,
        MeetingDraft,
        Recurrence,
        check_reminder,
        check_start,
        check_title,
        clashes_of,
        format_local,
        localize,
        parse_day,
        parse_local,
        warnings_for,
    )
    from desktop.storage.meetings import MeetingChange, MeetingStore
    from desktop.storage.occurrences import checked_draft, draft_occurrences, moved_recurrence, zone_name
    from desktop.storage.paths import APP_AUTHOR, APP_ID, APP_NAME, DATA_DIR_ENV, data_dir, log_dir, resource
    from desktop.storage.recurrence_rule import MAX_COUNT, MAX_RULE_CHARS, RuleParts, parse_rule
    from desktop.storage.reminder_log import LoggedReminder
    from desktop.storage.transport_memory import TransportMemory
    from desktop.storage.worker import StoreWorker

__all__ = [
    "APP_AUTHOR",
    "APP_ID",
    "APP_NAME",
    "DATA_DIR_ENV",
    "DEFAULT_REMINDER_MINUTES",
    "DEFAULT_TITLE",
    "MAX_ALL_DAY_DAYS",
    "MAX_COUNT",
    "MAX_DURATION_MINUTES",
    "MAX_REMINDER_MINUTES",
    "MAX_RULE_CHARS",
    "MAX_TITLE_CHARS",
    "MAX_YEARS_AWAY",
    "MINUTES_PER_DAY",
    "NO_REMINDER",
    "Hit",
    "ImportReport",
    "IndexProgress",
    "InvalidMeeting",
    "KnowledgeIndex",
    "LoggedReminder",
    "Meeting",
    "MeetingChange",
    "MeetingDraft",
    "MeetingStore",
    "NotImported",
    "Recurrence",
    "RuleParts",
    "StoreWorker",
    "SyncReport",
    "SyncTally",
    "TransportMemory",
    "check_reminder",
    "check_start",
    "check_title",
    "checked_draft",
    "clashes_of",
    "clean_question",
    "data_dir",
    "draft_occurrences",
    "export_calendar",
    "format_local",
    "import_calendar",
    "localize",
    "log_dir",
    "moved_recurrence",
    "parse_day",
    "parse_local",
    "parse_rule",
    "paths",
    "resource",
    "warnings_for",
    "zone_name",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "ics": (
            "ImportReport",
            "export_calendar",
            "import_calendar",
        ),
        "ics_events": ("NotImported",),
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
            "DEFAULT_REMINDER_MINUTES",
            "DEFAULT_TITLE",
            "InvalidMeeting",
            "MAX_ALL_DAY_DAYS",
            "MAX_DURATION_MINUTES",
            "MAX_REMINDER_MINUTES",
            "MAX_TITLE_CHARS",
            "MAX_YEARS_AWAY",
            "MINUTES_PER_DAY",
            "Meeting",
            "NO_REMINDER",
            "MeetingDraft",
            "Recurrence",
            "check_reminder",
            "check_start",
            "check_title",
            "clashes_of",
            "format_local",
            "localize",
            "parse_day",
            "parse_local",
            "warnings_for",
        ),
        "meetings": (
            "MeetingChange",
            "MeetingStore",
        ),
        "occurrences": (
            "checked_draft",
            "draft_occurrences",
            "moved_recurrence",
            "zone_name",
        ),
        "reminder_log": ("LoggedReminder",),
        "transport_memory": ("TransportMemory",),
        "recurrence_rule": (
            "MAX_COUNT",
            "MAX_RULE_CHARS",
            "RuleParts",
            "parse_rule",
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
