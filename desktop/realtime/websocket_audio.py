"""Audio over the WebSocket: the microphone's frames as PCM16 24 kHz chunks, and the reply's PCM16
24 kHz deltas as a track the speaker plays like a WebRTC remote track.

Out: `PcmChunker` takes what the call's microphone branch yields (PCM frames, or the Opus packets the
product's microphone encodes for WebRTC, decoded here), resamples to 24 kHz mono s16 with PyAV's
resampler (no numpy, no audioop) and cuts it into `CHUNK_SECONDS` chunks. It runs in the connection's
sender task, never in a sound-card callback. The resampler's filter holds back a few samples; left
alone, each 20 ms frame would leave that much short of a whole chunk, and every chunk would wait for
the next frame (20 ms more: docs/measurements.md, "The WebSocket's audio, looked into"). So the first
audio is preceded by that much silence, once: each frame then completes a chunk that goes out at once.

In: `ReplyTrack` holds the reply's audio and hands it out in 20 ms frames, paced by the clock (a
little ahead of it, so the speaker's prebuffer stays filled despite a coarse loop timer), because the
speaker's playout buffer expects audio at the rate it plays (it drops the oldest above its cap). It
keeps a ledger of which item each frame belonged to, so the connection can tell how much of an item
the person actually heard (`played_ms`): the speaker's own count of audio handed to the device, when
the connection was given it, else what the track handed out.
"""

from __future__ import annotations

import asyncio
import fractions
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.audio.resampler import AudioResampler
from av.frame import Frame
from av.packet import Packet
from av.stream import Stream

RATE = 24_000  # the services' PCM16 rate, both ways
WIDTH = 2
FRAME_SAMPLES = 480  # 20 ms
FRAME_BYTES = FRAME_SAMPLES * WIDTH
FRAME_SECONDS = FRAME_SAMPLES / RATE
CHUNK_SECONDS = 0.02  # one microphone frame per append: the least delay, 50 small messages a second
CHUNK_BYTES = int(CHUNK_SECONDS * RATE) * WIDTH
ALIGN_LIMIT_BYTES = CHUNK_BYTES // 4  # the most silence put before the first chunk to align it (5 ms)
LEAD_SECONDS = 0.04  # how far ahead of the clock the reply is handed to the speaker
IDLE_SECONDS = 0.3  # after this long without audio the speaker has played (or dropped) all it had
TIME_BASE = fractions.Fraction(1, RATE)
Media: TypeAlias = "Frame | Packet[Stream]"  # what a microphone branch yields: PCM frames or Opus packets


class PcmChunker:
    """Microphone media in, 24 kHz mono s16 chunks of CHUNK_BYTES out."""

    def __init__(self) -> None:
        self._resampler = AudioResampler(format="s16", layout="mono", rate=RATE)
        self._decoder: av.AudioCodecContext | None = None
        self._pending = bytearray()
        self._aligned = False

    def feed(self, media: Media) -> list[bytes]:
        """The whole chunks available after `media` (often none, or one)."""
        for frame in self._frames(media):
            frame.pts = None  # the branch's stamps need not be continuous; order is enough
            for out in self._resampler.resample(frame):
                size = out.samples * WIDTH
                self._pending += bytes(memoryview(out.planes[0])[:size])
        if not self._aligned and self._pending:
            self._align()
        chunks = []
        while len(self._pending) >= CHUNK_BYTES:
            chunks.append(bytes(self._pending[:CHUNK_BYTES]))
            del self._pending[:CHUNK_BYTES]
        return chunks

    def _align(self) -> None:
        """Silence before the first audio, so that the frame that brought it completes a chunk; tried
        once only (odd frames may fall short by more than the limit): later it would go mid-speech."""
        short = -len(self._pending) % CHUNK_BYTES
        if short <= ALIGN_LIMIT_BYTES:
            self._pending[:0] = bytes(short)
        self._aligned = True

    def _frames(self, media: Media) -> list[av.AudioFrame]:
        if isinstance(media, av.AudioFrame):
            return [media]
        if isinstance(media, Packet):
            if self._decoder is None:
                decoder = av.CodecContext.create("libopus", "r")
                assert isinstance(decoder, av.AudioCodecContext)
                self._decoder = decoder
            return [f for f in self._decoder.decode(media) if isinstance(f, av.AudioFrame)]
        return []


@dataclass(slots=True)
class Heard:
    """What the ledger knows of one audio content part (an item's spoken reply)."""

    response_id: str
    item_id: str
    content_index: int
    starts_at: float  # the track's running total (seconds handed out) at its first sample
    handed_out: float = 0.0  # seconds of it handed to the speaker


Key = tuple[str, str, int]  # (response_id, item_id, content_index)
OnStarted = Callable[[str], None]  # response_id: its audio began playing
OnStopped = Callable[[str], None]  # response_id: its audio ended (played out or cleared)


