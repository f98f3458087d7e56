"""The controller's settings half: preferences, the API key, TURN credential and token service's bearer
token, the connection
test, the knowledge folder and search (its status for the dialog, the go-ahead to embed a big folder, a
new embedder after a change of service); and the task bookkeeping both halves share.

A base class of `desktop.ui.controller.Controller`, split off to keep each module short. Its sentences
are translated in the Controller's context, as the person meets them there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QSettings, Signal

from desktop.realtime import PROVIDER, ProviderKind, SessionError, environment_overrides
from desktop.session import ErrorRaised
from desktop.settings import KeyStore, Preferences, Target, resolve_target, save_preferences, session_config
from desktop.tools import KnowledgeStatus
from desktop.ui.ports import SessionFactory, SettingsContext

log = logging.getLogger(__name__)


class SettingsActions(QObject):
    errorRaised = Signal(object)  # ErrorRaised
    pushToTalkChanged = Signal(bool)
    knowledgeFolderChanged = Signal(str)  # empty: the bundled sample documents
    embeddingsChanged = Signal()  # the provider, key or embeddings deployment changed (and is saved)
    knowledgeStatusKnown = Signal(object)  # KnowledgeStatus, for the settings dialog's knowledge page
    targetKnown = Signal(object)  # Target: what the next call connects to, for the window's notice
    keychainMissing = Signal()
    secretKnown = Signal(str)  # the inspector masks it wherever it appears
    settingsReady = Signal(object)  # SettingsContext
    checkStep = Signal(str)
    checkFinished = Signal(str)

    def __init__(
        self, store: QSettings, prefs: Preferences, keys: KeyStore, session_factory: SessionFactory
    ) -> None:
        super().__init__()
        self._store = store
        self.prefs = prefs
        self._keys = keys
        self._session_factory = session_factory
        self._tasks: set[asyncio.Task[Any]] = set()
        self.push_to_talk = prefs.turn_mode == "push_to_talk"
        self._vad_mode = "server_vad" if self.push_to_talk else prefs.turn_mode
        self._key_in_dialog: str | None = None  # the stored key the dialog opened with
        # Set by the composition root once the knowledge base is open: its status, counted off the GUI thread.
        self.knowledge_status: Callable[[], Awaitable[KnowledgeStatus]] | None = None
        # Likewise: the person's go-ahead to embed a big folder's passages now (`embed_knowledge_now`).
        self.approve_embedding: Callable[[], None] | None = None

    # --- task bookkeeping --------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Task %s failed", task.get_name(), exc_info=task.exception())
            translate = QCoreApplication.translate
            self._report(translate("Controller", "Something went wrong; the details are in the log."))

    def _report(self, sentence: str, *, fatal: bool = False) -> None:
        self.errorRaised.emit(ErrorRaised(sentence, fatal=fatal))

    @property
    def tasks(self) -> frozenset[asyncio.Task[Any]]:
        return frozenset(self._tasks)

    def _busy(self, name: str) -> bool:
        return any(task.get_name() == name for task in self._tasks)

    def announce_provider(self) -> None:
        """Says at launch what a call will connect to: the demo (and why), or what the environment set."""
        self._spawn(self._announce(), "announce")

    async def _announce(self) -> None:
        try:
            target = await self._target(self.prefs)
        except SessionError as error:  # an unknown VOICE_ASSISTANT_PROVIDER
            self.errorRaised.emit(ErrorRaised(error.message, error.code, retryable=error.retryable))
            return
        self.targetKnown.emit(target)

    async def _target(
        self, prefs: Preferences, entered_key: str | None = None, entered_bearer: str | None = None
    ) -> Target:
        """What a call with `prefs` connects to (`desktop.settings.target`, as for --check); `entered_key`
        and `entered_bearer` are those typed in the settings dialog (None: the stored ones)."""
        target = await resolve_target(
            session_config(prefs), self._keys, entered_key=entered_key, entered_bearer=entered_bearer
        )
        for secret in (target.api_key, target.token_bearer):
            if secret:
                self.secretKnown.emit(secret)
        return target

    async def _ice_credential(self, prefs: Preferences) -> str:
        if not prefs.ice_servers.strip():
            return ""  # no keychain call for what most people never set
        credential = await self._keys.load_ice_credential()
        if credential:
            self.secretKnown.emit(credential)
        return credential

    # --- settings ----------------------------------------------------------------------------

    def _store_preferences(self, prefs: Preferences) -> None:
        self.prefs = prefs
        save_preferences(self._store, prefs)

    def open_settings(self) -> None:
        self._spawn(self._gather_settings(), "settings")

    async def _gather_settings(self) -> None:
        # The stored key, not an environment variable's: what the dialog saves must be the person's.
        resolved = await self._keys.load_stored(self.prefs.provider)
        works = await self._keys.probe()
        devices = await self._session_factory.devices()
        ice = await self._keys.load_ice_credential()
        bearer = (await self._keys.load_stored_token_bearer()).value
        try:
            environment = environment_overrides(self.prefs.provider, self._keys.environ).names
        except SessionError:
            environment = (PROVIDER,)  # names no provider: the banner has said so at launch
        context = SettingsContext(self.prefs, resolved.value, works, devices, ice, environment, bearer)
        self._key_in_dialog = resolved.value
        self.settingsReady.emit(context)
        await self._count_knowledge()

    async def _count_knowledge(self) -> None:
        if self.knowledge_status is not None:  # counted on the index's worker; shown when known
            self.knowledgeStatusKnown.emit(await self.knowledge_status())

    def embed_knowledge_now(self) -> None:
        """The person approved, on the knowledge page, embedding the passages that wait: start, then show
        the new status."""
        if self.approve_embedding is not None:
            self.approve_embedding()
            self._spawn(self._count_knowledge(), "knowledge-status")

    def set_knowledge_folder(self, folder: str) -> None:
        """The documents the assistant answers from; empty goes back to the bundled sample."""
        if folder != self.prefs.knowledge_folder:
            self._store_preferences(replace(self.prefs, knowledge_folder=folder))
            self.knowledgeFolderChanged.emit(folder)

    def apply_settings(
        self,
        prefs: Preferences,
        api_key: str,
        ice_credential: str | None = None,
        token_bearer: str | None = None,
    ) -> None:
        """Store what the settings dialog returned; `ice_credential` or `token_bearer` None leaves the
        stored one."""
        folder_changed = prefs.knowledge_folder != self.prefs.knowledge_folder
        embeddings_changed = self._embeddings_changed(prefs, api_key)
        self._store_preferences(prefs)
        if folder_changed:
            self.knowledgeFolderChanged.emit(prefs.knowledge_folder)
        if ice_credential is not None:
            self._spawn(self._save_ice_credential(ice_credential), "save-ice")
        if token_bearer is not None:
            self._spawn(self._save_token_bearer(token_bearer), "save-bearer")
        self.push_to_talk = prefs.turn_mode == "push_to_talk"
        if not self.push_to_talk:
            self._vad_mode = prefs.turn_mode
        self.pushToTalkChanged.emit(self.push_to_talk)
        self._spawn(self._save_key(prefs.provider, api_key, embeddings_changed), "save-key")

    def _embeddings_changed(self, prefs: Preferences, api_key: str) -> bool:
        """Whether the knowledge search needs another embedder: another service or embeddings deployment,
        or a key other than the one the dialog opened with."""

        def service(p: Preferences) -> tuple[object, ...]:  # the key's source too: a token service has none
            return (p.provider, p.endpoint, p.embeddings_deployment, p.key_from)

        return service(prefs) != service(self.prefs) or api_key != self._key_in_dialog

    async def _save_key(self, provider: ProviderKind, api_key: str, embeddings_changed: bool = False) -> None:
        kept = None
        if provider is not ProviderKind.DEMO:
            if api_key:
                self.secretKnown.emit(api_key)
            kept = await self._keys.save(provider, api_key)
        if embeddings_changed:  # after the save: the new embedder reads the new key
            self._key_in_dialog = api_key
            self.embeddingsChanged.emit()
        if kept == "this run":
            self.keychainMissing.emit()
            return
        await self._announce()  # the notice follows the new settings (the demo's goes once a key is set)

    async def _save_ice_credential(self, credential: str) -> None:
        if credential:
            self.secretKnown.emit(credential)
        await self._keys.save_ice_credential(credential)

    async def _save_token_bearer(self, bearer: str) -> None:
        if bearer:
            self.secretKnown.emit(bearer)
        await self._keys.save_token_bearer(bearer)

    def test_connection(
        self, prefs: Preferences, api_key: str, ice_credential: str = "", token_bearer: str = ""
    ) -> None:
        if not self._busy("check"):
            self._spawn(self._check(prefs, api_key, ice_credential, token_bearer), "check")

    async def _check(self, prefs: Preferences, api_key: str, ice_credential: str, token_bearer: str) -> None:
        for secret in (api_key, ice_credential, token_bearer):
            if secret:
                self.secretKnown.emit(secret)
        try:
            # What the call would connect to with these settings; a missing key is reported, not replaced.
            target = await self._target(prefs, entered_key=api_key, entered_bearer=token_bearer)
            config = await self._session_factory.config(prefs, target, ice_credential, stand_in=False)
            works, reason = await self._session_factory.check(config, self.checkStep.emit)
        except Exception as exc:
            log.info("Connection check could not run", exc_info=True)
            could_not = QCoreApplication.translate("Controller", "The check could not run.")
            works, reason = False, getattr(exc, "message", "") or could_not
        worked = QCoreApplication.translate("Controller", "The connection works.")
        self.checkFinished.emit(f"✓ {worked}" if works else f"✗ {reason}")
