"""How the process spends memory: three causes of resident memory the app does not need (their
figures: docs/measurements.md, Memory).

- PySide6 replaces `builtins.__import__` to support `from __feature__ import snake_case`, and after
  every later import it reads the imported module's whole source with `inspect.getsource` to see
  whether it mentions PySide6. linecache keeps each of those files, which costs memory and makes
  every import slower. The app selects no feature, so the plain import comes back. (A frozen bundle
  has no sources to read, so it never paid this.)
- glibc gives each thread that allocates its own malloc arena, up to eight per core, and keeps what
  each one freed. The app's threads (executors, the demo server, PortAudio, aiortc's decoders) mostly
  wait, so two arenas are enough.
- Memory freed at the end of start-up stays mapped until `malloc_trim` returns it.

Each step does nothing where it does not apply (no glibc, another PySide6 design).
"""

from __future__ import annotations

import builtins
import linecache
import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ctypes

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc's <malloc.h>
ARENAS = 2


def restore_plain_import() -> None:
    """Undoes PySide6's `__feature__` import hook (call right after PySide6 is first imported) and
    drops the sources it has cached so far."""
    plain = getattr(builtins, "__orig_import__", None)
    if plain is not None and builtins.__import__ is getattr(builtins, "__feature_import__", None):
        builtins.__import__ = plain
    linecache.clearcache()


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # not before the window (docs/measurements.md, Launch)

    libc = ctypes.CDLL(None)  # the C library the interpreter itself uses
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


def limit_malloc_arenas() -> None:
    """Call before the app starts its threads: arenas created earlier stay."""
    libc = _glibc()
    if libc is not None and not libc.mallopt(M_ARENA_MAX, ARENAS):
        log.info("mallopt(M_ARENA_MAX) refused")


def release_free_memory() -> None:
    """Returns the heap's free pages to the system. It goes through the free memory of every arena,
    so only after a burst of allocation such as start-up, never on a timer (docs/measurements.md,
    Memory)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
