"""PyInstaller runtime hook (Linux): make sounddevice load the PortAudio library bundled with the app.

sounddevice looks PortAudio up with `ctypes.util.find_library("portaudio")`, which on Linux searches
the system's linker cache only: it would pick the system's copy, or fail where none is installed.
This answers that one question with the bundled file. It does so when `ctypes.util` is first imported
(sounddevice imports it, on the media stack's thread after the window is shown), not at launch:
importing ctypes.util here would load ctypes, subprocess and shutil before the window.
"""

import os
import sys

_BUNDLED = os.path.join(getattr(sys, "_MEIPASS", ""), "libportaudio.so.2")


def _answer_with_bundled_copy(ctypes_util):
    system_find_library = ctypes_util.find_library

    def find_library(name):
        if name == "portaudio" and os.path.isfile(_BUNDLED):
            return _BUNDLED
        return system_find_library(name)

    ctypes_util.find_library = find_library


class _PatchingLoader:
    """Runs the module's own loader, then patches the module."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _answer_with_bundled_copy(module)
        if _CtypesUtilFinder in sys.meta_path:  # done: the module stays in sys.modules
            sys.meta_path.remove(_CtypesUtilFinder)


class _CtypesUtilFinder:
    """A meta path entry that only wraps the loader of `ctypes.util` (until it has run)."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname != "ctypes.util":
            return None
        for finder in sys.meta_path:
            find_spec = getattr(finder, "find_spec", None)
            if finder is not cls and find_spec and (spec := find_spec(fullname, path, target)):
                spec.loader = _PatchingLoader(spec.loader)
                return spec
        return None


if "ctypes.util" in sys.modules:
    _answer_with_bundled_copy(sys.modules["ctypes.util"])
else:
    sys.meta_path.insert(0, _CtypesUtilFinder)
