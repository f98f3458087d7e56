"""One fresh process of the "connect with real devices" benchmark (benchmarks/connect_devices.py).

Run as a script, so that the tree on PYTHONPATH supplies `desktop` (the parent may point it at an older
checkout to measure before and after side by side):

    python benchmarks/connect_child.py URL API_KEY DEPLOYMENT --connects 4 [--audio devices|synthetic]
                                       [--loop qasync|asyncio]

It connects `--connects` times in a row, each a new VoiceSession with the app's own Microphone and
Speaker (PortAudio on the virtual PulseAudio devices) or the synthetic pair, start -> session.updated,
on the app's loop (qasync, unless `--loop asyncio`), and prints one JSON line per connect: the
milliseconds from start at which each step was seen.
Before the first, the app's own start-up work runs (`AppSessionFactory.preload`, as once the window
is shown: aiortc's patches, the heavy imports); the first connect then pays for whatever is still
first in the process (the first DTLS handshake, the codecs, and whatever preload does not start).
Steps come from the connection's own `on_step` hook and from the audio and session loggers'
records, so nothing inside the app is changed to be measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from typing import Any, ClassVar


class StepClock:
    """Milliseconds since the current connect's start, per step name (the first time each is seen)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.steps: dict[str, float] = {}

    def mark(self, name: str) -> None:
        self.steps.setdefault(name, round((time.perf_counter() - self.start) * 1000, 1))


class LogSteps(logging.Handler):
    """Turns the app's log records into steps: devices open, connected."""

    PHRASES: ClassVar[dict[str, str]] = {
        "microphone is open": "microphone_open",
        "speaker is open": "speaker_open",
        "could not be opened": "device_refused",
    }

    def __init__(self, clock: list[StepClock]) -> None:
        super().__init__(logging.DEBUG)
        self._clock = clock

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        for phrase, step in self.PHRASES.items():
            if phrase in message and self._clock:
                self._clock[-1].mark(step)


async def connect_once(args: argparse.Namespace, clock: StepClock) -> None:
    from desktop.realtime import Connection, ProviderKind, SessionConfig, TurnDetection
    from desktop.session import VoiceSession

    class TimedConnection(Connection):
        async def open(self, on_step: Any = None) -> None:
            def step(name: str) -> None:
                clock.mark(name)
                if on_step is not None:
                    on_step(name)

            await super().open(step)

        def send(self, event: dict[str, Any]) -> None:
            if event.get("type") == "session.update":
                clock.mark("session_update_sent")
            super().send(event)

    config = SessionConfig(
        provider=ProviderKind.OPENAI,
        endpoint=args.url,
        deployment=args.deployment,
        api_key=args.api_key,
        greet_first=False,
        turn_detection=TurnDetection(create_response=False, interrupt_response=False),
    )
    microphone, speaker = make_audio(args.audio)
    session = VoiceSession(config, microphone, speaker, connect=TimedConnection)
    drain = asyncio.create_task(_drain(session))
    clock.start = time.perf_counter()
    try:
        await session.connect()
        clock.mark("session_updated")
    finally:
        await session.hang_up()
        await drain


def make_audio(kind: str) -> tuple[Any, Any]:
    if kind == "synthetic":
        from desktop.audio import RecordingSpeaker, SyntheticMicrophone

        return SyntheticMicrophone(), RecordingSpeaker()
    from desktop.audio import Microphone, Speaker, make_processor

    speaker = Speaker()
    return Microphone(processor=make_processor(speaker, headset=False)), speaker  # as device_audio


async def _drain(session: Any) -> None:
    async for _event in session.events():
        pass


async def run(args: argparse.Namespace) -> list[dict[str, float]]:
    from desktop.app.session_factory import AppSessionFactory

    factory = AppSessionFactory(environ={})
    await factory.preload()  # what the app does once its window is shown
    await factory.start_audio()
    clocks: list[StepClock] = []
    handler = LogSteps(clocks)
    logging.getLogger("desktop").addHandler(handler)
    logging.getLogger("desktop").setLevel(logging.INFO)
    logging.getLogger("desktop").propagate = False
    for index in range(args.connects):
        clocks.append(StepClock())
        await connect_once(args, clocks[-1])
        print(json.dumps(clocks[-1].steps), flush=True)  # one line per connect, as soon as it is done
        if index + 1 < args.connects:
            await asyncio.sleep(args.pause)  # the devices' streams close, as between two calls
    return [clock.steps for clock in clocks]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("api_key")
    parser.add_argument("deployment")
    parser.add_argument("--connects", type=int, default=4)
    parser.add_argument("--pause", type=float, default=0.5)
    parser.add_argument("--audio", choices=["devices", "synthetic"], default="devices")
    parser.add_argument("--loop", choices=["qasync", "asyncio"], default="qasync")
    args = parser.parse_args()
    from benchmarks.audio import run_on  # the tree's own: the app's loop, as the audio bench runs it

    run_on(args.loop, run(args))


if __name__ == "__main__":
    main()
