"""Voice Assistant, a desktop app for realtime speech-to-speech models."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

# The one place the version is written: pyproject.toml reads it (setuptools' dynamic version),
# build.spec stamps it on the packaged app, `voice-assistant --version` prints it.
__version__ = "0.1.0"


def lazy_exports(package: str, exports: Mapping[str, tuple[str, ...]]) -> Callable[[str], object]:
    """A package's `__getattr__` (PEP 562) that imports each exported name from its module on first
    use. A light name (an event, an error) never pulls a heavy module (aiortc, PortAudio) in with it,
    so the window still paints before the media stack loads."""
    where = {name: f"{package}.{module}" for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> object:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        __import__(where[name])  # not importlib: `-X importtime` sees only this path
        value = getattr(sys.modules[where[name]], name)
        setattr(sys.modules[package], name, value)  # the next lookup is a plain attribute
        return value

    return __getattr__
