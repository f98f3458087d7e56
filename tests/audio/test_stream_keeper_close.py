"""A stream still being opened when the call ends is closed once it opens, and exactly once.

PortAudio's open blocks (it runs on a worker thread); hanging up while it is under way used to drop the
stream running, and PortAudio then called a freed callback. Fake streams whose open waits for a
threading.Event stand in for the device (nothing here is timed)."""

from __future__ import annotations

import asyncio
import threading

from desktop.audio.stream_keeper import StreamKeeper
from tests.audio.conftest import wait_until


class FakeStream:
    def __init__(self) -> None:
        self.started = False
        self.closes = 0

    def start(self) -> None:
        self.started = True

    def close(self, ignore_errors: bool = True) -> None:
        self.closes += 1


class SlowDevice:
    """`open` blocks its worker thread until `release()`; every stream it made is kept."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self._go = threading.Event()
        self.streams: list[FakeStream] = []

    def open(self) -> FakeStream:
        self.entered.set()
        self._go.wait(timeout=30)
        stream = FakeStream()
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
