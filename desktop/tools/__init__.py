"""The assistant's tools: registry, argument validation, meetings and the knowledge base, and the
meetings' reminders (reminders.py, which the window presents). Tools do not know they are called by
voice.

Other packages import only the names below; modules inside the package import each other directly.
"""

from typing import TYPE_CHECKING

from desktop import lazy_exports

if TYPE_CHECKING:
    from desktop.tools.knowledge import KnowledgeBase, default_folder
    from desktop.tools.knowledge_status import FallbackReason, KnowledgeStatus
    from desktop.tools.ports import (
        ConfirmationAnswer,
        ConfirmationRequest,
        Embedder,
        ToolCall,
        ToolExecutor,
        ToolResult,
    )
    from desktop.tools.reminders import Checked, Reminder, ReminderScheduler
    from desktop.tools.toolbox import Toolbox

__all__ = [
    "Checked",
    "ConfirmationAnswer",
    "ConfirmationRequest",
    "Embedder",
    "FallbackReason",
    "KnowledgeBase",
    "KnowledgeStatus",
    "Reminder",
    "ReminderScheduler",
    "ToolCall",
    "ToolExecutor",
    "ToolResult",
    "Toolbox",
    "default_folder",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "knowledge": (
            "KnowledgeBase",
            "default_folder",
        ),
        "knowledge_status": ("FallbackReason", "KnowledgeStatus"),
        "ports": (
            "ConfirmationAnswer",
            "ConfirmationRequest",
            "Embedder",
            "ToolCall",
            "ToolExecutor",
            "ToolResult",
        ),
        "reminders": (
            "Checked",
            "Reminder",
            "ReminderScheduler",
        ),
        "toolbox": ("Toolbox",),
    },
)
