"""Whether the compiled echo canceller is installed, and saying once when a call goes without it.

WebRTC's audio-processing module comes from `aec-audio-processing`, which publishes wheels for Windows
x64 only: elsewhere pip would have to compile it (a C++ compiler and the Python headers), so it is the
optional `echo` extra there, and the packaged app always carries it. Without it the capture path is
half duplex (desktop/audio/echo.py). Settings asks `installed()` to show its line, which only looks
the package up (no import, no native library loaded): it is cheap enough for the GUI thread.
"""

from __future__ import annotations

import functools
import importlib.util
import logging

log = logging.getLogger(__name__)

MODULE = "aec_audio_processing"
INSTALL_HINT = "pip install 'voice-assistant[echo]' (or -e '.[echo]' in the source tree)"


def installed() -> bool:
    """The package is there (whether its native library loads is known only when a call opens it)."""
    return importlib.util.find_spec(MODULE) is not None


@functools.cache
def say_half_duplex(reason: str) -> None:
    """Logs, once per reason and process, that calls on speakers go half duplex."""
    log.warning(
        "Echo cancellation is unavailable (%s): on speakers the microphone is muted while the assistant "
        "speaks, so speaking does not interrupt it (the talk button does). Full echo cancellation: %s.",
        reason,
        INSTALL_HINT,
    )
