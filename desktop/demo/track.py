"""The server's outgoing audio track: 20 ms frames at 48 kHz, paced by a monotonic clock.

aiortc sends whenever `recv()` returns, so the track itself keeps real time: frame n is due at
start + n * 20 ms (a late loop catches up, a long stall is forgiven rather than burst out). Between
replies it sends silence so RTP keeps flowing, as the real services do.
"""

from __future__ import annotations

import asyncio
import time
from fractions import Fraction
from typing import Any

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from desktop.audio import pcm

SAMPLE_RATE = 48000
FRAME_SAMPLES = 960
FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE
MAX_CATCH_UP_SECONDS = 0.1  # behind by more than this (a stalled loop): restart the clock, no burst
TIME_BASE = Fraction(1, SAMPLE_RATE)


class Playback:
    """One reply's audio (mono s16 at 48 kHz) on its way out; the response waits on its progress."""

    def __init__(self, audio: bytes, item_id: str = "") -> None:
        self.audio = audio
        self.item_id = item_id  # the assistant item it speaks (conversation.item.truncate names it)
        self.size = pcm.sample_count(audio)
        self.position = 0  # in samples
        self.started = asyncio.Event()
        self.finished = asyncio.Event()
        self.cleared = False
        self._marks: list[tuple[int, asyncio.Event]] = []

    @property
    def duration_ms(self) -> int:
        return self.size * 1000 // SAMPLE_RATE

    @property
    def length_ms(self) -> int:
        """The whole reply, rounded up: what its item holds once generated."""
        return -(-self.size * 1000 // SAMPLE_RATE)

    @property
    def sent_ms(self) -> int:
        """The audio gone out so far, rounded up (a client's count of what it played never exceeds it)."""
        return -(-self.position * 1000 // SAMPLE_RATE)

    async def reach(self, fraction: float) -> None:
        """Returns once this fraction of the audio has been sent (or playback ended early)."""
        sample = int(self.size * fraction)
        if self.finished.is_set() or self.position >= sample:
            return
        mark = asyncio.Event()
        self._marks.append((sample, mark))
        await mark.wait()

    def take(self, count: int) -> bytes:
        chunk = self.audio[self.position * pcm.WIDTH : (self.position + count) * pcm.WIDTH]
        self.position += pcm.sample_count(chunk)
        self.started.set()
        self._release(self.position)
        if self.position >= self.size:
            self.finish()
        return chunk

    def finish(self, *, cleared: bool = False) -> None:
        self.cleared = self.cleared or cleared
        self._release(self.size)
        self.finished.set()

    def _release(self, position: int) -> None:
        for sample, mark in self._marks:
            if sample <= position:
                mark.set()
        self._marks = [(s, m) for s, m in self._marks if not m.is_set()]


class SpeechTrack(MediaStreamTrack):
    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._clock_start: float | None = None
        self._index = 0
        self._pts = 0
        self.current: Playback | None = None
        self.frames_sent = 0

    def play(self, audio: bytes, where: dict[str, Any] | None = None) -> Playback:
        """`where` (the response's ids) is for a WebSocket's audio deltas; RTP audio needs none."""
        self.clear()
        self.current = Playback(audio, str((where or {}).get("item_id", "")))
        return self.current

    def clear(self) -> bool:
        """Drops unplayed audio; True when something was still playing."""
        playing = self.current is not None and not self.current.finished.is_set()
        if self.current is not None:
            self.current.finish(cleared=playing)
        self.current = None
        return playing

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        await self._wait_for_slot()
        chunk = b""
        if self.current is not None:
            chunk = self.current.take(FRAME_SAMPLES)
            if self.current.finished.is_set():
                self.current = None
        frame = pcm.to_frame(pcm.fit(chunk, FRAME_SAMPLES * pcm.WIDTH), SAMPLE_RATE)
        frame.time_base = TIME_BASE
        frame.pts = self._pts
        self._pts += FRAME_SAMPLES
        self.frames_sent += 1
        return frame

    async def _wait_for_slot(self) -> None:
        now = time.monotonic()
        if self._clock_start is None:
            self._clock_start = now
        due = self._clock_start + self._index * FRAME_SECONDS
        if now - due > MAX_CATCH_UP_SECONDS:
            self._clock_start = now - self._index * FRAME_SECONDS
        elif due > now:
            await asyncio.sleep(due - now)
        self._index += 1

    def stop(self) -> None:
        self.clear()
        super().stop()
