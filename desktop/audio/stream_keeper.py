"""Keeps one PortAudio stream open through unplugging: notices when it dies, says so once, reopens.

A stream dies in two ways: PortAudio calls its finished callback (the device vanished, the sound server
went away), or its callback simply stops coming. The keeper watches both from the event loop; the
PortAudio thread only stores a time stamp or a flag (`beat()`, `finished_callback`: the flag is each
open's own, so a stream closed late cannot mark a newer one dead).

A device chosen by name is also watched while it plays (when the sound server lists it, every
WATCH_SECONDS): PulseAudio and PipeWire do not kill a stream whose device is unplugged but move it to
the system's default device, so the call carries on there; the person is told so once the stream
has delivered for STALL_SECONDS more (with the last device gone, the listing changes before the
stream is seen to die, and that is "lost"). A round in which the server cannot say (`pactl` failed)
is skipped. When the named device is listed again the stream is reopened on it ("… is back"). A
named stream that died is reopened only once its device is listed again, so a missing device costs
a short listing a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Protocol

from desktop.audio import devices
from desktop.audio.devices import AudioUnavailable, Device, Kind
from desktop.audio.notices import Event, notice
from desktop.audio.ports import ProblemHandler

log = logging.getLogger(__name__)

# PulseAudio through ALSA can be slow to a stream's first callback, and busy shared cores delay the
# later ones: both limits are generous (docs/measurements.md, Audio path).
FIRST_CALLBACK_GRACE = 6.0
STALL_SECONDS = 2.0
LIVE_SECONDS = 0.2  # a callback this recent means the device is delivering
# How long closing waits for a stream still being opened; after that it closes itself once it opens,
# so a hang-up never hangs on PortAudio.
OPENING_WAIT_SECONDS = 5.0
WATCH_SECONDS = 3.0  # how often a named device's presence is checked while it plays (a short listing)


class Stream(Protocol):
    def start(self) -> None: ...

    def close(self, ignore_errors: bool = True) -> None: ...


class StreamKeeper:
    def __init__(
        self,
        open_stream: Callable[[], Stream],
        kind: Kind,
        *,
        device_name: str | None = None,
        retry_seconds: float = 1.0,
    ) -> None:
        """`kind` and `device_name`: what `open_stream` opens, for watching a named device and for
        the sentences that name it."""
        self._open_stream = open_stream  # builds the stream (blocking); runs in a worker thread
        self._retry_seconds = retry_seconds
        self._kind = kind
        self._name = device_name
        self._device: Device | None = None  # the named device as last opened, when the server lists it
        self._stream: Stream | None = None
        self._current: _Opening | None = None  # the open that brought `_stream`
        self._opening: _Opening | None = None  # a stream being opened on a worker thread
        self._building = _Opening()  # the open `open_stream` is running for (worker thread, under ROUTING)
        self._opened_at = 0.0
        self._last_beat = 0.0
        self._watched_at = 0.0
        self._out = False  # an outage was reported and the device has not delivered since
        self._gone_at: float | None = None  # when the named device was first seen missing
        self._moved = False  # the server moved the stream off the named device (and it was said)
        self._problem: ProblemHandler = lambda sentence, *, recovered=False: None

    def set_problem_handler(self, handler: ProblemHandler) -> None:
        self._problem = handler

    def beat(self) -> None:
        """Called from the PortAudio callback: only a store."""
        self._last_beat = time.monotonic()

    @property
    def finished_callback(self) -> Callable[[], None]:
        """PortAudio's finished callback for the stream `open_stream` is making (read it there): only a
        store, into that open's own record, so a stream closed late never marks a newer one dead."""
        return self._building.mark_finished

    @property
    def alive(self) -> bool:
        return self._stream is not None and time.monotonic() - self._last_beat < LIVE_SECONDS

    async def run(self) -> None:
        """Open, watch and reopen until cancelled; then call `close()`."""
        while True:
            if self._stream is None:
                await self._try_open()
            elif cause := self._dead_because():
                log.warning("The %s stopped (%s)", self._what, cause)
                self._report(self._sentence("lost"))
                self._moved = False  # it died where it was moved to: reopened once the device is back
                self._gone_at = None
                await self.close()
                await asyncio.sleep(self._retry_seconds)
            else:
                if self._last_beat > self._opened_at and self._out and not self._moved:
                    self._out = False  # delivering again: a later outage is news
                    log.info("The %s is delivering again", self._what)
                    self._problem(self._sentence("back"), recovered=True)
                await self._watch()
                await asyncio.sleep(0.25)

    async def _watch(self) -> None:
        """Every WATCH_SECONDS, whether the named device is still (or again) listed; a missing one is
        said to be moved once the stream has delivered for STALL_SECONDS since it was seen missing."""
        gone_at = self._gone_at
        if gone_at is not None and not self._moved and self._last_beat - gone_at > STALL_SECONDS:
            self._moved = True
            log.warning("The %s is gone; the sound server moved its stream to the default device", self._what)
            self._report(self._sentence("moved"))
        device, now = self._device, time.monotonic()
        if device is None or now - self._watched_at < WATCH_SECONDS:
            return
        self._watched_at = now
        listed = await asyncio.to_thread(devices.present, self._kind, device)
        if listed is False and gone_at is None:
            self._gone_at = now
        elif listed and gone_at is not None:
            log.info("The %s is listed again: reopening the stream on it", self._what)
            self._moved, self._gone_at = False, None  # reopened on it; "is back" follows if it was out
            await self.close()

    async def _try_open(self) -> None:
        if self._device is not None:
            listed = await asyncio.to_thread(devices.present, self._kind, self._device)
            if not listed:  # not listed yet, or the server could not say: no PortAudio work
                await asyncio.sleep(self._retry_seconds)
                return
        attempt = self._opening = _Opening()
        attempt.future = asyncio.get_running_loop().run_in_executor(None, self._open_and_start, attempt)
        try:
            # Shielded: a cancelled wait must not cancel the future, or the stream it brings would be
            # dropped still running (PortAudio then calls a freed callback: a crash).
            stream = await asyncio.shield(attempt.future)
        except asyncio.CancelledError:  # closed when it opens, unless `close()` claimed it
            attempt.future.add_done_callback(lambda _: _close_unclaimed(attempt))
            raise
        except Exception as error:
            if attempt.claim():  # else `close()` took it over: nothing to say
                self._opening = None
                self._refused(error)
        else:
            if attempt.claim():  # else `close()` took it over, and closes the stream
                self._opening = None
                self._adopt(attempt, stream)
        if self._stream is None:
            await asyncio.sleep(self._retry_seconds)

    def _adopt(self, attempt: _Opening, stream: Stream) -> None:
        self._stream, self._current = stream, attempt
        self._opened_at = self._watched_at = attempt.opened_at
        if attempt.device_known:
            self._device = attempt.device
        log.info("The %s is open", self._what)

    def _refused(self, error: Exception) -> None:
        if isinstance(error, AudioUnavailable):
            self._report(error.sentence if not self._out else self._sentence("lost"))
            return
        if not self._out:  # any PortAudio refusal means the same thing here: not available yet
            log.info("The %s could not be opened: %s", self._what, error)
        self._report(self._sentence("lost"))

    def _open_and_start(self, attempt: _Opening) -> Stream:
        """On a worker thread: writes only into `attempt` (an open given up on touches nothing else)."""
        with devices.ROUTING:  # from `devices.resolve` (in `open_stream`) until the stream has started
            self._building = attempt
            stream = self._open_stream()
            attempt.opened_at = time.monotonic()
            try:
                stream.start()
            except Exception:
                stream.close(ignore_errors=True)
                raise
        if self._name is not None:
            with contextlib.suppress(AudioUnavailable):  # gone again already: the stream will tell
                found = devices.lookup(devices.list_devices(self._kind), self._name)
                attempt.device = found if found is not None and found.server_name else None
                attempt.device_known = True
        return stream

    def _dead_because(self) -> str:
        """Why the stream is dead, for the log; empty while it lives."""
        now = time.monotonic()
        if self._current is not None and self._current.finished:
            return "PortAudio ended the stream"
        if now - self._opened_at < FIRST_CALLBACK_GRACE:
            # The first stream on a fresh (or just woken) PulseAudio sink plays a few blocks and then
            # stalls (for how long: docs/measurements.md, Audio path): a stall this early is start-up,
            # not an unplugged device.
            return ""
        if self._last_beat <= self._opened_at:
            return f"no callback in the {now - self._opened_at:.1f} s since it opened"
        silent = now - self._last_beat
        return f"no callback for {silent:.1f} s" if silent > STALL_SECONDS else ""

    async def close(self) -> None:
        """Close the stream, and one still being opened once it is: each exactly once."""
        opening, self._opening = self._opening, None
        if opening is not None and opening.claim():
            await _close_once_open(opening.future)
        stream, self._stream, self._current = self._stream, None, None
        if stream is not None:
            await asyncio.get_running_loop().run_in_executor(None, stream.close, True)

    @property
    def _what(self) -> str:
        device = "microphone" if self._kind == "input" else "speaker"
        return f"{device} “{self._name}”" if self._name else f"default {device}"

    def _sentence(self, event: Event) -> str:
        return notice(self._kind, event, self._name)

    def _report(self, sentence: str) -> None:
        if not self._out:
            self._out = True
            log.warning("Told the person: %s", sentence)
            self._problem(sentence)


