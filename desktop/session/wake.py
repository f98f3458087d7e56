"""Noticing that the computer slept: a periodic check that finds a large gap.

A suspended machine runs no code: the next tick of a periodic check comes far later than asked
(a loop stall), and the wall clock has moved on by much more than the monotonic one (which on
Linux does not count suspend). Either gap above `threshold` seconds means "check the connection".
"""

from __future__ import annotations

import time
from collections.abc import Callable


class WakeDetector:
    def __init__(
        self,
        threshold: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._threshold = threshold
        self._monotonic = monotonic
        self._wall = wall
        self._last = (monotonic(), wall())

    def woke(self, interval: float) -> bool:
        """Called every `interval` seconds; True when this call came after a sleep or a stall."""
        mono, wall = self._monotonic(), self._wall()
        last_mono, last_wall = self._last
        self._last = (mono, wall)
        stalled = mono - last_mono - interval > self._threshold
        jumped = abs((wall - last_wall) - (mono - last_mono)) > self._threshold
        return stalled or jumped
