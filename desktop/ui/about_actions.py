"""Help → About, the controller's side: what the dialog shows, gathered off the GUI thread.

The version, who answers the next call and with which model (the one answer of
`desktop.settings.resolve_target`), the folders of the data, settings and log, and the third-party
notices. The notices are read (or, from a source install, generated from the installed metadata) on a
worker thread; the composition root supplies that function, since it lives with the app's packaging.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from desktop import __version__
from desktop.realtime import ProviderKind, SessionError
from desktop.settings import KeyStore, Preferences, resolve_target, session_config
from desktop.storage import data_dir, log_dir
from desktop.ui.ports import AboutContext

log = logging.getLogger(__name__)


class AboutActions(QObject):
    aboutReady = Signal(object)  # AboutContext

    def __init__(
        self,
        store: QSettings,
        keys: KeyStore,
        prefs: Callable[[], Preferences],
        spawn: Callable[[Coroutine[Any, Any, Any], str], object],
    ) -> None:
        super().__init__()
        self._store, self._keys, self._prefs, self._spawn = store, keys, prefs, spawn
        # Set by the composition root: the notices' text (reads files: run on a worker thread).
        self.third_party_notices: Callable[[], str] | None = None

    def open(self) -> None:
        self._spawn(self._gather(), "about")

    async def _gather(self) -> None:
        service, model = await self._service()
        notices = ""
        if self.third_party_notices is not None:
            try:
                notices = await asyncio.to_thread(self.third_party_notices)
            except (OSError, ValueError):  # a damaged install: the rest of About still helps
                log.warning("The third-party notices could not be read", exc_info=True)
        settings_file = Path(self._store.fileName()) if self._store.fileName() else None
        self.aboutReady.emit(
            AboutContext(__version__, service, model, data_dir(), settings_file, log_dir(), notices)
        )

    async def _service(self) -> tuple[str, str]:
        """Who answers the next call, and the model or deployment ("" where the service picks it)."""
        from desktop.realtime import provider_name  # loads the providers' module: not before the window

        try:
            target = await resolve_target(session_config(self._prefs()), self._keys)
        except SessionError as error:
            return error.message, ""
        if target.connects_to is ProviderKind.DEMO:
            return provider_name(ProviderKind.DEMO), ""
        return provider_name(target.provider), target.deployment
