"""The main window's menu bar: File (save the conversation, knowledge folder, Settings, Quit), View
(the event inspector) and Help (About). The actions are the window's attributes, so the controller's
wiring and the tests reach them as before; the words keep the window's translation context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from desktop.ui.main_window import MainWindow


def add_menus(window: MainWindow) -> None:
    bar = window.menuBar()
    file = bar.addMenu(QCoreApplication.translate("MainWindow", "&File"))
    save = QCoreApplication.translate("MainWindow", "Save conversation as Markdown…")
    window.save_action = file.addAction(save)
    window.save_action.triggered.connect(window.transcript.save.click)
    window.knowledge_action = file.addAction(QCoreApplication.translate("MainWindow", "&Knowledge folder…"))
    window.knowledge_action.triggered.connect(window.choose_knowledge_folder)
    window.settings_action = file.addAction(QCoreApplication.translate("MainWindow", "&Settings…"))
    window.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
    file.addSeparator()
    quit_action = file.addAction(QCoreApplication.translate("MainWindow", "&Quit"))
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    quit_action.triggered.connect(lambda: window.quit_app())
    view = bar.addMenu(QCoreApplication.translate("MainWindow", "&View"))
    window.inspector_action = window.inspector.toggleViewAction()
    window.inspector_action.setText(QCoreApplication.translate("MainWindow", "Event inspector"))
    window.inspector_action.setShortcut(QKeySequence("Ctrl+I"))
    view.addAction(window.inspector_action)
    help_menu = bar.addMenu(QCoreApplication.translate("MainWindow", "&Help"))
    about = QCoreApplication.translate("MainWindow", "&About Voice Assistant")
    window.about_action = help_menu.addAction(about)
    window.about_action.setMenuRole(QAction.MenuRole.AboutRole)
