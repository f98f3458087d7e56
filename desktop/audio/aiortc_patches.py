"""Everything the app changes in aiortc's audio handling, in one call for the engine's connection setup.

- the receiver's jitter buffer: aiortc's holds 80 ms and drifts ~200 ms behind after a loss (jitter.py);
- the sender's per-frame audio level: aiortc's pure-Python loop costs 2 % of a core (level.py);
- the receiver's decoder thread: each frame's hand-back to the loop costs more than decoding it
  (inline_decoding.py);
- the remote track: a task woken per frame to pull it; the speaker subscribes instead (push_tracks.py).

Each replaces a module-level name in aiortc; calling `install()` again changes nothing.
"""

from __future__ import annotations

from desktop.audio import inline_decoding, jitter, level, push_tracks


def install() -> None:
    jitter.install()
    level.install()
    inline_decoding.install()
    push_tracks.install()


def installed() -> bool:
    parts = (jitter, level, inline_decoding, push_tracks)
    return all(part.installed() for part in parts)
