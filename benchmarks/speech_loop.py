"""Speech for the side-by-side bench: the bundled clips (both languages) one after another, looped.

Both ends of that bench talk real speech rather than clicks, as in a conversation: the far end plays it
into the call and the virtual microphone hears it (paplay). Opus spends more on speech than on clicks
and silence, and echo cancellation and the VAD work on it as in use.
"""

from __future__ import annotations

import wave
from functools import cache
from pathlib import Path

from desktop.audio import pcm
from desktop.demo.speech import SAMPLE_RATE, decode_file, speech_dir

GAP_SECONDS = 0.3  # between clips, as between sentences


@cache
def _clips() -> bytes:
    gap = bytes(int(GAP_SECONDS * SAMPLE_RATE) * pcm.WIDTH)
    return b"".join(decode_file(path) + gap for path in sorted(speech_dir().glob("*.ogg")))


def speech(seconds: float) -> bytes:
    """`seconds` of s16 mono 48 kHz speech."""
    wanted = int(seconds * SAMPLE_RATE) * pcm.WIDTH
    clips = _clips()
    return (clips * (wanted // len(clips) + 1))[:wanted]


def speech_wav(path: Path, seconds: float) -> Path:
    """The same as a WAV file (for `paplay` into the virtual microphone)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(pcm.WIDTH)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(speech(seconds))
    return path