class ReplyTrack(MediaStreamTrack):
    kind = "audio"

    def __init__(
        self, on_started: OnStarted, on_stopped: OnStopped, played_seconds: Callable[[], float] | None = None
    ) -> None:
        super().__init__()
        self._on_started = on_started
        self._on_stopped = on_stopped
        self._played_seconds = played_seconds
        self._pending = bytearray()
        self._owners: deque[tuple[Key, int]] = deque()  # whose bytes `_pending` holds, in order
        self._ended: set[str] = set()  # responses whose audio is complete
        self._arrived = asyncio.Event()
        self._heard: dict[Key, Heard] = {}
        self._playing: str | None = None  # the response whose audio is being handed out
        self._total = 0.0  # seconds handed out so far
        self._due: float | None = None  # when the next frame is due (monotonic)
        self._last_out = 0.0
        self._base = (0.0, 0.0)  # (track total, speaker's played_seconds) when both were known level
        self._resync = True
        self._pts = 0

    def add(self, key: Key, audio: bytes) -> None:
        """Audio of `key` (PCM16 24 kHz mono), after what is queued."""
        audio = audio[: len(audio) // WIDTH * WIDTH]
        if not audio:
            return
        self._pending += audio
        self._owners.append((key, len(audio)))
        self._arrived.set()

    def end(self, response_id: str) -> None:
        """The response will send no more audio: its tail is padded out, then it stops."""
        self._ended.add(response_id)
        self._arrived.set()
        if self._playing == response_id and not self._pending:
            self._stop_playing()

    @property
    def playing(self) -> Heard | None:
        """The part being heard, while a reply plays."""
        return self.latest if self._playing is not None else None

    def clear(self) -> Heard | None:
        """Drop everything not handed out (barge-in); returns the part being heard, if a reply plays."""
        heard = self.playing
        self._pending.clear()
        self._owners.clear()
        self._resync = True  # the speaker is flushed with us: the next reply starts level
        self._due = None
        if self._playing is not None:
            self._stop_playing()
        return heard

    @property
    def awaiting_audio(self) -> bool:
        """A reply is playing whose audio has not all arrived (the service owes more of it)."""
        return self._playing is not None and self._playing not in self._ended

    @property
    def latest(self) -> Heard | None:
        """The part most recently handed out."""
        return max(self._heard.values(), key=lambda h: h.starts_at, default=None)

    def played_ms(self, heard: Heard) -> int:
        """How much of `heard` the person has heard, in whole milliseconds."""
        if self._played_seconds is None:
            total = self._total
        else:
            base_total, base_played = self._base
            total = min(self._total, base_total + self._played_seconds() - base_played)
        return int(1000 * max(0.0, min(heard.handed_out, total - heard.starts_at)))

    async def recv(self) -> av.AudioFrame:
        while not self._pending or (len(self._pending) < FRAME_BYTES and not self._tail_complete()):
            if self.readyState != "live":
                raise MediaStreamError
            self._arrived.clear()
            await self._arrived.wait()
        if self.readyState != "live":
            raise MediaStreamError
        await self._pace()
        return self._next_frame()

    def stop(self) -> None:
        super().stop()
        self._arrived.set()

    def _tail_complete(self) -> bool:
        return bool(self._owners) and self._owners[-1][0][0] in self._ended

    async def _pace(self) -> None:
        now = time.monotonic()
        if self._due is None or now - self._last_out > IDLE_SECONDS:
            self._due = now
            if now - self._last_out > IDLE_SECONDS:
                self._resync = True
        # After a stall (a TCP resend takes 200 ms or more) the backlog is not dumped at once: the
        # speaker keeps only 120 ms and would drop the oldest speech. Pace from now instead.
        self._due = max(self._due, now)
        delay = self._due - LEAD_SECONDS - now
        if delay > 0:
            await asyncio.sleep(delay)

    def _next_frame(self) -> av.AudioFrame:
        if self._resync:  # all handed out before was played or flushed: count from here
            self._base = (self._total, self._played_seconds() if self._played_seconds else 0.0)
            self._resync = False
        block = bytes(self._pending[:FRAME_BYTES]).ljust(FRAME_BYTES, b"\0")
        self._account(min(len(self._pending), FRAME_BYTES))
        del self._pending[:FRAME_BYTES]
        frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME_SAMPLES)
        frame.planes[0].update(block)
        frame.sample_rate, frame.time_base, frame.pts = RATE, TIME_BASE, self._pts
        self._pts += FRAME_SAMPLES
        self._total += FRAME_SECONDS
        self._due = (self._due or time.monotonic()) + FRAME_SECONDS
        self._last_out = time.monotonic()
        if not self._pending and self._playing is not None and self._playing in self._ended:
            self._stop_playing()
        return frame

    def _account(self, size: int) -> None:
        """Credit `size` bytes from the front of the queue to their owners."""
        offset = self._total
        while size > 0 and self._owners:
            key, count = self._owners[0]
            taken = min(size, count)
            self._credit(key, offset, taken / WIDTH / RATE)
            offset += taken / WIDTH / RATE
            size -= taken
            if taken == count:
                self._owners.popleft()
            else:
                self._owners[0] = (key, count - taken)

    def _credit(self, key: Key, at: float, seconds: float) -> None:
        heard = self._heard.get(key)
        if heard is None:
            heard = self._heard[key] = Heard(*key, starts_at=at)
            while len(self._heard) > 8:  # only the last few parts can still be cut
                self._heard.pop(next(iter(self._heard)))
        heard.handed_out += seconds
        if self._playing != key[0]:
            if self._playing is not None:
                self._stop_playing()
            self._playing = key[0]
            self._on_started(key[0])

    def _stop_playing(self) -> None:
        response_id, self._playing = self._playing, None
        if response_id is not None:
            self._ended.discard(response_id)
            self._on_stopped(response_id)
