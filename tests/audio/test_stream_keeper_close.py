"""A stream still being opened when the call ends is closed once it opens, and exactly once.

PortAudio's open blocks (it runs on a worker thread); hanging up while it is under way used to drop the
stream running, and PortAudio then called a freed callback. Fake streams whose open waits for a
threading.Event stand in for the device (nothing here is timed)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest

from desktop.audio import stream_keeper
from desktop.audio.stream_keeper import StreamKeeper
from tests.audio.conftest import wait_until


class FakeStream:
    def __init__(self, finished: Callable[[], None] | None = None) -> None:
        self.started = False
        self.closes = 0
        self.finished = finished  # what PortAudio calls when the stream ends

    def end(self) -> None:
        """PortAudio ends the stream (the device went away), whenever that is."""
        if self.finished is not None:
            self.finished()

    def start(self) -> None:
        self.started = True

    def close(self, ignore_errors: bool = True) -> None:
        self.closes += 1


class SlowDevice:
    """`open` blocks its worker thread until `release()`; every stream it made is kept. Given the
    keeper, each stream gets its finished callback, as sounddevice's would."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self._go = threading.Event()
        self.streams: list[FakeStream] = []
        self.keeper: StreamKeeper | None = None

    def open(self) -> FakeStream:
        self.entered.set()
        self._go.wait(timeout=30)
        stream = FakeStream(self.keeper.finished_callback if self.keeper is not None else None)
        self.streams.append(stream)
        return stream

    def release(self) -> None:
        self._go.set()


async def test_close_during_a_slow_open_closes_the_late_stream_once() -> None:
    device = SlowDevice()
    keeper = StreamKeeper(device.open, "input")
    runner = asyncio.create_task(keeper.run())
    await wait_until(device.entered.is_set)
    runner.cancel()  # hang-up while PortAudio is still opening
    closing = asyncio.create_task(keeper.close())
    await asyncio.sleep(0)
    assert not closing.done()  # close() waits for the open under way ...
    device.release()
    await closing
    [stream] = device.streams
    assert stream.started and stream.closes == 1  # ... and closes what it brought, once


async def test_a_cancelled_open_without_close_still_closes_its_stream() -> None:
    device = SlowDevice()
    keeper = StreamKeeper(device.open, "output")
    runner = asyncio.create_task(keeper.run())
    await wait_until(device.entered.is_set)
    runner.cancel()
    device.release()
    await wait_until(lambda: bool(device.streams and device.streams[0].closes))
    await keeper.close()  # nothing left to close: not a second time
    assert device.streams[0].closes == 1


async def test_an_opened_stream_is_closed_once_by_close() -> None:
    device = SlowDevice()
    device.release()
    keeper = StreamKeeper(device.open, "input")
    runner = asyncio.create_task(keeper.run())
    await wait_until(lambda: bool(device.streams) and keeper._opening is None)
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    await keeper.close()
    assert [s.closes for s in device.streams] == [1]


async def test_close_while_run_is_live_closes_the_stream_once() -> None:
    device = SlowDevice()
    keeper = StreamKeeper(device.open, "input", retry_seconds=60)
    runner = asyncio.create_task(keeper.run())
    await wait_until(device.entered.is_set)
    closing = asyncio.create_task(keeper.close())  # run() is still waiting for the same open
    await asyncio.sleep(0)
    device.release()
    await closing
    await asyncio.sleep(0)  # run() sees the open finish too: it leaves the stream to close()
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    await keeper.close()
    [stream] = device.streams
    assert stream.closes == 1


async def test_an_open_replaced_by_a_newer_one_still_closes_its_stream() -> None:
    device = SlowDevice()
    keeper = StreamKeeper(device.open, "output")
    first = asyncio.create_task(keeper.run())
    await wait_until(device.entered.is_set)
    first.cancel()  # nobody calls close(): a new run opens again before the first open finished
    await asyncio.gather(first, return_exceptions=True)
    second = asyncio.create_task(keeper.run())
    await asyncio.sleep(0)
    device.release()
    await wait_until(lambda: len(device.streams) == 2 and keeper._stream is device.streams[1])
    await wait_until(lambda: device.streams[0].closes == 1)
    second.cancel()
    await asyncio.gather(second, return_exceptions=True)
    await keeper.close()
    assert [s.closes for s in device.streams] == [1, 1]


async def test_an_open_given_up_on_touches_nothing_but_closes_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream_keeper, "OPENING_WAIT_SECONDS", 0.01)
    device = SlowDevice()
    keeper = device.keeper = StreamKeeper(device.open, "input", retry_seconds=60)
    problems: list[str] = []
    keeper.set_problem_handler(lambda sentence, *, recovered=False: problems.append(sentence))
    runner = asyncio.create_task(keeper.run())
    await wait_until(device.entered.is_set)
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    await keeper.close()  # PortAudio hangs: close() stops waiting, the open goes on
    assert not device.streams
    device.release()
    await wait_until(lambda: bool(device.streams) and device.streams[0].closes == 1)
    assert keeper._opened_at == 0.0 and keeper._stream is None  # the late open wrote nothing
    runner = asyncio.create_task(keeper.run())  # the next call's stream
    await wait_until(lambda: len(device.streams) == 2 and keeper._stream is device.streams[1])
    device.streams[0].end()  # the stale stream's finished callback, late
    assert keeper._dead_because() == ""  # the newer stream is not taken for dead
    device.streams[1].end()
    assert keeper._dead_because() == "PortAudio ended the stream"
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    await keeper.close()
    assert [s.closes for s in device.streams] == [1, 1] and not problems
