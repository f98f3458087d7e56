"""The app's start-up: the command line and its modes, launch, the composition root, the self-test and
the connection check. The only package that imports `ui/`.

Other packages import only the names below; modules inside the package import each other directly.
"""

from typing import TYPE_CHECKING

from desktop import lazy_exports

if TYPE_CHECKING:
    from desktop.app.command_line import main

__all__ = [
    "main",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "command_line": ("main",),
    },
)
