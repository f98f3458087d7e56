"""Received audio decoded on the loop (desktop/audio/aiortc_patches/inline_decoding.py), between two real
aiortc peers."""

from __future__ import annotations

import array
import asyncio
import math
import threading
from types import SimpleNamespace
from typing import cast

import av
import pytest
from aiortc import rtcpeerconnection
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamError

from benchmarks.peer_pair import PeerPair
from desktop.audio.aiortc_patches.inline_decoding import InlineDecoder, InlineDecodingReceiver
from desktop.audio.synthetic import SyntheticMicrophone


def tone(seconds: float) -> bytes:
    samples = array.array(
        "h", (int(8000 * math.sin(2 * math.pi * 300 * i / 48000)) for i in range(int(48000 * seconds)))
    )
    return samples.tobytes()


def decoder_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "audio-decoder"]


async def test_frames_are_decoded_on_the_loop_and_the_track_ends_with_the_call() -> None:
    microphone = SyntheticMicrophone()
    microphone.say(tone(2.0))
    pair = PeerPair(microphone.track)
    try:
        await pair.connect()
        remote = await asyncio.wait_for(pair.remote_track(), 10)
        receiver = pair.receiver.getReceivers()[0]
        assert isinstance(receiver, InlineDecodingReceiver)
        assert isinstance(vars(receiver)["_RTCRtpReceiver__decoder_queue"], InlineDecoder)
        loud = 0
        for _ in range(50):
            frame = cast(av.AudioFrame, await asyncio.wait_for(remote.recv(), 5))
            assert (frame.format.name, frame.layout.name, frame.sample_rate) == ("s16", "stereo", 48000)
            loud += max(array.array("h", bytes(frame.planes[0]))) > 4000
        assert loud > 20  # the tone came through, not silence
    finally:
        await pair.close()
    with pytest.raises(MediaStreamError):  # the idle decoder thread still ends the track on close
        await asyncio.wait_for(remote.recv(), 5)
    assert not decoder_threads()


def test_an_undecodable_frame_is_reported_and_the_next_one_still_decodes() -> None:
    frames: asyncio.Queue[av.AudioFrame] = asyncio.Queue()
    receiver = SimpleNamespace(_track=SimpleNamespace(_queue=frames))  # what InlineDecoder reads
    error = threading.Event()
    decoder = InlineDecoder(receiver, error)
    opus = next(c for c in rtcpeerconnection.CODECS["audio"] if c.mimeType == "audio/opus")
    decoder.put((opus, JitterFrame(b"\xff" * 3, 0)))
    decoder.put((opus, JitterFrame(bytes([0xF8, 0xFF, 0xFE]), 960)))  # 20 ms of CELT silence
    assert error.is_set()
    assert frames.qsize() == 1
