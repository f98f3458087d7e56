"""The app's loop (desktop/ui/event_loop.py): ready callbacks in batches, and asyncio's contract kept."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop.ui.event_loop import BatchingQEventLoop

THREADS = 4
CALLS_PER_THREAD = 2_000
# A flood that is never handed back to Qt would run to this many callbacks before the test gives up.
FLOOD_LIMIT = 200_000


def test_the_fixture_runs_the_batching_loop(qloop: asyncio.AbstractEventLoop) -> None:
    assert isinstance(qloop, BatchingQEventLoop)


def test_ready_callbacks_run_in_order_and_cancelled_ones_not(qloop: asyncio.AbstractEventLoop) -> None:
    ran: list[int] = []

    async def scenario() -> None:
        handles = [qloop.call_soon(ran.append, i) for i in range(100)]
        for handle in handles[::3]:
            handle.cancel()
        qloop.call_soon(lambda: qloop.call_soon(ran.append, 1000))  # scheduled from inside a drain
        for _ in range(3):
            await asyncio.sleep(0)

    qloop.run_until_complete(scenario())
    assert ran == [i for i in range(100) if i % 3] + [1000]


def test_calls_from_several_threads_arrive_once_each_in_each_threads_order(
    qloop: asyncio.AbstractEventLoop,
) -> None:
    received: list[tuple[int, int]] = []

    async def scenario() -> None:
        all_in = asyncio.Event()

        def receive(thread: int, index: int) -> None:
            received.append((thread, index))
            if len(received) == THREADS * CALLS_PER_THREAD:
                all_in.set()

        def send(thread: int) -> None:
            for index in range(CALLS_PER_THREAD):
                qloop.call_soon_threadsafe(receive, thread, index)

        workers = [threading.Thread(target=send, args=(t,)) for t in range(THREADS)]
        for worker in workers:
            worker.start()
        await all_in.wait()
        for worker in workers:
            worker.join()
        for _ in range(3):  # a duplicate would still be on its way
            await asyncio.sleep(0)

    qloop.run_until_complete(scenario())
    assert len(received) == THREADS * CALLS_PER_THREAD
    for thread in range(THREADS):
        assert [i for t, i in received if t == thread] == list(range(CALLS_PER_THREAD))


def test_a_flood_of_ready_callbacks_leaves_room_for_qt_timers(qloop: asyncio.AbstractEventLoop) -> None:
    flooded = [0]
    timer_fired_at: list[int] = []

    async def scenario() -> None:
        done = asyncio.Event()

        def flood() -> None:  # always ready again, as a busy producer would be
            flooded[0] += 1
            if timer_fired_at or flooded[0] >= FLOOD_LIMIT:
                done.set()
            else:
                qloop.call_soon(flood)

        QTimer.singleShot(1, lambda: timer_fired_at.append(flooded[0]))
        qloop.call_soon(flood)
        await done.wait()

    qloop.run_until_complete(scenario())
    assert timer_fired_at, "the Qt timer never fired during the flood"
    assert timer_fired_at[0] < FLOOD_LIMIT


def test_exceptions_in_callbacks_reach_the_handler_and_the_batch_goes_on(
    qloop: asyncio.AbstractEventLoop,
) -> None:
    contexts: list[dict[str, Any]] = []
    ran: list[str] = []
    qloop.set_exception_handler(lambda _loop, context: contexts.append(context))

    def fail() -> None:
        raise ValueError("boom")

    async def scenario() -> None:
        qloop.call_soon(fail)
        qloop.call_soon(ran.append, "after")
        qloop.call_soon_threadsafe(fail)
        for _ in range(3):
            await asyncio.sleep(0)

    qloop.run_until_complete(scenario())
    assert ran == ["after"]
    assert [type(c["exception"]) for c in contexts] == [ValueError, ValueError]


def test_close_drops_pending_and_later_callbacks(qapp: QApplication) -> None:
    """As under qasync: nothing raises (a transport finalized after close calls call_soon), and
    nothing runs."""
    loop = BatchingQEventLoop(qapp)
    ran: list[str] = []
    loop.call_soon(ran.append, "soon")
    loop.call_soon_threadsafe(ran.append, "threadsafe")
    loop.close()
    loop.call_soon(ran.append, "late")
    loop.call_soon_threadsafe(ran.append, "late")
    qapp.processEvents()  # the posted drain arrives and finds nothing
    assert ran == []


@pytest.mark.parametrize("debug", [False, True], ids=["batched", "debug"])
def test_callbacks_qt_delivers_between_runs_wait_for_the_next_run(
    qloop: asyncio.AbstractEventLoop, qapp: QApplication, debug: bool
) -> None:
    """qasync's run_until_complete lets Qt process its events once more after the run has ended, and
    any code may spin Qt: a callback run there finds no running loop, and asyncio's Event, Queue and
    Lock then bind to None or refuse. (aiortc's own close task died that way, on a datagram that arrived
    as the run ended, and every later RTCPeerConnection.close() waited forever.)"""
    qloop.set_debug(debug)  # qasync's checked call_soon goes through its timers
    seen: list[str] = []

    def note(name: str) -> None:
        seen.append(name if asyncio._get_running_loop() is qloop else f"{name} (no running loop)")

    async def scenario() -> None:
        # After run_until_complete's own stop callback: due as the run ends.
        current = asyncio.current_task()
        assert current is not None
        current.add_done_callback(lambda _task: qloop.call_later(0, note, "as the run ends"))

    qloop.run_until_complete(scenario())
    qloop.call_soon(note, "soon")
    qloop.call_later(0, note, "later")
    sender = threading.Thread(target=qloop.call_soon_threadsafe, args=(note, "threadsafe"))
    sender.start()
    sender.join()
    for _ in range(3):
        qapp.processEvents()  # the drains and timers arrive while the loop does not run
    assert seen == []
    qloop.run_until_complete(asyncio.sleep(0))
    assert sorted(seen) == ["as the run ends", "later", "soon", "threadsafe"]
    qloop.set_debug(False)


def test_debug_mode_keeps_qasyncs_checks(qloop: asyncio.AbstractEventLoop) -> None:
    async def coroutine_function() -> None:
        pass

    qloop.set_debug(True)
    with pytest.raises(TypeError):
        qloop.call_soon(coroutine_function)
    qloop.set_debug(False)


def test_tcp_echo_and_executor_work(qloop: asyncio.AbstractEventLoop) -> None:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readexactly(5))
        await writer.drain()
        writer.close()

    async def scenario() -> tuple[bytes, int]:
        server = await asyncio.start_server(echo, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"hello")
        await writer.drain()
        answer = await reader.read()
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        total = await qloop.run_in_executor(None, sum, range(10))
        return answer, total

    assert qloop.run_until_complete(scenario()) == (b"hello", 45)
