"""Energy-based voice activity detection that follows the session's `turn_detection` settings.

The real services use a model; here a 20 ms frame counts as speech when its RMS level (0..1 of full
scale) exceeds `threshold * LEVEL_PER_THRESHOLD`, so the default threshold 0.5 means about -34 dBFS:
espeak-ng speech is well above it, digital silence and faint noise below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.audio import pcm

LEVEL_PER_THRESHOLD = 0.04
# semantic_vad waits for the end of a thought; here eagerness only sets how long a pause must be.
EAGERNESS_SILENCE_MS = {"low": 900, "medium": 500, "auto": 500, "high": 250}


@dataclass(frozen=True, slots=True)
class VoiceOnset:
    audio_start_ms: int


@dataclass(frozen=True, slots=True)
class VoiceOffset:
    audio_end_ms: int


VadEvent = VoiceOnset | VoiceOffset


class VoiceActivityDetector:
    """Fed every received frame with the time (ms since the call's audio began) it ends at."""

    def __init__(self, turn_detection: dict[str, Any]) -> None:
        kind = turn_detection.get("type")
        self.threshold = float(turn_detection.get("threshold", 0.5))
        self.prefix_padding_ms = int(turn_detection.get("prefix_padding_ms", 300))
        if kind == "semantic_vad":
            self.silence_ms = EAGERNESS_SILENCE_MS.get(str(turn_detection.get("eagerness", "auto")), 500)
        else:
            self.silence_ms = int(turn_detection.get("silence_duration_ms", 500))
        self.speaking = False
        self._last_voice_end_ms = 0

    def feed(self, frame: bytes, start_ms: int, end_ms: int) -> VadEvent | None:
        """`frame`: mono s16 samples."""
        voiced = pcm.rms(frame) > self.threshold * LEVEL_PER_THRESHOLD
        if voiced:
            self._last_voice_end_ms = end_ms
            if not self.speaking:
                self.speaking = True
                return VoiceOnset(max(0, start_ms - self.prefix_padding_ms))
            return None
        if self.speaking and end_ms - self._last_voice_end_ms >= self.silence_ms:
            self.speaking = False
            return VoiceOffset(self._last_voice_end_ms)
        return None