class _Opening:
    """One open on a worker thread: what it found, and who has claimed its stream."""

    future: asyncio.Future[Stream]

    def __init__(self) -> None:
        self.claimed = False  # the stream (if any) has an owner: kept by the run loop, or closed
        self.finished = False  # PortAudio's finished callback for this open's stream came
        self.opened_at = 0.0
        self.device: Device | None = None  # the named device as opened, when the server lists it
        self.device_known = False

    def claim(self) -> bool:
        """True for the first caller only: that one keeps or closes the stream."""
        first, self.claimed = not self.claimed, True
        return first

    def mark_finished(self) -> None:
        """PortAudio thread: only a store."""
        self.finished = True


async def _close_once_open(future: asyncio.Future[Stream]) -> None:
    """Wait up to OPENING_WAIT_SECONDS for an open, then close its stream; if the wait runs out (or is
    cancelled) the stream is closed whenever it opens, so a hang-up never hangs on PortAudio."""
    try:  # unlike `await`, a cancelled or timed-out wait leaves the open running
        await asyncio.wait({future}, timeout=OPENING_WAIT_SECONDS)
    finally:
        if not future.done():
            future.add_done_callback(_close_opened)
    if future.done() and _opened(future):
        await asyncio.get_running_loop().run_in_executor(None, future.result().close, True)


def _close_unclaimed(attempt: _Opening) -> None:
    """A done callback: an open whose wait was cancelled finished; close its stream unless claimed."""
    if attempt.claim():
        _close_opened(attempt.future)


def _opened(future: asyncio.Future[Stream]) -> bool:
    return not future.cancelled() and future.exception() is None


def _close_opened(future: asyncio.Future[Stream]) -> None:
    """A done callback (on the loop): close the stream the open brought, on a worker thread."""
    if _opened(future):
        asyncio.get_running_loop().run_in_executor(None, future.result().close, True)
