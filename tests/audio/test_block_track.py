"""The microphone's Opus track: one packet per block, at once, stamped with the block's own pts."""

from __future__ import annotations

import asyncio

import av
import numpy as np

from desktop.audio.block_track import BLOCK_FRAMES, SILENCE, OpusBlockTrack


async def test_blocks_become_opus_packets_that_decode_back() -> None:
    track = OpusBlockTrack()
    tone = (8000 * np.sin(2 * np.pi * 440 * np.arange(BLOCK_FRAMES * 10) / 48000)).astype("<i2")
    seen: list[int] = []
    track.observer = lambda pts, at, block: seen.append(pts)
    blocks = [tone[i * BLOCK_FRAMES : (i + 1) * BLOCK_FRAMES].tobytes() for i in range(10)] + [SILENCE]
    packets = []
    for i, block in enumerate(blocks):
        track.push(block, float(i))
        packets.append(await asyncio.wait_for(track.recv(), 1))
    assert [p.pts for p in packets] == seen == [i * BLOCK_FRAMES for i in range(11)]
    decoder = av.CodecContext.create("opus", "r")
    decoded = np.concatenate(
        [f.to_ndarray().reshape(-1) for p in packets[:10] for f in decoder.decode(av.Packet(bytes(p)))]
    )
    assert decoded.size >= BLOCK_FRAMES * 9
    later = decoded[BLOCK_FRAMES * 2 :].astype(np.float64) * 32768  # float samples; past the start-up
    assert np.sqrt(np.mean(later**2)) > 3000  # the tone came through (its RMS is about 5660)
    track.stop()
