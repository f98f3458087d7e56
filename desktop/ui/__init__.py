"""The window: widgets, dialogs, the calendar and the inspector, and the controller (the one bridge
from the asyncio world to Qt). Widgets hold no `async def`.

Other packages import only the names below; modules inside the package import each other directly.
"""

from typing import TYPE_CHECKING

from desktop import lazy_exports

if TYPE_CHECKING:
    from desktop.ui.calendar_pane import CalendarPane
    from desktop.ui.colour_scheme import follow_system
    from desktop.ui.controller import Controller
    from desktop.ui.event_loop import BatchingQEventLoop
    from desktop.ui.main_window import MainWindow
    from desktop.ui.meeting_dialog import MeetingDialog
    from desktop.ui.native_notifications import NativeNotifications
    from desktop.ui.network_watch import NetworkWatch
    from desktop.ui.ports import SessionHandle
    from desktop.ui.qt_confirmer import QtConfirmer
    from desktop.ui.reminder_presenter import ReminderPresenter, show_day
    from desktop.ui.single_instance import Instance, claim
    from desktop.ui.tray import Tray

__all__ = [
    "BatchingQEventLoop",
    "CalendarPane",
    "Controller",
    "Instance",
    "MainWindow",
    "MeetingDialog",
    "NativeNotifications",
    "NetworkWatch",
    "QtConfirmer",
    "ReminderPresenter",
    "SessionHandle",
    "Tray",
    "claim",
    "follow_system",
    "show_day",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "calendar_pane": ("CalendarPane",),
        "colour_scheme": ("follow_system",),
        "controller": ("Controller",),
        "event_loop": ("BatchingQEventLoop",),
        "main_window": ("MainWindow",),
        "meeting_dialog": ("MeetingDialog",),
        "native_notifications": ("NativeNotifications",),
        "network_watch": ("NetworkWatch",),
        "ports": ("SessionHandle",),
        "qt_confirmer": ("QtConfirmer",),
        "reminder_presenter": (
            "ReminderPresenter",
            "show_day",
        ),
        "single_instance": (
            "Instance",
            "claim",
        ),
        "tray": ("Tray",),
    },
)
