"""Frames handed straight to a subscriber (desktop/audio/push_tracks.py): the remote track between two real
aiortc peers (desktop/audio/aiortc_patches/remote_track.py), the microphone's block track, and the
fan-out that shares it between calls."""

from __future__ import annotations

import array
import asyncio
from typing import Any

import av
import pytest
from aiortc.mediastreams import MediaStreamError

from benchmarks.peer_pair import PeerPair
from desktop.audio import push_tracks
from desktop.audio.aiortc_patches.remote_track import PushedRemoteTrack
from desktop.audio.block_track import BLOCK_FRAMES, SILENCE, BlockTrack, OpusBlockTrack
from desktop.audio.speaker import Speaker
from desktop.audio.synthetic import SyntheticMicrophone
from desktop.audio.track_fanout import TrackFanout
from tests.audio.test_inline_decoding import tone


def loud(frame: Any) -> bool:
    return isinstance(frame, av.AudioFrame) and max(array.array("h", bytes(frame.planes[0]))) > 4000


async def test_received_audio_reaches_the_subscriber_without_being_pulled() -> None:
    microphone = SyntheticMicrophone()
    microphone.say(tone(2.0))
    pair = PeerPair(microphone.track)
    got: list[Any] = []
    try:
        await pair.connect()
        remote = await asyncio.wait_for(pair.remote_track(), 10)
        assert isinstance(remote, push_tracks.PushSource)
        remote.subscribe(got.append)
        for _ in range(100):
            if sum(map(loud, got)) > 20:
                break
            await asyncio.sleep(0.05)
        assert sum(map(loud, got)) > 20  # the tone came through, pushed
    finally:
        await pair.close()
    for _ in range(100):
        if got[-1] is None:
            break
        await asyncio.sleep(0.05)
    assert got[-1] is None  # the end of the track is pushed as well


async def test_a_subscriber_that_fails_loses_that_frame_not_the_call() -> None:
    microphone = SyntheticMicrophone()
    microphone.say(tone(2.0))
    pair = PeerPair(microphone.track)
    got: list[Any] = []

    def fussy(frame: Any) -> None:
        got.append(frame)
        if len(got) % 2:
            raise ValueError("a broken consumer")

    try:
        await pair.connect()
        remote = await asyncio.wait_for(pair.remote_track(), 10)
        assert isinstance(remote, push_tracks.PushSource)
        remote.subscribe(fussy)
        for _ in range(100):
            if len(got) > 40:
                break
            await asyncio.sleep(0.05)
        assert len(got) > 40  # frames kept coming after the failures: the transport survived
        assert pair.receiver.connectionState == "connected"
    finally:
        await pair.close()


async def test_a_subscribed_block_track_pushes_packets_in_order_and_then_its_end() -> None:
    track = OpusBlockTrack()
    track.push(SILENCE, 0.0)  # before the subscriber: stale by then, dropped (it never gets a pts)
    got: list[Any] = []
    unsubscribe = track.subscribe(got.append)
    for i in range(5):
        track.push(SILENCE, float(i))
    assert [p.pts for p in got] == [BLOCK_FRAMES * i for i in range(5)]
    unsubscribe()
    track.push(SILENCE, 5.0)  # pulled again from now on
    assert (await asyncio.wait_for(track.recv(), 1)).pts == BLOCK_FRAMES * 5
    track.subscribe(got.append)
    track.stop()
    assert got[-1] is None
    with pytest.raises(MediaStreamError):
        await track.recv()


async def test_the_fan_out_takes_pushed_frames_without_a_task_and_ends_the_branches() -> None:
    source = BlockTrack()
    fanout = TrackFanout(source)
    branch = fanout.branch()
    reading = asyncio.ensure_future(branch.recv())  # a call's sender starts reading
    await asyncio.sleep(0)
    source.push(SILENCE, 0.0)
    frame = await asyncio.wait_for(reading, 1)
    assert isinstance(frame, av.AudioFrame)
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "track-fanout"]
    source.stop()
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(branch.recv(), 1)
    await fanout.close()


def stereo_frame(pts: int) -> av.AudioFrame:
    """20 ms as the inline decoder puts it on a remote track (s16 stereo 48 kHz)."""
    frame = av.AudioFrame(format="s16", layout="stereo", samples=BLOCK_FRAMES)
    frame.planes[0].update(bytes(BLOCK_FRAMES * 4))
    frame.sample_rate = 48000
    frame.pts = pts
    return frame


async def test_the_remote_track_hands_over_its_backlog_once_then_live_frames_then_its_end() -> None:
    track = PushedRemoteTrack("audio")
    queue = track._queue  # where aiortc and the inline decoder put decoded frames
    queue.put_nowait(stereo_frame(0))
    queue.put_nowait(stereo_frame(960))
    got: list[Any] = []
    unsubscribe = track.subscribe(got.append)
    queue.put_nowait(stereo_frame(1920))
    assert [frame.pts for frame in got] == [0, 960, 1920]
    with pytest.raises(RuntimeError):
        track.subscribe(got.append)  # one subscriber at a time
    unsubscribe()
    queue.put_nowait(stereo_frame(2880))
    assert (await asyncio.wait_for(track.recv(), 1)).pts == 2880  # pulled again
    track.subscribe(got.append)
    queue.put_nowait(None)
    assert got[-1] is None and track.readyState == "ended"


async def test_the_speaker_plays_only_its_latest_track() -> None:
    speaker = Speaker()  # no sound device needed: the keeper keeps looking for one meanwhile
    await speaker.start()
    first, second = PushedRemoteTrack("audio"), PushedRemoteTrack("audio")
    try:
        speaker.attach(first)
        first._queue.put_nowait(stereo_frame(0))
        assert speaker.buffered_seconds == pytest.approx(0.02)
        speaker.attach(second)  # a reconnect: the new call's track replaces the old one
        first._queue.put_nowait(stereo_frame(960))
        assert speaker.buffered_seconds == 0
        second._queue.put_nowait(stereo_frame(0))
        assert speaker.buffered_seconds == pytest.approx(0.02)
    finally:
        await speaker.stop()
    second._queue.put_nowait(stereo_frame(960))
    assert speaker.buffered_seconds == 0


async def test_two_calls_share_the_pushed_microphone_and_one_can_leave() -> None:
    source = BlockTrack()
    fanout = TrackFanout(source)
    old_call, new_call, idle = fanout.branch(), fanout.branch(), fanout.branch()
    reads = [asyncio.ensure_future(branch.recv()) for branch in (old_call, new_call)]
    await asyncio.sleep(0)
    source.push(SILENCE, 0.0)
    frames = [await asyncio.wait_for(read, 1) for read in reads]
    assert frames[0] is frames[1]
    old_call.stop()  # the renewal is done: the old call ends
    source.push(SILENCE, 0.02)
    assert (await asyncio.wait_for(new_call.recv(), 1)).pts == BLOCK_FRAMES
    late = asyncio.ensure_future(idle.recv())  # a call that starts reading only now
    await asyncio.sleep(0)
    source.push(SILENCE, 0.04)
    assert (await asyncio.wait_for(late, 1)).pts == 2 * BLOCK_FRAMES  # it kept nothing before
    assert (await asyncio.wait_for(new_call.recv(), 1)).pts == 2 * BLOCK_FRAMES
    waiting = asyncio.ensure_future(new_call.recv())
    await asyncio.sleep(0)
    await fanout.close()
    with pytest.raises(MediaStreamError):  # closing wakes a call still waiting for a frame
        await asyncio.wait_for(waiting, 1)
