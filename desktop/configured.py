"""The configuration `voice-assistant --check` tests: what the app itself would connect with.

That is the stored preferences, the key from the keychain, the environment's overrides (read last, as
in the app) and the tools the app declares, so that the check proves the very session the window
would open.
"""

from __future__ import annotations

import dataclasses
import os

from PySide6.QtCore import QSettings

from desktop.paths import APP_AUTHOR, APP_NAME
from desktop.realtime.config import SessionConfig
from desktop.realtime.environment import PROVIDER, parse_provider
from desktop.secrets import KeyStore
from desktop.settings import load_preferences, session_config
from desktop.tools.ports import ConfirmationAnswer, ConfirmationRequest


class _NobodyConfirms:
    """The check never runs a tool; it only needs the tools' declarations."""

    async def confirm(self, request: ConfirmationRequest) -> ConfirmationAnswer:
        return ConfirmationAnswer(approved=False)


async def configured_session(provider: str | None = None) -> SessionConfig:
    """Raises SessionError for an unknown provider name."""
    from desktop.tools.toolbox import Toolbox

    prefs = load_preferences(QSettings(APP_AUTHOR, APP_NAME))
    environ = dict(os.environ)
    if provider:
        # The provider chosen on the command line beats both the stored one and the environment's.
        prefs = dataclasses.replace(prefs, provider=parse_provider(provider))
        environ[PROVIDER] = prefs.provider.value
    keys = KeyStore(environ)
    key = await keys.load(prefs.provider)
    config = session_config(prefs, key.value, environ, ice_credential=await keys.load_ice_credential())
    toolbox = await Toolbox.open(_NobodyConfirms())
    try:
        return dataclasses.replace(config, tools=tuple(toolbox.registry.schemas()))
    finally:
        await toolbox.close()
