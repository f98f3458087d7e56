"""The configuration `voice-assistant --check` tests: what the app itself would connect with.

That is the stored preferences, then what `desktop.settings.target` makes of them with the environment's
overrides and the key (from the environment or the keychain), the very resolution the window uses;
and the tools the app declares. So the check proves the session the window would open, except that a
missing key is reported instead of the demo standing in.
"""

from __future__ import annotations

import dataclasses
import os

from PySide6.QtCore import QSettings

from desktop.realtime import PROVIDER, SessionConfig, parse_provider
from desktop.settings import KeyStore, Target, load_preferences, resolve_target, session_config
from desktop.storage import APP_AUTHOR, APP_NAME
from desktop.tools import ConfirmationAnswer, ConfirmationRequest


class _NobodyConfirms:
    """The check never runs a tool; it only needs the tools' declarations."""

    async def confirm(self, request: ConfirmationRequest) -> ConfirmationAnswer:
        return ConfirmationAnswer(approved=False)


async def stored_session_config(provider: str | None = None) -> tuple[Target, SessionConfig]:
    """Where the check goes and the session it asks for. Raises SessionError for an unknown provider
    name."""
    from desktop.tools import Toolbox

    prefs = load_preferences(QSettings(APP_AUTHOR, APP_NAME))
    environ = dict(os.environ)
    if provider:
        # The provider chosen on the command line beats both the stored one and the environment's.
        prefs = dataclasses.replace(prefs, provider=parse_provider(provider))
        environ[PROVIDER] = prefs.provider.value
    keys = KeyStore(environ)
    ice = await keys.load_ice_credential() if prefs.ice_servers.strip() else ""
    settings = session_config(prefs, ice_credential=ice)
    target = await resolve_target(settings, keys)
    toolbox = await Toolbox.open(_NobodyConfirms())
    try:
        tools = tuple(toolbox.registry.schemas())
    finally:
        await toolbox.close()
    return target, dataclasses.replace(target.apply(settings, stand_in=False), tools=tools)
