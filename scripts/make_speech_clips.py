"""Makes the bundled speech clips again: `python -m scripts.make_speech_clips` (needs espeak-ng).

Every phrase in both languages, spoken by espeak-ng and stored as mono Opus in Ogg (a few kB each),
so the demo server speaks real words even where espeak-ng is not installed.
"""

from __future__ import annotations

import argparse
import asyncio
from fractions import Fraction
from pathlib import Path

import av

from desktop.audio import pcm
from desktop.demo.phrases import TEXTS, clip_name
from desktop.demo.speech import SAMPLE_RATE, espeak, speech_dir, wav_to_pcm48k

OPUS_BITRATE = 24000
FRAME_SAMPLES = 960


def write_opus(path: Path, audio: bytes) -> None:
    frame_bytes = FRAME_SAMPLES * pcm.WIDTH
    with av.open(str(path), "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=SAMPLE_RATE)
        stream.bit_rate = OPUS_BITRATE
        stream.layout = "mono"
        for start in range(0, len(audio), frame_bytes):
            frame = pcm.to_frame(pcm.fit(audio[start : start + frame_bytes], frame_bytes), SAMPLE_RATE)
            frame.pts = start // pcm.WIDTH
            frame.time_base = Fraction(1, SAMPLE_RATE)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


async def make_all(folder: Path) -> None:
    for phrase, texts in TEXTS.items():
        for language, text in texts.items():
            audio = wav_to_pcm48k(await espeak(text, language))
            write_opus(folder / clip_name(phrase, language), audio)
            print(f"{clip_name(phrase, language)}: {pcm.sample_count(audio) / SAMPLE_RATE:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.make_speech_clips", description=__doc__)
    parser.add_argument(
        "folder", nargs="?", type=Path, default=speech_dir(), help="default: the bundled clips"
    )
    folder: Path = parser.parse_args().folder
    folder.mkdir(parents=True, exist_ok=True)
    asyncio.run(make_all(folder))


if __name__ == "__main__":
    main()
