"""Makes the bundled speech clips again: `python -m desktop.loopback.make_clips` (needs espeak-ng).

Every phrase in both languages, spoken by espeak-ng and stored as mono Opus in Ogg (a few kB each),
so the loopback server speaks real words even where espeak-ng is not installed.
"""

from __future__ import annotations

import asyncio
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from desktop.loopback.phrases import TEXTS, clip_name
from desktop.loopback.speech import SAMPLE_RATE, espeak, speech_dir, wav_to_pcm48k

OPUS_BITRATE = 24000
FRAME_SAMPLES = 960


def write_opus(path: Path, pcm: np.ndarray) -> None:
    with av.open(str(path), "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=SAMPLE_RATE)
        stream.bit_rate = OPUS_BITRATE
        stream.layout = "mono"
        padded = np.concatenate([pcm, np.zeros(-pcm.size % FRAME_SAMPLES, np.int16)])
        for start in range(0, padded.size, FRAME_SAMPLES):
            frame = av.AudioFrame.from_ndarray(
                padded[start : start + FRAME_SAMPLES].reshape(1, -1), format="s16", layout="mono"
            )
            frame.sample_rate = SAMPLE_RATE
            frame.pts = start
            frame.time_base = Fraction(1, SAMPLE_RATE)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


async def make_all(folder: Path) -> None:
    for phrase, texts in TEXTS.items():
        for language, text in texts.items():
            pcm = wav_to_pcm48k(await espeak(text, language))
            write_opus(folder / clip_name(phrase, language), pcm)
            print(f"{clip_name(phrase, language)}: {pcm.size / SAMPLE_RATE:.1f} s")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else speech_dir()
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(make_all(target))
