"""Store calls for widgets: run on the store's worker thread, answered on the GUI thread.

The worker thread holds only this small child object, whose queued signals carry results back.
Never the widget itself: if the worker dropped the last reference to a widget's wrapper, the widget
would be destroyed on the wrong thread.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop.storage import MeetingStore, StoreWorker

log = logging.getLogger(__name__)
T = TypeVar("T")


class StoreCalls(QObject):
    changed = Signal(object)  # a MeetingChange, after every commit by anyone (the assistant too)
    failed = Signal(str)  # one sentence saying what did not work and why

    _result = Signal(int, object)  # (ticket, value)
    _failure = Signal(int, str)  # (ticket, sentence)

    def __init__(self, store: MeetingStore, worker: StoreWorker, parent: QObject) -> None:
        super().__init__(parent)
        self._worker = worker
        self._pending: dict[int, Callable[[Any], None]] = {}
        self._tickets = itertools.count()
        self._result.connect(lambda ticket, value: self._pending.pop(ticket)(value))
        self._failure.connect(self._failed)
        # The store calls this on its worker thread; a queued signal is the thread-safe way back.
        changed = self.changed
        unsubscribe = store.subscribe(lambda change: _emit_safely(changed, change))
        self._unsubscribe = unsubscribe
        # Not `self.stop`: the wrapper may already be gone when the C++ object is destroyed.
        self.destroyed.connect(lambda *_: unsubscribe())

    def stop(self) -> None:
        """Stop following the store (call before the store is closed)."""
        self._unsubscribe()

    def call(self, fn: Callable[..., T], done: Callable[[T], None], failure: str, *args: Any) -> None:
        """Runs fn(*args) on the worker; `done(result)` or `failed` follows on the GUI thread."""
        ticket = next(self._tickets)
        self._pending[ticket] = done
        result, failure_signal = self._result, self._failure

        def deliver(future: Future[T]) -> None:
            try:
                value = future.result()
            except Exception as exc:  # the boundary where any failure becomes one sentence
                log.info("%s", failure, exc_info=True)
                _emit_safely(failure_signal, ticket, f"{failure}: {exc}")
                return
            _emit_safely(result, ticket, value)

        self._worker.submit(fn, *args).add_done_callback(deliver)

    def _failed(self, ticket: int, sentence: str) -> None:
        self._pending.pop(ticket, None)
        self.failed.emit(sentence)


def _emit_safely(signal: Any, *args: Any) -> None:
    with contextlib.suppress(RuntimeError):  # the widget was closed while the worker was busy
        signal.emit(*args)
