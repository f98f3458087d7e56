"""Keeps one PortAudio stream open through unplugging: notices when it dies, says so once, reopens.

A stream dies in two ways: PortAudio calls its finished callback (the device vanished, the sound server
went away), or its callback simply stops coming. The keeper watches both from the event loop; the
PortAudio thread only stores a time stamp or a flag (`beat()`, `finished()`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any, Protocol

from desktop.audio.devices import AudioUnavailable
from desktop.audio.ports import ProblemHandler

FIRST_CALLBACK_GRACE = 6.0  # PulseAudio through ALSA can take 2 s before the first callback
STALL_SECONDS = 2.0  # generous: two shared cores under test load delay callbacks by hundreds of ms
LIVE_SECONDS = 0.2  # a callback this recent means the device is delivering


class Stream(Protocol):
    def start(self) -> None: ...

    def close(self, ignore_errors: bool = True) -> None: ...


class StreamKeeper:
    def __init__(
        self, open_stream: Callable[[], Stream], lost_sentence: str, retry_seconds: float = 1.0
    ) -> None:
        self._open_stream = open_stream  # builds the stream (blocking); runs in a worker thread
        self._lost_sentence = lost_sentence
        self._retry_seconds = retry_seconds
        self._stream: Stream | None = None
        self._opened_at = 0.0
        self._last_beat = 0.0
        self._finished = False
        self._reported = False
        self._problem: ProblemHandler = lambda sentence: None

    def set_problem_handler(self, handler: ProblemHandler) -> None:
        self._problem = handler

    def beat(self) -> None:
        """Called from the PortAudio callback: only a store."""
        self._last_beat = time.monotonic()

    def finished(self) -> None:
        """PortAudio's finished callback: only a store."""
        self._finished = True

    @property
    def alive(self) -> bool:
        return self._stream is not None and time.monotonic() - self._last_beat < LIVE_SECONDS

    async def run(self) -> None:
        """Open, watch and reopen until cancelled; then call `close()`."""
        while True:
            if self._stream is None:
                await self._try_open()
            elif self._is_dead():
                self._report(self._lost_sentence)
                await self.close()
                await asyncio.sleep(self._retry_seconds)
            else:
                if self._last_beat > self._opened_at:
                    self._reported = False  # delivering again: a later outage is news
                await asyncio.sleep(0.25)

    async def _try_open(self) -> None:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(None, self._open_and_start)
        try:
            self._stream = await future
        except asyncio.CancelledError:
            future.add_done_callback(_close_when_opened)
            raise
        except AudioUnavailable as error:
            self._report(str(error) if not self._reported else self._lost_sentence)
        except Exception:  # any PortAudio refusal means the same thing here: not available yet
            self._report(self._lost_sentence)
        if self._stream is None:
            await asyncio.sleep(self._retry_seconds)

    def _open_and_start(self) -> Stream:
        stream = self._open_stream()
        self._finished = False
        self._opened_at = time.monotonic()
        try:
            stream.start()
        except Exception:
            stream.close(ignore_errors=True)
            raise
        return stream

    def _is_dead(self) -> bool:
        now = time.monotonic()
        if self._finished:
            return True
        if now - self._opened_at < FIRST_CALLBACK_GRACE:
            # The first stream on a fresh (or just woken) PulseAudio sink plays a few blocks and then
            # stalls for up to ~1.8 s: a stall this early is start-up, not an unplugged device.
            return False
        if self._last_beat <= self._opened_at:
            return True
        return now - self._last_beat > STALL_SECONDS

    async def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            await asyncio.get_running_loop().run_in_executor(None, stream.close, True)

    def _report(self, sentence: str) -> None:
        if not self._reported:
            self._reported = True
            self._problem(sentence)


def _close_when_opened(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is None:
        with contextlib.suppress(Exception):
            future.result().close(ignore_errors=True)
