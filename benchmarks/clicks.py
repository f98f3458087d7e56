"""Clicks for measuring audio delay: a 20 ms noise burst every half second, and where bursts begin.

A click is found by content wherever it travels (loud samples, big Opus packets), never by counting
frames: encoders and buffers may hold frames back or conceal lost ones.
"""

from __future__ import annotations

import contextlib
import statistics
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.audio import pcm
from desktop.audio.block_track import BLOCK_FRAMES, BLOCK_SECONDS, SAMPLE_RATE, SILENCE

if TYPE_CHECKING:
    from benchmarks.virtual_devices import VirtualAudio

CLICK_EVERY = 25  # blocks: one click every half second
CLICK = pcm.noise(BLOCK_FRAMES, 8000, seed=3)
LOUD_PAYLOAD_BYTES = 40  # Opus silence takes a few bytes per 20 ms packet, a noise click hundreds
LOUD_PEAK, QUIET_PEAK = 4000, 1000


def click_blocks(seconds: float) -> Iterator[bytes]:
    for i in range(int(seconds / BLOCK_SECONDS)):
        yield CLICK if i % CLICK_EVERY == 0 else SILENCE


def click_train(path: Path, seconds: float) -> Path:
    """A mono 48 kHz WAV of clicks (for `paplay` into the virtual microphone)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(b"".join(click_blocks(seconds)))
    return path


def clicking_into(audio: VirtualAudio, seconds: float) -> contextlib.AbstractContextManager[None]:
    """A click train played into the virtual microphone for `seconds`, stopped on leaving."""
    return audio.playing_into_mic(lambda folder: click_train(folder / "clicks.wav", seconds))


class Onsets:
    """Times at which loud audio starts after quiet, fed chunk by chunk."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._quiet = True

    def feed(self, at: float, audio: bytes) -> None:
        peak = pcm.peak(audio)
        if peak > LOUD_PEAK and self._quiet:
            self.times.append(at)
        self._quiet = peak < QUIET_PEAK


def packet_onsets(packets: list[tuple[int, float | None]]) -> list[float]:
    """Times of the packets where a click starts, from (payload bytes, time or None when lost) in
    sending order; a click whose first packet was lost is left out."""
    onsets, quiet = [], True
    for size, at in packets:
        if size > LOUD_PAYLOAD_BYTES and quiet and at is not None:
            onsets.append(at)
        quiet = size <= LOUD_PAYLOAD_BYTES
    return onsets


def latencies(starts: list[float], ends: list[float]) -> list[float]:
    """Pair each end with the latest start before it (clicks are half a second apart)."""
    found = []
    for end in ends:
        earlier = [start for start in starts if 0 <= end - start < CLICK_EVERY * BLOCK_SECONDS * 0.8]
        if earlier:
            found.append(end - max(earlier))
    return found


@dataclass
class Spread:
    median_ms: float
    p95_ms: float
    count: int

    @classmethod
    def of(cls, seconds: list[float]) -> Spread:
        if not seconds:
            return cls(float("nan"), float("nan"), 0)
        ordered = sorted(seconds)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        return cls(round(statistics.median(ordered) * 1000, 1), round(p95 * 1000, 1), len(ordered))

    def __str__(self) -> str:
        return f"median {self.median_ms} ms, p95 {self.p95_ms} ms (n={self.count})"
