"""Waiting longer after each failure of a service before asking it again, so a service that is down
costs a request now and then, not one per question or per poll.

After a failure nothing is asked for `first` seconds; each further failure (after the wait) doubles the
wait, up to `longest`, and a Retry-After the service sent is waited at least; a success ends it. The
clock is injected (as in desktop/session/wake.py): tests move it.
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

    def failed(self, at_least: float = 0.0) -> None:
        """A failure: nothing is asked for the wait, doubled since the last failure, or for `at_least`
        (the service's Retry-After) if longer. A failure while the wait runs (requests of the same
        outage that were in flight together) does not double it again; it only stretches it to
        `at_least`."""
        now = self._clock()
        if not (self._wait and now < self._until):  # a new outage, or the service failed after the wait
            self._wait = min(self._longest, self._wait * 2) if self._wait else self._first
            self._until = now + self._wait
        self._until = max(self._until, now + at_least)

    def succeeded(self) -> None:
        self._wait = self._until = 0.0

    @property
    def wait(self) -> float:
        """The seconds until a request may go out again (0: none), for the log."""
        return max(0.0, self._until - self._clock()) if self._wait else 0.0
