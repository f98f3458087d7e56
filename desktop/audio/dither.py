"""Digital silence handed to WebRTC's audio-processing module as the faintest noise instead.

Fed exact zeros, the module's recursive filters (the high-pass, AEC3's decimators and smoothers, the
noise suppressor) decay into subnormal floats, which x86 processors compute in microcode, tens of
times slower: on an Intel benchmark machine one 10 ms frame pair took 1,263 µs on silence both ways
against 69 µs on sound (python -m benchmarks.silence_cost; docs/measurements.md, Audio path). Zeros
come from a muted or virtual microphone, and as the reference whenever the speaker hands over
silence. The module's own guard (WebRTC's DenormalDisabler, which sets the processor's flush-to-zero
flags while it runs) is compiled in only by clang, as Chromium builds it; aec-audio-processing is
built with gcc, and Python cannot set those flags portably. Noise of at most one sample step (about
-90 dBFS, below any microphone's own noise) keeps every filter state a normal number: 60 µs per
frame pair on silence. Frames with any sound in them pass untouched, and a silent capture frame comes
back as silence (the noise is for the filters, not for the service: Opus codes silence in a few
bytes, that noise at the full rate).
"""

from __future__ import annotations

import random
from typing import Any

NOISE_FRAMES = 8  # handed out in turn, so that the noise does not repeat every 10 ms


class SilenceDither:
    """Replaces a frame of s16 zeros with noise of -1, 0 or +1 per sample; any other frame is returned
    as it is. One per stream: the two streams' noise must not be the same (the canceller would take
    it for an echo)."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self._zeros = b""
        self._noise: list[bytes] = []
        self._turn = 0

    def __call__(self, frame: bytes) -> bytes:
        if len(frame) != len(self._zeros):
            self._zeros = bytes(len(frame))
            self._noise = [self._noise_frame(len(frame) // 2) for _ in range(NOISE_FRAMES)]
        if frame != self._zeros:
            return frame
        self._turn = (self._turn + 1) % NOISE_FRAMES
        return self._noise[self._turn]

    def _noise_frame(self, samples: int) -> bytes:
        """Built with bytes operations, not a Python loop per sample: this runs on the event loop as a
        call's first silent frame arrives (a loop took 3.3 ms for the two streams' frames)."""
        low = self._random.randbytes(samples).translate(_LOW_BYTE)  # little-endian -1, 0 or +1
        frame = bytearray(2 * samples)
        frame[0::2] = low
        frame[1::2] = low.translate(_HIGH_BYTE)
        return bytes(frame)


# A random byte -> the low byte of -1, 0 or +1 (by the byte modulo 3), and that low byte -> its high byte.
_LOW_BYTE = bytes((0xFF, 0x00, 0x01)[value % 3] for value in range(256))
_HIGH_BYTE = bytes(0xFF if value == 0xFF else 0x00 for value in range(256))


class DitheredModule:
    """The audio-processing module with SilenceDither in front of both of its streams."""

    def __init__(self, module: Any) -> None:
        self._module = module
        self._captured = SilenceDither(seed=1)
        self._played = SilenceDither(seed=2)

    def set_stream_format(self, *args: int) -> None:
        self._module.set_stream_format(*args)

    def set_reverse_stream_format(self, *args: int) -> None:
        self._module.set_reverse_stream_format(*args)

    def process_stream(self, frame: bytes) -> bytes:
        fed = self._captured(frame)
        processed = self._module.process_stream(fed)
        return frame if fed is not frame else processed  # not `frame`: it was silence, and stays so

    def process_reverse_stream(self, frame: bytes) -> Any:
        return self._module.process_reverse_stream(self._played(frame))
