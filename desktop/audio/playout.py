"""The speaker's playout buffer: written by the event loop, read by the PortAudio callback.

The callback only copies under the lock. Everything that keeps the delay low happens on the writing
side: a prebuffer before playback (re)starts, a cap that drops the oldest audio, and trimming of a
surplus that never drains (clock drift between sender and sound card, a start-up backlog). The surplus
is trimmed only where it is quiet (a pause between words): cut out of speech it is a click and a lost
syllable, while the little delay it adds until the next pause is not heard (docs/measurements.md,
Audio path).
"""

from __future__ import annotations

import threading
import time

from desktop.audio import pcm

QUIET = 0.003  # RMS (-50 dBFS) below which dropping audio is not heard


class PlayoutBuffer:
    def __init__(
        self,
        rate: int,
        channels: int,
        prebuffer: float = 0.04,
        cap: float = 0.12,
        trough: float = 0.02,
        drift_window: float = 1.0,
    ) -> None:
        self.frame_bytes = 2 * channels
        self._bytes_per_second = rate * self.frame_bytes
        self._prebuffer = self._bytes(prebuffer)
        self._cap = self._bytes(cap)
        self._trough = self._bytes(trough)  # the least we want left just before new audio arrives
        self._drift_window = drift_window
        self._data = bytearray()
        self._lock = threading.Lock()
        self._priming = True
        self._low = self._cap
        self._window_start = time.monotonic()
        self.dropped_seconds = 0.0
        self.underruns = 0  # playback ran dry: with a far end that sends steadily, each is a gap

    def _bytes(self, seconds: float) -> int:
        return int(seconds * self._bytes_per_second) // self.frame_bytes * self.frame_bytes

    @property
    def buffered_seconds(self) -> float:
        return len(self._data) / self._bytes_per_second

    def write(self, pcm: bytes) -> None:
        with self._lock:
            self._observe_trough(len(self._data))
            self._data += pcm
            self._drop_oldest(len(self._data) - self._cap)

    def read_into(self, out: memoryview) -> int:
        """PortAudio thread: copy up to len(out) bytes, return how many were real audio."""
        with self._lock:
            if self._priming and len(self._data) < self._prebuffer:
                return 0
            self._priming = False
            n = min(len(out), len(self._data))
            out[:n] = self._data[:n]
            del self._data[:n]
            if n < len(out):
                self._priming = True  # ran dry: rebuild the cushion before playing again
                self.underruns += 1
            return n

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._priming = True

    def _observe_trough(self, fill: int) -> None:
        """Over each window, the lowest fill seen before a write is audio that never drained."""
        self._low = min(self._low, fill)
        now = time.monotonic()
        if now - self._window_start < self._drift_window:
            return
        surplus = (self._low - self._trough) // self.frame_bytes * self.frame_bytes
        if not self._priming and surplus > 0 and pcm.rms(bytes(self._data[:surplus])) < QUIET:
            self._drop_oldest(surplus)
        self._low = self._cap
        self._window_start = now

    def _drop_oldest(self, count: int) -> None:
        count = count // self.frame_bytes * self.frame_bytes
        if count > 0:
            del self._data[:count]
            self.dropped_seconds += count / self._bytes_per_second
