"""Received audio decoded on the event loop instead of in aiortc's decoder thread.

aiortc's receiver hands every encoded frame to a decoder thread, which hands each decoded frame back
with `asyncio.run_coroutine_threadsafe`: per 20 ms a thread switch, a wake-up of the loop through its
self-pipe (under qasync, a Qt socket notifier as well), a Task and two futures. Decoding a 20 ms Opus
frame costs far less than that hand-over (docs/measurements.md, Audio path), and the jitter buffer
(jitter_buffer.py) already decides when a frame is due; so `InlineDecodingReceiver` decodes right where
the frame leaves the jitter buffer and puts the result on the track's queue directly. The decoder thread
aiortc still starts waits idle until the receiver stops, then ends the track as before. Video is left
alone.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from aiortc import rtcrtpreceiver
from aiortc.codecs import get_decoder
from aiortc.codecs.base import Decoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

log = logging.getLogger(__name__)

DecodeTask = tuple[RTCRtpCodecParameters, JitterFrame] | None


class InlineDecoder:
    """Stands in for the receiver's decoder queue (`queue.Queue`): `put` decodes at once, on the loop;
    `get` is only called by aiortc's decoder thread, which it keeps waiting until the receiver stops."""

    def __init__(self, receiver: Any, decode_error: threading.Event) -> None:
        self._receiver = receiver
        self._decode_error = decode_error
        self._decoder: Decoder | None = None
        self._codec_name = ""
        self._stopped = threading.Event()

    def put(self, task: DecodeTask) -> None:
        if task is None:  # the receiver stops: the waiting thread ends the track
            self._stopped.set()
            return
        codec, encoded = task
        if self._decoder is None or codec.name != self._codec_name:
            self._decoder = get_decoder(codec)
            self._codec_name = codec.name
        try:
            frames = self._decoder.decode(encoded)
        except Exception as exc:
            # aiortc's thread skips a frame FFmpeg cannot decode (and ends on any other error); raised
            # here, any error would end the DTLS transport and the data channel with it, so whatever
            # it is, the frame is dropped.
            log.debug("an audio frame could not be decoded: %r", exc)
            self._decode_error.set()
            return
        queue = self._receiver._track._queue
        for frame in frames:
            queue.put_nowait(frame)

    def get(self) -> DecodeTask:
        self._stopped.wait()
        return None


class InlineDecodingReceiver(rtcrtpreceiver.RTCRtpReceiver):
    def __init__(self, kind: str, transport: Any) -> None:
        super().__init__(kind, transport)
        if kind == "audio":  # the receiver's private names, as Python mangles them
            private = vars(self)
            private["_RTCRtpReceiver__decoder_queue"] = InlineDecoder(
                self, private["_RTCRtpReceiver__decoder_error"]
            )

