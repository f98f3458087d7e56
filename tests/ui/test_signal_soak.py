"""Signals and timers under a qasync loop, tens of thousands of times.

PySide6 6.12.0 on Python 3.11 (upstream PYSIDE-3474) lost a reference on every signal emit and timer
kill: under qasync, whose timers and cross-thread wake-ups are exactly that, the process died after
about 30 s of a call. pyproject excludes that release; this test notices if it (or a relative) returns:
the payload's reference count must not drift and the process must survive.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.session.events import RawEvent
from desktop.ui.inspector import InspectorDock

ROUNDS = 20_000


@dataclass
class Payload:
    text: str


class Emitter(QObject):
    carried = Signal(object)


def test_emits_timer_kills_and_thread_wakeups_keep_refcounts(qloop: asyncio.AbstractEventLoop) -> None:
    payload = Payload("x" * 64)
    emitter = Emitter()
    received: list[int] = [0]

    def count(_value: object) -> None:
        received[0] += 1

    emitter.carried.connect(count)
    before = sys.getrefcount(payload)

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        woken = asyncio.Event()
        wakeups = [0]

        def wake(_value: object) -> None:
            wakeups[0] += 1
            if wakeups[0] == ROUNDS // 4:
                woken.set()

        def from_a_thread() -> None:  # what PortAudio callbacks and executors do
            for _ in range(ROUNDS // 4):
                loop.call_soon_threadsafe(wake, payload)

        worker = threading.Thread(target=from_a_thread)
        worker.start()
        for i in range(ROUNDS):
            emitter.carried.emit(payload)
            timer = QTimer()
            timer.start(10_000)
            timer.stop()  # a timer kill, as qasync does for every cancelled call_later
            loop.call_later(10, count, payload).cancel()
            if i % 1000 == 0:
                await asyncio.sleep(0)
        await woken.wait()
        worker.join()

    qloop.run_until_complete(scenario())
    assert received[0] == ROUNDS
    assert sys.getrefcount(payload) == before


def test_the_inspector_stays_bounded_under_a_flood(qloop: asyncio.AbstractEventLoop) -> None:
    inspector = InspectorDock()
    payload = {"type": "response.output_audio_transcript.delta", "delta": "字"}
    before = sys.getrefcount(payload)

    async def scenario() -> None:
        for i in range(ROUNDS // 2):
            inspector.add(RawEvent("received", "response.output_audio_transcript.delta", payload, float(i)))
            if i % 500 == 0:
                await asyncio.sleep(0)
        inspector.flush()

    qloop.run_until_complete(scenario())
    assert len(inspector.table.rows) == 2000
    assert inspector.table.rows[-1].timestamp == ROUNDS // 2 - 1
    assert sys.getrefcount(payload) == before  # the table holds masked copies, not the original
    inspector.deleteLater()
