"""Our app's side of the side-by-side bench, in a process of its own so that its whole process tree is
measured the same way as Chromium's: the app's session, microphone and speaker as the app makes them for
its default settings (`device_audio`: echo cancellation and noise suppression on; Chromium's
getUserMedia turns on its echo canceller, noise suppression and gain control) on the default (virtual)
devices, on the app's loop (qasync, benchmarks/audio.run_on), calling the far end
on the azure-preview dialect as the browser demo does. It prints one JSON line once connected and hangs
up when a line arrives on stdin (or it closes).

    python -m benchmarks.side_by_side_ours URL API_KEY DEPLOYMENT [BLOCKS_PER_PACKET]

BLOCKS_PER_PACKET 2 is the battery saver's 40 ms uplink packets (1, 20 ms, unless given).
"""

from __future__ import annotations

import asyncio
import json
import sys

from benchmarks.audio import run_on
from benchmarks.far_end import BENCH_VAD, drain_events
from desktop.audio import aiortc_patches
from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.settings import Preferences


def config(url: str, api_key: str, deployment: str) -> SessionConfig:
    return SessionConfig(
        provider=ProviderKind.AZURE_PREVIEW,
        endpoint=url,
        webrtc_url=f"{url}/v1/realtimertc",
        deployment=deployment,
        api_key=api_key,
        greet_first=False,
        turn_detection=BENCH_VAD,
    )


async def call(url: str, api_key: str, deployment: str, blocks_per_packet: int) -> None:
    from desktop.app.session_factory import connection_factory, device_audio
    from desktop.session.voice_session import VoiceSession

    session_config = config(url, api_key, deployment)
    microphone, speaker = device_audio(Preferences(battery_saver=blocks_per_packet == 2))
    connect = connection_factory(session_config, speaker)
    session = VoiceSession(session_config, microphone, speaker, connect=connect)
    events = asyncio.create_task(drain_events(session))
    try:
        await session.connect()
        print(json.dumps({"connected": True}), flush=True)
        await asyncio.to_thread(sys.stdin.readline)
    finally:
        await session.hang_up()
        events.cancel()
        await asyncio.gather(events, return_exceptions=True)


def main() -> None:
    url, api_key, deployment = sys.argv[1:4]
    blocks_per_packet = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    aiortc_patches.install()  # as the app at start-up
    run_on("qasync", call(url, api_key, deployment, blocks_per_packet))


if __name__ == "__main__":
    main()
