"""One run of the app: the objects behind the window and the order in which they start and stop.

Split from `desktop.app.launch` so that launching imports none of this (nor asyncio) before the window is on
screen: `app.main` shows the window first, then imports this module and runs `Root.run` on the
qasync loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from desktop.app.memory import limit_malloc_arenas, release_free_memory
from desktop.app.notices import bundled_or_generated
from desktop.app.session_factory import AppSessionFactory
from desktop.settings import KeyStore, load_preferences
from desktop.ui import Controller, MainWindow

if TYPE_CHECKING:
    from desktop.tools import Reminder, ReminderScheduler, Toolbox
    from desktop.ui import CalendarPane, NativeNotifications, NetworkWatch, ReminderPresenter, Tray

log = logging.getLogger(__name__)


class Root:
    """Owns the objects of one run and the order in which they stop."""

    def __init__(
        self,
        app: QApplication,
        window: MainWindow,
        store: QSettings,
        session_factory: AppSessionFactory,
        on_quit: Callable[[], None] = lambda: None,
    ) -> None:
        """`on_quit` runs as soon as quitting begins (the app stops answering a second launch)."""
        limit_malloc_arenas()  # before the executors, the demo server and the audio start threads
        self.app = app
        self.window = window
        self.session_factory = session_factory
        self.keys = KeyStore(session_factory.environ)  # the same environment the factory was given
        self.store = store
        self.controller = Controller(store, load_preferences(store), self.keys, session_factory)
        self.controller.about.third_party_notices = bundled_or_generated
        self.quit_requested = asyncio.Event()
        self.quit_reason = ""
        self._on_quit = on_quit
        self.toolbox: Toolbox | None = None
        self.pane: CalendarPane | None = None
        self.network: NetworkWatch | None = None
        self._renewals: set[asyncio.Task[None]] = set()  # embedders being built after a settings change
        self.reminders: ReminderPresenter | None = None
        self.tray: Tray | None = None
        self._reminding: asyncio.Future[None] | None = None

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        self._install_error_hooks(loop)
        self.window.closeRequested.connect(self.request_quit)
        self.app.aboutToQuit.connect(lambda: self.request_quit("the application was asked to quit"))
        self.window.bind(self.controller)
        self._start_tray()
        self.controller.announce_provider()
        self._watch_network()
        try:
            await self.session_factory.preload()
            await self._open_tools()
            await self.session_factory.start_audio()
        except Exception:
            # The window is up and the person can still talk; say so instead of dying.
            log.exception("Starting the tools failed")
            self.window.show_unexpected_error()
        release_free_memory()  # what the imports and start-up freed
        try:
            await self.quit_requested.wait()
        finally:
            self._on_quit()
            log.info("Stopping: %s", self.quit_reason or "asked to")
            await self.shutdown()
        log.info("Stopped cleanly")
        return 0

    def request_quit(self, reason: str) -> None:
        """An orderly stop, for the first `reason` that asks (the window, Quit, a signal, logout)."""
        if self.quit_requested.is_set():
            return
        self.quit_reason = reason
        self._on_quit()
        self.quit_requested.set()

    def _start_tray(self) -> None:
        """The tray icon and its menu; where the desktop has a tray, closing the window keeps the app."""
        from desktop.ui import Tray

        self.tray = Tray(self.window, self.controller, self.store)
        log.info("System tray: %s", "available" if self.tray.available() else "not available, closing quits")

    def _watch_network(self) -> None:
        """Network changes check the call at once; without QtNetwork, liveness notices in time."""
        try:
            from desktop.ui import NetworkWatch
        except ImportError:
            log.warning("QtNetwork is not available: network changes are not watched")
            return
        self.network = NetworkWatch(self.app)
        self.network.changed.connect(self.controller.check_connection)

    async def _open_tools(self) -> None:
        """The calendar pane and the meeting tools; the tools ask the person through the meeting
        dialog (QtConfirmer). Without them the assistant still talks, it just cannot book."""
        from desktop.tools import Toolbox
        from desktop.ui import CalendarPane, QtConfirmer

        confirmer = QtConfirmer(
            self.window,
            snapshot=lambda: self.pane.meetings() if self.pane else [],
            on_asking=self.window.confirmation_opened,
            default_reminder=self._default_reminder,
        )
        prefs = self.controller.prefs
        embedder, reason = await self.session_factory.embedder(prefs, self.keys)
        try:
            self.toolbox = await Toolbox.open(
                confirmer, self._knowledge_folder(prefs.knowledge_folder), embedder=embedder, reason=reason
            )
        except Exception:
            log.exception("The calendar or the knowledge base could not be opened")
            self.window.show_tools_unavailable()
            return
        self.pane = CalendarPane(self.toolbox.store, self.toolbox.meeting_worker,
                                 default_reminder=self._default_reminder)
        self.pane.notice.connect(lambda text: self.window.statusBar().showMessage(text, 5000))
        self.window.add_side_pane(self.pane)
        if self.tray is not None:
            self.tray.use_calendar(self.pane, self.toolbox.store, self.toolbox.meeting_worker)
        self.toolbox.knowledge.observe_progress(self.window.indexing.report)
        self.toolbox.start()
        self.controller.knowledgeFolderChanged.connect(self._use_knowledge_folder)
        self.controller.embeddingsChanged.connect(self._renew_embedder)
        self.controller.knowledge_status = self.toolbox.knowledge.status
        self.controller.approve_embedding = self.toolbox.knowledge.approve_embedding
        self.session_factory.tools = self.toolbox.registry
        self._start_reminders(self.toolbox)

    def _default_reminder(self) -> int:
        return self.controller.prefs.default_reminder_minutes

    def _start_reminders(self, toolbox: Toolbox) -> None:
        """Meeting reminders for the rest of the run, the window shown or hidden: the system's
        notifications where it has them, the app's own small window otherwise."""
        from desktop.storage import APP_NAME
        from desktop.tools import ReminderScheduler
        from desktop.ui import NativeNotifications, ReminderPresenter

        scheduler = ReminderScheduler(toolbox.store, toolbox.meeting_worker,
                                      default_minutes=self._default_reminder)
        native = NativeNotifications(APP_NAME)
        self.reminders = ReminderPresenter(self._show_meeting, native=native, parent=self.window)
        self.reminders.missed_found.connect(lambda text: self.window.statusBar().showMessage(text, 20000))
        if self.tray is not None:
            self.tray.use_reminders(self.reminders)
        self._reminding = asyncio.ensure_future(self._remind(scheduler, self.reminders, native))

    @staticmethod
    async def _remind(scheduler: ReminderScheduler, reminders: ReminderPresenter,
                      native: NativeNotifications) -> None:
        """The last day's meetings missed in earlier runs back in the tray's list, then the reminders;
        the system's notifications asked for meanwhile (the first reminder then waits for nothing)."""
        try:
            reminders.restore(await scheduler.missed())
        except Exception:  # the list stays this run's; the reminders themselves still come
            log.exception("reading the meetings missed in earlier runs failed")
        try:
            await asyncio.gather(native.prepare(), scheduler.run(reminders.present))
        finally:
            native.close()

    def _show_meeting(self, reminder: Reminder) -> None:
        """A reminder's Show: the window up and in front, the calendar on the meeting's day."""
        from desktop.ui import show_day

        show_day(self.window, self.pane, reminder.start.astimezone().date())

    def _knowledge_folder(self, folder: str) -> Path | None:
        """The person's folder, or None (the bundled sample) when none is chosen or it is gone."""
        if not folder:
            return None
        if Path(folder).is_dir():
            return Path(folder)
        self.window.show_missing_folder(folder)
        return None

    def _use_knowledge_folder(self, folder: str) -> None:
        from desktop.tools import default_folder

        if self.toolbox is not None:
            self.toolbox.knowledge.set_folder(self._knowledge_folder(folder) or default_folder())

    def _renew_embedder(self) -> None:
        """The provider, key or embeddings deployment changed: the knowledge base searches with the new
        embeddings (or the words only) without a restart. Only the latest change counts: a renewal still
        under way (a slower keychain) is cancelled, so it cannot finish after this one and win."""
        for earlier in list(self._renewals):
            earlier.cancel()
        task = asyncio.get_running_loop().create_task(self._use_embedder(), name="embedder")
        self._renewals.add(task)
        task.add_done_callback(self._renewals.discard)

    async def _use_embedder(self) -> None:
        embedder, reason = await self.session_factory.embedder(self.controller.prefs, self.keys)
        if self.toolbox is not None:
            self.toolbox.knowledge.set_embedder(embedder, reason=reason)  # closes the old one
        elif embedder is not None:
            await embedder.close()

    async def shutdown(self) -> None:
        """Hang up (which stops the audio), stop the demo server, then let the stores finish their
        writes and close."""
        await self.controller.shutdown()
        for renewal in list(self._renewals):  # an embedder made now would outlive the knowledge base
            renewal.cancel()
        await self.session_factory.close()
        await self._stop_reminders()
        if self.tray is not None:  # before the calendar closes: its menu looks meetings up there
            self.tray.shutdown()
        if self.pane is not None:
            self.pane.shutdown()
        if self.toolbox is not None:
            await self.toolbox.close()
        self.window.close()

    async def _stop_reminders(self) -> None:
        if self._reminding is not None:
            self._reminding.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reminding
        if self.reminders is not None:
            self.reminders.close_all()

    def _install_error_hooks(self, loop: asyncio.AbstractEventLoop) -> None:
        def excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
            log.error("Unhandled exception", exc_info=(kind, value, tb))
            self.window.show_unexpected_error()

        def loop_handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
            log.error("Unhandled in the loop: %s", context.get("message"), exc_info=context.get("exception"))
            self.window.show_unexpected_error()

        sys.excepthook = excepthook
        loop.set_exception_handler(loop_handler)
