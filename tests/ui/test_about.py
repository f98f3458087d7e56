"""Help → About: the version, who answers and with which model, the folders, and the licences."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel

from desktop import __version__
from desktop.realtime import ProviderKind
from desktop.ui.about_dialog import AboutDialog
from tests.ui.harness import DEPLOYMENT, opened_app, wait_until


def _about(app_window: object) -> AboutDialog | None:
    found = [w for w in app_window.findChildren(AboutDialog) if w.isVisible()]  # type: ignore[attr-defined]
    return found[-1] if found else None


def test_about_names_the_service_model_folders_and_licences(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    async def scenario() -> None:
        async with opened_app(settings_store, provider=ProviderKind.AZURE) as app:
            app.controller.about.third_party_notices = lambda: "aiortc 1.16.0\nLicence: BSD-3-Clause"
            app.window.about_action.trigger()
            await wait_until(lambda: _about(app.window) is not None)
            dialog = _about(app.window)
            assert dialog is not None
            shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
            assert __version__ in shown and "Azure OpenAI" in shown and DEPLOYMENT in shown
            assert "file://" in shown  # the folders open in the file manager
            assert "BSD-3-Clause" in dialog.notices.toPlainText()
            dialog.close()

    qloop.run_until_complete(scenario())


def test_about_without_notices_says_so_instead_of_failing(
    qloop: asyncio.AbstractEventLoop, settings_store: QSettings
) -> None:
    def unreadable() -> str:
        raise OSError("gone")

    async def scenario() -> None:
        async with opened_app(settings_store, provider=ProviderKind.DEMO) as app:
            app.controller.about.third_party_notices = unreadable
            app.window.about_action.trigger()
            await wait_until(lambda: _about(app.window) is not None)
            dialog = _about(app.window)
            assert dialog is not None
            assert dialog.notices.toPlainText() == dialog.tr("The licence notices could not be read.")
            dialog.close()

    qloop.run_until_complete(scenario())
