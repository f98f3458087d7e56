"""The app's asyncio loop on Qt: qasync with ready callbacks run in batches.

qasync 0.28 turns every `call_soon` into a Qt timer of its own (startTimer, a timer event into Python,
killTimer, after an `iscoroutinefunction` check) and every `call_soon_threadsafe` into a queued signal.
A call runs several such callbacks every 20 ms (task wake-ups, socket notifiers, the microphone's
hand-over), and that dispatch was a large share of the client's time in Python (docs/measurements.md,
Event loop and UI). Here ready callbacks go into one deque, as in asyncio's own loop, and one Qt
wake-up drains it: a Qt round trip per batch rather than per callback. The loop's thread wakes the
drain with a zero-delay QTimer, cheaper than a posted event and its QEvent made in Python; other
threads, which may not start a QTimer, post an event. Delayed callbacks keep qasync's timers; in
debug mode `call_soon` keeps qasync's checked path.

Callbacks run only while this loop runs, as asyncio promises. Qt can deliver a drain or a timer when
the loop is not running: qasync's `run_until_complete` processes Qt's events once more after
`run_forever` has unset the running loop, and any code may spin Qt itself. A callback run there finds
no running loop, so asyncio's Event, Queue and Lock bind to None or refuse ("bound to a different
event loop"); aiortc's own close task died that way on a datagram that arrived as a run ended, and
every later `RTCPeerConnection.close()` waited for it forever. Such callbacks now wait for the next run.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import time
from collections.abc import Callable
from typing import Any

import qasync
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

# A drain hands control back to Qt after this long, with another drain due, so a flood of ready
# callbacks cannot starve input, painting or Qt's timers.
DRAIN_BUDGET_S = 0.004

_DRAIN_EVENT = QEvent.Type(QEvent.registerEventType())


class _Drainer(QObject):
    """Receives the drain events other threads post, on the loop's thread."""

    def __init__(self, drain: Callable[[], None]) -> None:
        super().__init__()
        self._drain = drain

    def customEvent(self, event: QEvent) -> None:
        if event.type() == _DRAIN_EVENT:
            self._drain()


class BatchingQEventLoop(qasync.QEventLoop):
    """qasync's loop whose ready callbacks (call_soon, call_soon_threadsafe, socket notifiers, which
    use call_soon) run in FIFO batches, one Qt wake-up per batch."""

    def __init__(self, app: QCoreApplication | None = None) -> None:
        super().__init__(app)
        # Appended from any thread; popped on the loop's thread only.
        self._soon: collections.deque[asyncio.Handle] = collections.deque()
        # True while a drain is due (timer started or event posted) and not yet begun. The loop's thread
        # clears it before it takes handles: a handle appended after the clear wakes its own drain.
        self._drain_due = False
        self._drainer = _Drainer(self._drain)
        self._drain_timer = QTimer()
        self._drain_timer.setSingleShot(True)
        self._drain_timer.setInterval(0)
        self._drain_timer.timeout.connect(self._drain)

    def call_soon(
        self, callback: Callable[..., object], *args: Any, context: contextvars.Context | None = None
    ) -> asyncio.Handle:
        if self.get_debug():  # qasync's path: coroutine and callable checks, slow-callback warnings
            return super().call_soon(callback, *args, context=context)
        handle = asyncio.Handle(callback, args, self, context=context)
        if self.is_closed():
            return handle  # never runs, as under qasync (a transport finalized after close lands here)
        self._soon.append(handle)
        if not self._drain_due:
            self._drain_due = True
            self._drain_timer.start()
        return handle

    def call_soon_threadsafe(
        self, callback: Callable[..., object], *args: Any, context: contextvars.Context | None = None
    ) -> asyncio.Handle:
        """Any thread (PortAudio callbacks, executors, signal handlers); once closed, a no-op."""
        handle = asyncio.Handle(callback, args, self, context=context)
        if self.is_closed():
            return handle
        self._soon.append(handle)  # deque.append is atomic
        if not self._drain_due:
            # Two threads may both get here: the second drain finds an empty deque, which is harmless.
            self._drain_due = True
            QCoreApplication.postEvent(self._drainer, QEvent(_DRAIN_EVENT))
        return handle

    def run_forever(self) -> None:
        if self._soon:  # what became ready while the loop did not run: first thing in this run
            self._drain_due = True
            self._drain_timer.start()
        super().run_forever()  # qasync returns what QApplication.exec returned; asyncio returns None

    def _add_callback(self, handle: asyncio.Handle, delay: float = 0) -> asyncio.Handle:
        """qasync's timers (`call_later`, `call_at`, debug-mode `call_soon`) run the handle from a Qt
        timer event; through `_timer_due` it waits for the next run if the loop is not running."""
        super()._add_callback(asyncio.Handle(self._timer_due, (handle,), self), delay)
        return handle  # what the caller may cancel, as qasync returns it

    def _timer_due(self, handle: asyncio.Handle) -> None:
        if handle._cancelled:
            return
        if asyncio._get_running_loop() is self:
            handle._run()
        else:
            self._soon.append(handle)  # run_forever drains it first thing

    def close(self) -> None:
        super().close()
        self._drain_timer.stop()
        self._soon.clear()  # handles left at close are dropped, as asyncio's loop drops its ready queue

    def _drain(self) -> None:
        """Runs ready handles in order, including those they schedule, until the deque is empty or
        the budget is spent. The flag is cleared first: a handle scheduled from here on wakes the next
        drain, which also keeps callbacks flowing if a handle runs a nested Qt event loop."""
        self._drain_due = False
        if asyncio._get_running_loop() is not self:
            return  # Qt delivered the wake-up outside a run: the handles stay for run_forever
        ready = self._soon
        deadline = time.monotonic() + DRAIN_BUDGET_S
        try:
            while ready:
                handle = ready.popleft()
                if not handle._cancelled:
                    handle._run()  # exceptions go to the loop's exception handler, as in asyncio
                if time.monotonic() > deadline:
                    break
        finally:
            # Handles scheduled while draining ran here already: the wake-up they started is dropped,
            # unless some are left (the budget ran out). Cleared before looking, so that a thread that
            # saw the flag set is covered by this look or has posted its own wake-up.
            self._drain_due = False
            self._drain_timer.stop()
            if ready and not self.is_closed():
                self._drain_due = True
                self._drain_timer.start()
