"""The app's start-up: command line modes, launch, the composition root, the self-test and the
connection check. The only package that imports `ui/`.

Other packages import only the names below; modules inside the package import each other directly.
"""

from typing import TYPE_CHECKING

from desktop import lazy_exports

if TYPE_CHECKING:
    from desktop.app.connection_check import check_main
    from desktop.app.launch import EXIT_WHEN_SHOWN_ENV, SHOWN_MARKER, main
    from desktop.app.self_test import self_test_main
    from desktop.app.stored_config import configured_session

__all__ = [
    "EXIT_WHEN_SHOWN_ENV",
    "SHOWN_MARKER",
    "check_main",
    "configured_session",
    "main",
    "self_test_main",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "connection_check": ("check_main",),
        "launch": (
            "EXIT_WHEN_SHOWN_ENV",
            "SHOWN_MARKER",
            "main",
        ),
        "self_test": ("self_test_main",),
        "stored_config": ("configured_session",),
    },
)
