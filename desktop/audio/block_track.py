"""An audio track fed with 20 ms blocks by whoever owns the clock (a sound card, a silence pacer).

aiortc sends whenever `recv()` returns, so `recv()` waits for the next block; the track never paces
itself. `pts` counts samples from the first frame on and is never reset, whatever the source.

`OpusBlockTrack` hands aiortc Opus packets instead of frames. aiortc would otherwise, for every 20 ms
frame, compute its audio level in a Python loop, hop to a worker thread to encode, and upmix the mono
microphone to stereo first; encoding the mono block right here on the loop costs a fraction of that.
With `blocks_per_packet=2` (the battery saver setting) it sends one 40 ms Opus packet for every two
blocks: half the packets, so half the sender's and the transport's per-packet work, for 20 ms more
delay on the first block of each pair.
"""

from __future__ import annotations

import asyncio
import fractions
from collections.abc import Callable

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, CodecContext, Packet

from desktop.audio.push_tracks import FailureLog, Listener, Subscription

SAMPLE_RATE = 48000
BLOCK_FRAMES = 960  # 20 ms
BLOCK_SECONDS = BLOCK_FRAMES / SAMPLE_RATE
SILENCE = bytes(BLOCK_FRAMES * 2)
TIME_BASE = fractions.Fraction(1, SAMPLE_RATE)

OPUS_BIT_RATE = 32000  # mono speech: the services listen at 24 kHz; wideband speech needs no more
# Opus's "lowdelay" application codes with CELT alone. At this rate the "voip" mode runs SILK and CELT
# side by side (hybrid) for several times the instructions and more look-ahead; SILK's extras (in-band
# FEC, which needs the expected loss set, and very low rates) go unused here. Constrained VBR keeps the
# rate near the target (plain VBR spends far more on the same speech). libopus's default complexity 10
# buys little at this rate for many more instructions (docs/measurements.md, Audio path).
OPUS_OPTIONS = {"application": "lowdelay", "vbr": "constrained", "compression_level": "3"}
# libopus encodes digital silence 2.5 to 4 times slower than sound (its filter states decay into
# subnormal floats, slow on x86; like the canceller's, desktop/audio/dither.py). A constant of one step
# (-90 dBFS) is silence to Opus, whose DC filter removes it, and keeps the states normal: 99-172 ->
# 32-37 µs per 20 ms, and the packet stays as small (docs/measurements.md, Audio path).
ONE_STEP = (1).to_bytes(2, "little") * BLOCK_FRAMES
FrameObserver = Callable[[int, float, bytes], None]  # (pts, when captured, the block): measurements


class BlockTrack(MediaStreamTrack):
    """Pulled with `recv()`, or, once subscribed (push_tracks.py), each block is handed to the subscriber as
    it is pushed."""

    kind = "audio"

    def __init__(self, depth: int = 5) -> None:
        super().__init__()
        self._depth = depth  # blocks kept when nobody reads; older ones go, so delay stays bounded
        self._queue: asyncio.Queue[tuple[bytes, float]] = asyncio.Queue()
        self._subscription = Subscription()
        self._failures = FailureLog("a captured block could not be encoded")
        self._pts = 0
        self.observer: FrameObserver | None = None

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Blocks queued for `recv()` are dropped (stale by now); one subscriber at a time, and none
        while a `recv()` is waiting (it would wait on the dropped queue)."""
        unsubscribe = self._subscription.subscribe(listener)
        self._queue = asyncio.Queue()
        return unsubscribe

    def push(self, block: bytes, captured_at: float) -> None:
        """A mono s16 block of BLOCK_FRAMES samples (call on the event loop)."""
        if self._subscription.listener is not None:
            try:
                item = self._item(block, captured_at)
            except Exception:  # an encoder error costs this block, not the microphone's hand-over
                self._failures.record()
                return
            if item is not None:
                self._subscription.deliver(item)
            return
        while self._queue.qsize() >= self._depth:
            self._queue.get_nowait()
        self._queue.put_nowait((block, captured_at))

    async def recv(self) -> AudioFrame | Packet:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            item = self._item(*await self._queue.get())
            if item is not None:
                return item

    def stop(self) -> None:
        live = self.readyState == "live"
        super().stop()
        if live and self._subscription.listener is not None:
            self._subscription.deliver(None)

    def _item(self, block: bytes, captured_at: float) -> AudioFrame | Packet | None:
        """What the consumer gets for the block (None: nothing yet)."""
        frame = _frame(block, self._pts)
        if self.observer is not None:
            self.observer(self._pts, captured_at, block)
        self._pts += BLOCK_FRAMES
        return frame


class OpusBlockTrack(BlockTrack):
    """The same blocks, as Opus packets (aiortc only packetises them) of `blocks_per_packet` blocks."""

    def __init__(self, depth: int = 5, blocks_per_packet: int = 1) -> None:
        super().__init__(depth)
        if blocks_per_packet not in (1, 2):
            raise ValueError("Opus packets of 20 or 40 ms only")
        self.blocks_per_packet = blocks_per_packet
        self._held: tuple[bytes, int] | None = None  # the first block of a 40 ms packet, and its pts
        self._silence, self._one_step = SILENCE * blocks_per_packet, ONE_STEP * blocks_per_packet
        self._encoder = CodecContext.create("libopus", "w")
        self._encoder.bit_rate = OPUS_BIT_RATE
        self._encoder.format = "s16"
        self._encoder.layout = "mono"
        self._encoder.sample_rate = SAMPLE_RATE
        self._encoder.time_base = TIME_BASE
        self._encoder.options = {**OPUS_OPTIONS, "frame_duration": str(20 * blocks_per_packet)}

    def _item(self, block: bytes, captured_at: float) -> Packet | None:
        frame = super()._item(block, captured_at)
        assert isinstance(frame, AudioFrame) and frame.pts is not None
        if self.blocks_per_packet == 2:
            if self._held is None:
                self._held = (block, frame.pts)
                return None
            (first, pts), self._held = self._held, None
            block = first + block
            frame = _frame(block, pts)
        if block == self._silence:
            frame.planes[0].update(self._one_step)
        packets = self._encoder.encode(frame)  # libopus returns one packet per frame, at once
        if not packets:
            return None
        packet = packets[0]
        packet.pts = frame.pts  # the block's own stamp, not the encoder's (which starts below zero)
        packet.time_base = TIME_BASE
        return packet


def _frame(samples: bytes, pts: int) -> AudioFrame:
    """A mono s16 frame of `samples` (whole blocks)."""
    frame = AudioFrame(format="s16", layout="mono", samples=len(samples) // 2)
    frame.planes[0].update(samples)
    frame.sample_rate = SAMPLE_RATE
    frame.time_base = TIME_BASE
    frame.pts = pts
    return frame
