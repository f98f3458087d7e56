"""The API key, the TURN credential and the token service's bearer token: kept in the system keychain
through keyring; the key and the bearer token can be overridden from the environment.

keyring is imported and called only inside an executor thread: backends talk to D-Bus, the macOS
keychain or the Windows credential store, any of which may block for seconds. Where no backend works
(keyring's fail/null backends, or a chainer with nothing in it) the key is kept in memory for this run
only; it is never written to disk in plain text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from desktop.realtime import TOKEN_BEARER, ProviderKind, key_variable, remember_secrets

log = logging.getLogger(__name__)

SERVICE = "VoiceAssistant"
ICE_ACCOUNT = "ice-credential"
TOKEN_BEARER_ACCOUNT = "token-service-bearer"

# "entered": typed in the settings dialog and not saved yet (its connection test).
KeySource = Literal["environment", "keychain", "this run", "entered", "none"]


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    value: str = field(repr=False)
    source: KeySource

    def __post_init__(self) -> None:
        remember_secrets(self.value)  # whatever logs it later, the log file shows it masked


def _account(provider: ProviderKind) -> str:
    # Azure resources share one key entry; OpenAI has its own.
    return "openai" if provider is ProviderKind.OPENAI else "azure"


def _backend_usable() -> bool:
    import keyring
    from keyring.backends import chainer, fail, null

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return bool(backend.backends)
    return True


def _read(account: str) -> str:
    import keyring

    return keyring.get_password(SERVICE, account) or ""


def _write(account: str, value: str) -> None:
    import keyring
    from keyring.errors import PasswordDeleteError

    if value:
        keyring.set_password(SERVICE, account, value)
        return
    with contextlib.suppress(PasswordDeleteError):  # nothing stored is already what was asked for
        keyring.delete_password(SERVICE, account)


class KeyStore:
    """The key behind a small interface. `persistent` is False once no keychain works; from then on
    the key lives in this object's memory until the app quits."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self._memory: dict[str, str] = {}
        self._persistent: bool | None = None  # unknown until probed

    @property
    def environ(self) -> Mapping[str, str]:
        """The environment this run reads its overrides from (the key's among them)."""
        return self._environ

    @property
    def persistent(self) -> bool:
        return bool(self._persistent)

    async def probe(self) -> bool:
        if self._persistent is None:
            try:
                self._persistent = await _off_thread(_backend_usable)
            except Exception:
                log.warning("No usable keychain backend", exc_info=True)
                self._persistent = False
            if not self._persistent:
                log.warning("No system keychain works here: the API key is kept for this run only")
        return self._persistent

    def from_environment(self, provider: ProviderKind) -> ResolvedKey | None:
        """The key the environment sets for `provider`; it wins over the keychain and the dialog."""
        variable = key_variable(provider)
        override = self._environ.get(variable, "").strip() if variable else ""
        return ResolvedKey(override, "environment") if override else None

    async def load(self, provider: ProviderKind) -> ResolvedKey:
        """The key a call uses: the environment's, else the stored one."""
        if (override := self.from_environment(provider)) is not None:
            return override
        return await self.load_stored(provider)

    async def load_stored(self, provider: ProviderKind) -> ResolvedKey:
        """The key kept in the keychain (or this run's memory), whatever the environment says."""
        if provider is ProviderKind.DEMO:
            return ResolvedKey("", "none")
        return await self._load(_account(provider))

    async def save(self, provider: ProviderKind, value: str) -> KeySource:
        return await self._save(_account(provider), value)

    async def load_ice_credential(self) -> str:
        """The TURN servers' credential: a secret like the API key, so it is kept the same way."""
        return (await self._load(ICE_ACCOUNT)).value

    async def save_ice_credential(self, value: str) -> KeySource:
        return await self._save(ICE_ACCOUNT, value)

    async def load_token_bearer(self) -> ResolvedKey:
        """The token service's bearer token: VOICE_ASSISTANT_TOKEN_BEARER, else the stored one."""
        override = self._environ.get(TOKEN_BEARER, "").strip()
        if override:
            return ResolvedKey(override, "environment")
        return await self.load_stored_token_bearer()

    async def load_stored_token_bearer(self) -> ResolvedKey:
        return await self._load(TOKEN_BEARER_ACCOUNT)

    async def save_token_bearer(self, value: str) -> KeySource:
        return await self._save(TOKEN_BEARER_ACCOUNT, value)

    async def _load(self, account: str) -> ResolvedKey:
        if account in self._memory:
            return ResolvedKey(self._memory[account], "this run")
        if not await self.probe():
            return ResolvedKey("", "none")
        try:
            value = await _off_thread(_read, account)
        except Exception:
            self._give_up_keychain()
            return ResolvedKey("", "none")
        return ResolvedKey(value, "keychain" if value else "none")

    async def _save(self, account: str, value: str) -> KeySource:
        value = value.strip()
        remember_secrets(value)
        if await self.probe():
            try:
                await _off_thread(_write, account, value)
                self._memory.pop(account, None)
                return "keychain" if value else "none"
            except Exception:
                self._give_up_keychain()
        self._memory[account] = value
        return "this run" if value else "none"

    def _give_up_keychain(self) -> None:
        log.warning("The system keychain failed: the API key is kept for this run only", exc_info=True)
        self._persistent = False


async def _off_thread(fn: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)
