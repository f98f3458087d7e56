"""Settings opened from the window: the dialog over it (not modal: the conversation keeps running
behind it), its connection test wired to the controller, and Save applied and stored by the controller.
Split from main_window.py to keep that module about the window itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from desktop.ui.controller import Controller
    from desktop.ui.ports import SettingsContext
    from desktop.ui.settings_dialog import SettingsDialog


def open_settings_dialog(
    parent: QWidget, controller: Controller, context: SettingsContext, saved: Callable[[], None],
    shortcut_status: str = "",
) -> SettingsDialog:
    """Opens Settings over `parent`; `saved()` runs after Save has been applied. `shortcut_status`:
    whether the talk shortcut works in every application here, or why not."""
    from desktop.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(
        context.prefs,
        context.api_key,
        keychain_works=context.keychain_works,
        devices=context.devices,
        ice_credential=context.ice_credential,
        environment=context.environment,
        shortcut_status=shortcut_status,
        parent=parent,
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.testRequested.connect(controller.test_connection)
    controller.checkStep.connect(dialog.show_check_step)
    controller.checkFinished.connect(dialog.check_finished)
    controller.knowledgeStatusKnown.connect(dialog.knowledge.show_status)  # counted off the GUI thread
    dialog.knowledge.embedApproved.connect(controller.embed_knowledge_now)
    dialog.accepted.connect(lambda: _accepted(controller, dialog, saved))
    dialog.open()
    return dialog


def _accepted(controller: Controller, dialog: SettingsDialog, saved: Callable[[], None]) -> None:
    controller.apply_settings(dialog.values(), dialog.entered_key(), dialog.entered_ice_credential())
    saved()
