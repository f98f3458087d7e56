"""The microphone's Opus track: one packet per block, at once, stamped with the block's own pts; with the
battery saver one 40 ms packet per two blocks, stamped with the first's."""

from __future__ import annotations

import asyncio

import av
import numpy as np

from desktop.app.session_factory import device_audio
from desktop.audio.block_track import BLOCK_FRAMES, SILENCE, OpusBlockTrack
from desktop.audio.microphone import Microphone
from desktop.settings import Preferences


def tone_blocks(count: int) -> list[bytes]:
    tone = (8000 * np.sin(2 * np.pi * 440 * np.arange(BLOCK_FRAMES * count) / 48000)).astype("<i2")
    return [tone[i * BLOCK_FRAMES : (i + 1) * BLOCK_FRAMES].tobytes() for i in range(count)]


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


async def test_the_battery_saver_sends_one_40_ms_packet_per_two_blocks() -> None:
    track = OpusBlockTrack(blocks_per_packet=2)
    seen: list[int] = []
    track.observer = lambda pts, at, block: seen.append(pts)
    received: list[av.Packet] = []
    track.subscribe(lambda item: received.append(item) if isinstance(item, av.Packet) else None)
    for i, block in enumerate(tone_blocks(10)):
        track.push(block, float(i))
        assert len(received) == (i + 1) // 2  # the second block of a pair sends at once
    assert seen == [i * BLOCK_FRAMES for i in range(10)]  # every block is still observed
    assert [p.pts for p in received] == [i * 2 * BLOCK_FRAMES for i in range(5)]
    decoder = av.CodecContext.create("opus", "r")
    sizes = [f.samples for p in received for f in decoder.decode(av.Packet(bytes(p)))]
    assert sizes == [2 * BLOCK_FRAMES] * 5
    track.stop()


def test_the_battery_saver_preference_reaches_the_microphone() -> None:
    def packet_blocks(prefs: Preferences) -> int:
        microphone, _speaker = device_audio(prefs)
        assert isinstance(microphone, Microphone) and isinstance(microphone.track, OpusBlockTrack)
        return microphone.track.blocks_per_packet

    assert packet_blocks(Preferences()) == 1
    assert packet_blocks(Preferences(battery_saver=True)) == 2


def test_a_websocket_call_sends_pcm_and_a_webrtc_call_after_it_keeps_the_battery_saver() -> None:
    microphone = Microphone(blocks_per_packet=2)
    microphone.set_encoded(False)  # the WebSocket sends PCM: no packets to join
    assert not isinstance(microphone.track, OpusBlockTrack)
    microphone.set_encoded(True)
    assert isinstance(microphone.track, OpusBlockTrack) and microphone.track.blocks_per_packet == 2


async def test_silence_after_speech_is_sent_as_small_packets_that_decode_to_silence() -> None:
    """Silent blocks reach the encoder as a one-step constant (libopus is slow on zeros: block_track.py),
    which Opus's DC filter takes out: what arrives is as small, and as silent, as silence itself."""
    for blocks_per_packet in (1, 2):
        track = OpusBlockTrack(blocks_per_packet=blocks_per_packet)
        packets = []
        for i, block in enumerate([*tone_blocks(10), *[SILENCE] * 50]):
            track.push(block, float(i))
            if i % blocks_per_packet == blocks_per_packet - 1:
                packets.append(bytes(await asyncio.wait_for(track.recv(), 1)))
        decoder = av.CodecContext.create("libopus", "r")
        decoder.format, decoder.layout, decoder.sample_rate = "s16", "mono", 48000
        tail = [frame for packet in packets[-10:] for frame in decoder.decode(av.Packet(packet))]
        assert tail and all(not np.frombuffer(bytes(frame.planes[0]), "<i2").any() for frame in tail)
        assert max(len(packet) for packet in packets[-10:]) <= 8
        track.stop()
