"""The CPU floor's call (benchmarks/floor.py) is a real call on the sound cards: audio crosses it
both ways, so the figure it gives is what a call costs, not an idle connection's."""

from __future__ import annotations

from benchmarks.floor import session_floor
from benchmarks.virtual_devices import VirtualAudio


async def test_the_floor_call_carries_audio_both_ways(devices: VirtualAudio) -> None:
    # A stream opened on a null sink can stall for 1-2 s (benchmarks/virtual_devices.py): with a 1 s
    # settle the clicks once reached the far end only after the measured second (CI, 1 run in 4).
    floor = await session_floor(devices, 1.0, settle=3.0)
    assert floor.frames_heard > 0  # the far end's audio was decoded and taken
    assert floor.clicks_arrived > 0  # clicks played into the virtual microphone reached the far end
    assert floor.percent > 0
