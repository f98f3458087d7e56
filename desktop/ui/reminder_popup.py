"""The app's own reminder: a small window in the corner of the screen, above the others, with the
meeting's title, time and length, and Show and Dismiss. It stands in where the system has no
notification service (or it refuses), and it shows whether the main window is hidden or not.

Several reminders at once stack upwards; each closes on its own.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop.tools import Reminder

_MARGIN = 16


class ReminderPopup(QWidget):
    show_requested = Signal(object)  # the Reminder whose meeting the person wants to see
    dismissed = Signal(object)  # the Reminder, closed without Show

    def __init__(self, reminder: Reminder, heading: str, when: str, parent: QWidget | None = None) -> None:
        """`heading` says how soon ("Starts in 10 minutes"), `when` the time and length."""
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.reminder = reminder
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        # macOS hides tool windows while the app is inactive, and a reminder comes exactly then.
        self.setAttribute(Qt.WidgetAttribute.WA_MacAlwaysShowToolWindow)
        self.setWindowTitle(self.tr("Meeting reminder"))
        self.heading = QLabel(heading)
        self.title = QLabel(reminder.title)
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.when = QLabel(when)
        buttons = QDialogButtonBox()
        self.show_button = buttons.addButton(self.tr("Show"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.dismiss_button = buttons.addButton(self.tr("Dismiss"), QDialogButtonBox.ButtonRole.RejectRole)
        self.show_button.clicked.connect(self._show_meeting)
        self.dismiss_button.clicked.connect(self._dismiss)
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.title, self.when, buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(320)

    def place(self, stacked: int) -> None:
        """Bottom right of the screen, above the `stacked` reminders already there."""
        self.adjustSize()
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        height = self.sizeHint().height() + _MARGIN
        self.move(area.right() - self.width() - _MARGIN, area.bottom() - height * (stacked + 1))

    def _show_meeting(self) -> None:
        self.show_requested.emit(self.reminder)
        self.close()

    def _dismiss(self) -> None:
        self.dismissed.emit(self.reminder)
        self.close()
