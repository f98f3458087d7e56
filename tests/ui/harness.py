"""The real app objects (window, controller, session factory, session) against the demo server, with a
synthetic microphone and a recording speaker instead of sound devices."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from desktop.app.composition import Root
from desktop.app.session_factory import AppSessionFactory
from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind, SessionConfig, Timeouts
from desktop.session.events import SessionState
from desktop.session.reconnect import ReconnectPolicy
from desktop.settings.keychain import KeyStore
from desktop.settings.preferences import Preferences, save_preferences
from desktop.settings.target import Target
from desktop.ui.controller import Controller
from desktop.ui.main_window import MainWindow

API_KEY = "test-api-key-0123456789"
DEPLOYMENT = "gpt-realtime-test"
QUICK_RECONNECT = ReconnectPolicy(max_attempts=2, first_delay=0.05, max_delay=0.2)
FAST = Timeouts(mint=3.0, sdp=3.0, ice=3.0, data_channel=3.0, session_updated=3.0, liveness=1.0)


class FastSessionFactory(AppSessionFactory):
    """The app's session factory with short timeouts, so a failure is noticed quickly in tests, and the
    greeting optional, so tests that do not look at it need not wait for it to be spoken."""

    greet = True

    async def config(
        self, prefs: Preferences, target: Target, ice_credential: str = "", *, stand_in: bool = True
    ) -> SessionConfig:
        config = await super().config(prefs, target, ice_credential, stand_in=stand_in)
        return dataclasses.replace(config, timeouts=FAST, greet_first=self.greet)


@dataclass
class Running:
    window: MainWindow
    controller: Controller
    session_factory: FastSessionFactory
    server: DemoServer
    keys: KeyStore
    microphones: list[SyntheticMicrophone] = field(default_factory=list)

    @property
    def microphone(self) -> SyntheticMicrophone:
        return self.microphones[-1]

    async def close(self) -> None:
        await self.controller.shutdown()
        await self.session_factory.close()
        self.window.close()
        await self.server.stop()
        self.window.deleteLater()
        self.controller.deleteLater()
        await asyncio.sleep(0)


async def wait_until(condition: Callable[[], bool], limit: float = 10.0) -> None:
    """Polls what the person would see (widget state has no event to await) while the loop runs;
    the limit only keeps a broken test from hanging."""
    async with asyncio.timeout(limit):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def open_app(
    store: QSettings,
    *,
    provider: ProviderKind = ProviderKind.OPENAI,
    api_key: str = API_KEY,
    stored_key: str | None = API_KEY,
    prefs: Preferences | None = None,
    greet: bool = True,
    environ: Mapping[str, str] | None = None,
) -> Running:
    """A window bound to a controller whose sessions talk to a fresh demo server; `environ` is
    the run's environment (none by default: the shell's variables must not redirect a test)."""
    environ = {} if environ is None else environ
    server = DemoServer(api_key=api_key, deployment=DEPLOYMENT)
    url = await server.start()
    keys = KeyStore(environ)
    if stored_key is not None and provider is not ProviderKind.DEMO:
        await keys.save(provider, stored_key)
    base = prefs or Preferences()
    prefs = dataclasses.replace(base, provider=provider, endpoint=url, deployment=DEPLOYMENT)
    save_preferences(store, prefs)
    microphones: list[SyntheticMicrophone] = []

    def audio(_prefs: Preferences) -> tuple[SyntheticMicrophone, RecordingSpeaker]:
        microphones.append(SyntheticMicrophone())
        return microphones[-1], RecordingSpeaker()

    session_factory = FastSessionFactory(audio=audio, environ=environ, reconnect=QUICK_RECONNECT)
    session_factory.greet = greet
    controller = Controller(store, prefs, keys, session_factory)
    window = MainWindow()
    window.bind(controller)
    window.show()
    return Running(window, controller, session_factory, server, keys, microphones)


@contextlib.asynccontextmanager
async def opened_app(store: QSettings, **options: Any) -> AsyncIterator[Running]:
    """`open_app`, closed again however the test ends."""
    app = await open_app(store, **options)
    try:
        yield app
    finally:
        await app.close()


async def connected(app: Running, *states: SessionState) -> None:
    """Clicks Start and waits for one of `states` (by default: ready to talk, in either mode)."""
    app.window.start.click()
    wanted = states or (SessionState.READY, SessionState.LISTENING)
    await wait_until(lambda: app.controller.state in wanted)


@contextlib.asynccontextmanager
async def demo_root(qapp: QApplication, store: QSettings, prefs: Preferences) -> AsyncIterator[Root]:
    """The composition root as in the app (real tools, demo provider, synthetic microphone, no
    greeting) running in the background, and an orderly quit however the test ends. The caller
    points DATA_DIR_ENV somewhere and keeps sys.excepthook, which Root replaces."""
    async with running_root(qapp, store, dataclasses.replace(prefs, provider=ProviderKind.DEMO)) as root:
        yield root


@contextlib.asynccontextmanager
async def running_root(
    qapp: QApplication,
    store: QSettings,
    prefs: Preferences,
    session_factory: FastSessionFactory | None = None,
) -> AsyncIterator[Root]:
    """`demo_root` with the provider of `prefs` (its key in the test's keychain, no environment);
    `session_factory` by default a FastSessionFactory with synthetic audio and no greeting."""
    save_preferences(store, prefs)
    if session_factory is None:
        session_factory = FastSessionFactory(audio=lambda _p: (SyntheticMicrophone(), RecordingSpeaker()),
                                             environ={}, reconnect=QUICK_RECONNECT)  # fmt: skip
        session_factory.greet = False
    root = Root(qapp, MainWindow(), store, session_factory)
    root.window.show()
    running = asyncio.ensure_future(root.run())
    try:
        yield root
    finally:
        root.quit_requested.set()
        await running
        root.window.deleteLater()
