"""PyInstaller runtime hook (Linux): make sounddevice load the PortAudio library bundled with the app.

sounddevice looks PortAudio up with `ctypes.util.find_library("portaudio")`, which on Linux searches
the system's linker cache only: it would pick the system's copy, or fail where none is installed.
This runs before the app's code and answers that one question with the bundled file.
"""

import ctypes.util
import os
import sys

_BUNDLED = os.path.join(getattr(sys, "_MEIPASS", ""), "libportaudio.so.2")
_system_find_library = ctypes.util.find_library


def _find_library(name):
    if name == "portaudio" and os.path.isfile(_BUNDLED):
        return _BUNDLED
    return _system_find_library(name)


ctypes.util.find_library = _find_library
