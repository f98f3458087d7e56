"""The main window's menu bar: File (save the conversation, knowledge folder, Settings, Quit), View
(the event inspector) and Help (About). The window keeps the actions the controller's wiring needs; the
words keep the window's translation context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenuBar


class MenuActions(NamedTuple):
    save: QAction
    knowledge: QAction
    settings: QAction
    inspector: QAction
    about: QAction


def add_menus(bar: QMenuBar, inspector: QDockWidget, *, save: Callable[[], object],
              choose_folder: Callable[[], None], quit_app: Callable[[], None]) -> MenuActions:
    file = bar.addMenu(QCoreApplication.translate("MainWindow", "&File"))
    save_action = file.addAction(QCoreApplication.translate("MainWindow", "Save conversation as Markdown…"))
    save_action.triggered.connect(save)
    knowledge = file.addAction(QCoreApplication.translate("MainWindow", "&Knowledge folder…"))
    knowledge.triggered.connect(choose_folder)
    settings = file.addAction(QCoreApplication.translate("MainWindow", "&Settings…"))
    settings.setShortcut(QKeySequence.StandardKey.Preferences)
    file.addSeparator()
    quit_action = file.addAction(QCoreApplication.translate("MainWindow", "&Quit"))
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    quit_action.triggered.connect(lambda: quit_app())
    view = bar.addMenu(QCoreApplication.translate("MainWindow", "&View"))
    inspector_action = inspector.toggleViewAction()
    inspector_action.setText(QCoreApplication.translate("MainWindow", "Event inspector"))
    inspector_action.setShortcut(QKeySequence("Ctrl+I"))
    view.addAction(inspector_action)
    help_menu = bar.addMenu(QCoreApplication.translate("MainWindow", "&Help"))
    about = help_menu.addAction(QCoreApplication.translate("MainWindow", "&About Voice Assistant"))
    about.setMenuRole(QAction.MenuRole.AboutRole)
    return MenuActions(save_action, knowledge, settings, inspector_action, about)
