"""Waiting longer after each failure of a service before asking it again, so a service that is down
costs a request now and then, not one per question or per poll.

After a failure nothing is asked for `first` seconds; each further failure doubles the wait, up to
`longest`; a success ends it. The clock is injected (as in desktop/session/wake.py): tests move it.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Backoff:
    def __init__(self, first: float = 30.0, longest: float = 600.0, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._first = first
        self._longest = longest
        self._clock = clock
        self._wait = 0.0  # the wait after the last failure; 0 after a success
        self._until = 0.0  # the clock's time before which nothing is asked

    def ready(self) -> bool:
        """True when a request may go out now."""
        return self._wait == 0.0 or self._clock() >= self._until

    def failed(self) -> None:
        self._wait = min(self._longest, self._wait * 2) if self._wait else self._first
        self._until = self._clock() + self._wait

    def succeeded(self) -> None:
        self._wait = self._until = 0.0

    @property
    def wait(self) -> float:
        """The seconds of the current wait (0: none), for the log."""
        return self._wait
