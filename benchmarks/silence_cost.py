"""What digital silence costs the capture path: the echo canceller (a 10 ms frame pair: the speaker's
stereo reference and the microphone's mono frame, echo cancellation and noise suppression on) and the
Opus encoder (a 20 ms block), on speech-like sound and on zeros, as the app feeds them (silence as the
faintest noise or a one-step constant: desktop/audio/dither.py, block_track.py) and as they were fed
before. CPU time of this thread per frame, after 2 s of sound; the docs/measurements.md figures.
The slowdown on zeros builds up over their first seconds (the states decay first): with
--seconds 2 the encoder's "before" came out 45 µs, with 5 s 99-101 µs.

    python -m benchmarks.silence_cost [--seconds 10]
"""

from __future__ import annotations

import argparse
import array
import math
import random
import time
from collections.abc import Callable

from desktop.audio.block_track import BLOCK_FRAMES, SILENCE, OpusBlockTrack

RATE = 48000
PAIR = int(RATE * 0.01)  # samples in a 10 ms frame
BOTH = (False, True)  # as the app feeds it now, then as before


def sound(samples: int, channels: int = 1, seed: int = 5) -> bytes:
    """A 220 Hz tone in noise at about -20 dBFS: busy enough for every filter."""
    rng = random.Random(seed)
    tone = (3000 * math.sin(2 * math.pi * 220 * n / RATE) for n in range(samples))
    values = [int(level) + rng.randint(-800, 800) for level in tone]
    return array.array("h", (value for value in values for _ in range(channels))).tobytes()


def per_call(step: Callable[[], object], seconds: float, per_second: int) -> float:
    calls = int(seconds * per_second)
    started = time.thread_time()
    for _ in range(calls):
        step()
    return (time.thread_time() - started) / calls * 1e6


def canceller_cost(capture_silent: bool, reference_silent: bool, as_before: bool, seconds: float) -> float:
    from desktop.audio.echo import audio_processing_module

    module = audio_processing_module(echo=True, noise_suppression=True)
    if as_before:
        module = module._module  # the module itself, without the dither in front
    module.set_reverse_stream_format(RATE, 2)
    captured, played = sound(PAIR), sound(PAIR, channels=2, seed=6)
    for _ in range(200):
        module.process_reverse_stream(played)
        module.process_stream(captured)
    capture = bytes(2 * PAIR) if capture_silent else captured
    reference = bytes(4 * PAIR) if reference_silent else played

    def pair() -> None:
        module.process_reverse_stream(reference)
        module.process_stream(capture)

    return per_call(pair, seconds, 100)


def encoder_cost(silent: bool, as_before: bool, seconds: float) -> float:
    track = OpusBlockTrack()
    if as_before:
        track._silence = b"never equal"  # zeros reach libopus as zeros
    block = SILENCE if silent else sound(BLOCK_FRAMES)
    for _ in range(100):
        track._item(sound(BLOCK_FRAMES), 0.0)

    def encode() -> None:
        track._item(block, 0.0)

    return per_call(encode, seconds, 50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    seconds = parser.parse_args().seconds
    kind = {False: "sound", True: "zeros"}
    print("echo canceller and noise suppression, µs per 10 ms frame pair (as the app feeds it / before)")
    for capture_silent, reference_silent in ((False, False), (True, True), (False, True), (True, False)):
        label = f"capture {kind[capture_silent]}, reference {kind[reference_silent]}"
        now, before = (canceller_cost(capture_silent, reference_silent, old, seconds) for old in BOTH)
        print(f"  {label:34s} {now:7.0f} / {before:7.0f}")
    print("Opus encoder (CELT, complexity 3, 32 kbit/s), µs per 20 ms block (as the app feeds it / before)")
    for silent in (False, True):
        now, before = (encoder_cost(silent, old, seconds) for old in BOTH)
        print(f"  {kind[silent]:34s} {now:7.0f} / {before:7.0f}")


if __name__ == "__main__":
    main()
