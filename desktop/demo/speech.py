"""Text to 48 kHz mono PCM: espeak-ng when it is installed, else the bundled clip of the phrase.

Synthesis runs espeak-ng as a subprocess (never blocking the loop); results are cached per text, so a
repeated reply costs nothing. A reply whose exact text espeak-ng cannot speak falls back to the clip.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from functools import cache
from pathlib import Path

import av

from desktop.audio import pcm
from desktop.demo.phrases import ESPEAK_VOICES, TEXTS, Language, Phrase, clip_name, language_of
from desktop.storage import resource

log = logging.getLogger(__name__)

SAMPLE_RATE = 48000
ESPEAK_SPEED_WPM = 190
ESPEAK_TIMEOUT_S = 10.0


def speech_dir() -> Path:
    return resource("speech")


def decode_file(path: Path) -> bytes:
    """Any audio file PyAV reads, as s16 mono at 48 kHz."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    chunks: list[bytes] = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            chunks.extend(pcm.from_frame(out) for out in resampler.resample(frame))
    chunks.extend(pcm.from_frame(out) for out in resampler.resample(None))
    return b"".join(chunks)


@cache
def clip(phrase: Phrase, language: Language) -> bytes:
    return decode_file(speech_dir() / clip_name(phrase, language))


def wav_to_pcm48k(wav: bytes) -> bytes:
    """espeak-ng's 16-bit mono WAV (whatever its rate) as s16 at 48 kHz."""
    rate = int.from_bytes(wav[24:28], "little")
    data_at = wav.find(b"data")
    if rate <= 0 or data_at < 0:
        raise ValueError("not a WAV file")
    data = wav[data_at + 8 :]
    return pcm.resample(data[: len(data) // pcm.WIDTH * pcm.WIDTH], rate, SAMPLE_RATE)


async def espeak(text: str, language: Language) -> bytes:
    """WAV bytes from espeak-ng; raises OSError when it is missing or fails."""
    process = await asyncio.create_subprocess_exec(
        "espeak-ng",
        "-v",
        ESPEAK_VOICES[language],
        "-s",
        str(ESPEAK_SPEED_WPM),
        "--stdout",
        text,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        # Not wait_for: on Python 3.11 it swallows a cancellation that arrives as espeak-ng finishes,
        # and the response then waited forever for a track the closing call had stopped (its close,
        # and the demo server's stop on quit, with it).
        async with asyncio.timeout(ESPEAK_TIMEOUT_S):
            out, _ = await process.communicate()
    except TimeoutError:
        raise OSError("espeak-ng timed out") from None
    finally:
        if process.returncode is None:  # timed out, or the response was cancelled meanwhile
            process.kill()
    if process.returncode != 0 or not out:
        raise OSError(f"espeak-ng exited with {process.returncode}")
    return out


RENDERED_KEPT = 32  # synthesized replies kept (a few seconds of 48 kHz audio each, ~300 kB)


class Voice:
    """Speaks a reply: the clip when the text is exactly a phrase, else espeak-ng, else the fallback clip."""

    def __init__(self, *, synthesize: bool = True) -> None:
        self._synthesize = synthesize and shutil.which("espeak-ng") is not None
        self._cache: dict[str, bytes] = {}

    async def render(self, text: str, fallback: Phrase) -> bytes:
        language = language_of(text)
        if text == TEXTS[fallback][language] or not self._synthesize:
            return clip(fallback, language)
        if text not in self._cache:
            try:
                audio = wav_to_pcm48k(await espeak(text, language))
            except (OSError, ValueError) as exc:
                log.debug("espeak-ng failed (%s); using the %s clip", exc, fallback.value)
                return clip(fallback, language)
            if len(self._cache) >= RENDERED_KEPT:  # replies name documents and counts: bound the cache
                del self._cache[next(iter(self._cache))]
            self._cache[text] = audio
        return self._cache[text]
