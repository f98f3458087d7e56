"""The person's set-up: preferences (QSettings), the key in the system keychain, and what a call
connects to (`Target`), environment overrides included.

Other packages import only the names below; modules inside the package import each other directly.
"""

from typing import TYPE_CHECKING

from desktop import lazy_exports

if TYPE_CHECKING:
    from desktop.settings.keychain import KeyStore
    from desktop.settings.preferences import (
        GA_ONLY_VOICES,
        VOICES,
        Preferences,
        ice_urls,
        load_preferences,
        save_preferences,
        session_config,
    )
    from desktop.settings.target import Target, resolve_target

__all__ = [
    "GA_ONLY_VOICES",
    "VOICES",
    "KeyStore",
    "Preferences",
    "Target",
    "ice_urls",
    "load_preferences",
    "resolve_target",
    "save_preferences",
    "session_config",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "keychain": ("KeyStore",),
        "preferences": (
            "GA_ONLY_VOICES",
            "ice_urls",
            "load_preferences",
            "Preferences",
            "save_preferences",
            "session_config",
            "VOICES",
        ),
        "target": (
            "resolve_target",
            "Target",
        ),
    },
)
