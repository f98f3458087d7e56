"""Audio benchmark: the real session, microphone and speaker on the virtual PulseAudio devices, against
the demo server running in a child process (benchmarks/far_end.py), so that only the client's
CPU is counted.

mouth-to-wire: the microphone callback receives a click (played into the virtual microphone) -> the
RTP packet carrying it arrives at the server (before its jitter buffer). wire-to-ear: the server sends
the RTP packet of a click -> the speaker callback hands the click to the device (the device's own
buffer comes on top: PortAudio reports 40 ms of output latency on the virtual sink). Clicks are recognised
by content (loud samples, big Opus packets), not by counting frames: encoders and buffers may hold
frames back. Both directions run at once (full duplex, echo cancellation on), with packet loss
injected on the server's sending side. Times are `time.monotonic()`, one clock for both processes.

`--transport websocket` (or `both`, after WebRTC) runs the same calls over the app's WebSocket
transport to the demo server's WebSocket, where the wire is the JSON audio events instead of RTP
(benchmarks/far_end_socket.py): mouth-to-wire ends as the demo handles the `input_audio_buffer.append`
carrying the click (its `on_audio_received` hook; no jitter buffer there either), wire-to-ear starts
as the demo's writer sends the audio delta carrying it (just before `send_str`, after the pacer's
40 ms slot). The client's end points are the same as for WebRTC. No loss is injected over the
WebSocket (TCP resends), so only the loss-free calls run, and the CPU floor (floor.py) is WebRTC's.

The client runs on the app's loop, qasync on a QApplication (offscreen, no window) with ready callbacks
run in batches (desktop/ui/event_loop.py), unless `--loop asyncio` asks for plain asyncio.

    python -m benchmarks.audio [--seconds 60] [--loop qasync|asyncio] [--transport webrtc|websocket|both]
                               [--battery-saver] [--speaker-block-ms 10|20]
                               [--json out.json]
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Coroutine
from dataclasses import asdict, dataclass
from typing import Any, Literal, TypeVar

import psutil

from benchmarks.clicks import Onsets, Spread, clicking_into, latencies, packet_onsets
from benchmarks.far_end import FarEndProcess, drain_events, session_config
from benchmarks.figures import command_parser
from benchmarks.floor import Floor, measure_floor, process_cpu_seconds
from benchmarks.virtual_devices import VirtualAudio, missing_tool, virtual_audio
from desktop.audio import aiortc_patches, canceller
from desktop.audio.echo import make_processor
from desktop.audio.microphone import Microphone
from desktop.audio.speaker import SPEAKER_BLOCK_FRAMES, Speaker
from desktop.realtime.config import TransportChoice

WARM_UP = 3.0  # PulseAudio through ALSA stalls about 1.3 s after a stream opens
LOSS_SECONDS = 20.0  # each lossy call (40 clicks each way); the loss-free call lasts `seconds`
LoopKind = Literal["qasync", "asyncio"]
Measured = TypeVar("Measured")


@dataclass
class CallFigures:
    loss: float
    seconds: float
    echo_cancelling: bool
    loop: str
    mouth_to_wire: Spread
    wire_to_ear: Spread
    cpu_percent: float  # the client process only: the server runs in its own
    rss_mb: float
    underruns: int
    trimmed_ms: float
    device_underflows: int = 0  # speaker callbacks PortAudio flagged (the device ran dry before them)
    transport: TransportChoice = "webrtc"


def watch_capture(microphone: Microphone, onsets: Onsets) -> None:
    """Note when each block that reaches aiortc was captured, and whether a click starts in it."""
    microphone.track.observer = lambda pts, at, block: onsets.feed(at, block)


def watch_playback(speaker: Speaker, onsets: Onsets) -> None:
    """See what the speaker handed to the device as the echo canceller takes it (every 20 ms; with
    processing off, `_take_played` stands in for the canceller)."""
    speaker.observer = lambda chunk: onsets.feed(chunk.at, chunk.pcm)


async def _take_played(speaker: Speaker) -> None:
    while True:
        await asyncio.sleep(0.1)
        speaker.take_played()


async def measure_call(
    audio: VirtualAudio,
    loss: float,
    seconds: float,
    echo_cancelling: bool,
    transport: TransportChoice,
    blocks_per_packet: int = 1,
    speaker_block_frames: int = SPEAKER_BLOCK_FRAMES,
) -> CallFigures:
    from desktop.app.session_factory import connection_factory
    from desktop.session.voice_session import VoiceSession

    far = await FarEndProcess.start(loss, transport)
    speaker = Speaker(block_frames=speaker_block_frames)
    processor = make_processor(speaker, headset=not echo_cancelling)
    microphone = Microphone(processor=processor, blocks_per_packet=blocks_per_packet)
    microphone.set_encoded(transport == "webrtc")  # as the app does: the WebSocket sends PCM, not Opus
    captured, heard = Onsets(), Onsets()
    watch_capture(microphone, captured)
    watch_playback(speaker, heard)
    config = session_config(far)  # and the connector the app builds for its transport:
    session = VoiceSession(config, microphone, speaker, connect=connection_factory(config, speaker))
    tasks = {asyncio.create_task(drain_events(session))}
    if not echo_cancelling:
        tasks.add(asyncio.create_task(_take_played(speaker)))
    try:
        await session.connect()
        await far.ask(f"clicks {WARM_UP + seconds + 2}")
        with clicking_into(audio, WARM_UP + seconds + 2):
            await asyncio.sleep(WARM_UP)
            captured.times.clear()
            heard.times.clear()
            cpu, rss = await _cpu_and_rss(seconds)
        report = await far.ask("report")
    finally:
        await session.hang_up()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await far.stop()
    return CallFigures(
        loss=loss,
        seconds=seconds,
        echo_cancelling=echo_cancelling,
        loop=type(asyncio.get_running_loop()).__name__,
        mouth_to_wire=Spread.of(latencies(captured.times, report["clicks_arrived"])),
        wire_to_ear=Spread.of(latencies(_departures(report), heard.times)),
        cpu_percent=round(cpu, 1),
        rss_mb=round(rss, 1),
        underruns=speaker.underruns,
        device_underflows=speaker.device_underflows,
        trimmed_ms=round(speaker.trimmed_seconds * 1000, 1),
        transport=transport,
    )


async def _cpu_and_rss(seconds: float) -> tuple[float, float]:
    """This process's CPU over `seconds` as a share of one core, and its RSS at the end (MB)."""
    started, cpu_before = time.monotonic(), process_cpu_seconds()
    await asyncio.sleep(seconds)
    cpu = (process_cpu_seconds() - cpu_before) / (time.monotonic() - started) * 100
    return cpu, psutil.Process().memory_info().rss / 2**20


def _departures(report: dict[str, Any]) -> list[float]:
    """Click onsets of the server's audio as sent, in sending order (lost packets have no time)."""
    if "clicks_sent" in report:  # a WebSocket's audio deltas (far_end_socket.py)
        return list(report["clicks_sent"])
    lost = {str(seq) for seq in report["lost"]}
    return packet_onsets([(size, None if seq in lost else at) for seq, (at, size) in report["sent"].items()])


async def run_bench(
    audio: VirtualAudio,
    seconds: float,
    transports: tuple[TransportChoice, ...] = ("webrtc",),
    blocks_per_packet: int = 1,
    speaker_block_frames: int = SPEAKER_BLOCK_FRAMES,
) -> tuple[list[CallFigures], Floor | None]:
    """A fresh call per scenario. The first is the long full-duplex call with echo cancellation on
    (client CPU and RSS). The echo canceller treats clicks into the microphone while clicks play as
    double talk and attenuates and reshapes them, so mouth-to-wire is taken from the calls with capture
    processing off (a headset); the canceller adds no buffering (each block is processed on arrival).
    Then the CPU floor of the stack underneath (floor.py), for as long as a lossy call. Over the
    WebSocket only the two loss-free calls, and no floor (see the module's docstring). `blocks_per_packet`
    2 is the battery saver's 40 ms uplink packets. The speaker's callbacks are the app's (10 ms) unless
    `speaker_block_frames` says otherwise (a before/after)."""
    short = min(seconds, LOSS_SECONDS)
    results, floor = [], None
    for transport in transports:
        packets, block = blocks_per_packet, speaker_block_frames
        results.append(await measure_call(audio, 0.0, seconds, True, transport, packets, block))
        for loss in (0.0, 0.01, 0.05) if transport == "webrtc" else (0.0,):
            results.append(await measure_call(audio, loss, short, False, transport, packets, block))
        if transport == "webrtc":
            floor = await measure_floor(audio, short)
    return results, floor


def run_on(loop: LoopKind, job: Coroutine[Any, Any, Measured]) -> Measured:
    if loop == "asyncio":
        return asyncio.run(job)
    # The app's loop (desktop/app/launch.py). Imported here only: the audio package itself never uses Qt.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from desktop.ui.event_loop import BatchingQEventLoop

    app = QApplication.instance() or QApplication([sys.argv[0]])
    qt_loop = BatchingQEventLoop(app)
    asyncio.set_event_loop(qt_loop)
    with qt_loop:
        results = qt_loop.run_until_complete(job)
    asyncio.set_event_loop(None)
    return results


def _label(r: CallFigures) -> str:
    over = "WebSocket, " if r.transport == "websocket" else ""
    return f"{over}{r.loss:.0%} loss, echo cancellation {'on' if r.echo_cancelling else 'off'}"


def figures(seconds: float = 60.0, loop: LoopKind = "qasync") -> list[tuple[str, str, str]]:
    """(name, value, target) rows for the project's bench (benchmarks/table.py)."""
    tool = missing_tool()
    if tool is not None:
        return [("audio", f"not measured: {tool} is missing", "-")]
    if not canceller.installed():  # the call and the floor measure it: half duplex would pass for it
        return [("audio", f"not measured: no echo canceller ({canceller.INSTALL_HINT})", "-")]
    with virtual_audio() as audio:
        results, floor = run_on(loop, run_bench(audio, seconds))
    assert floor is not None  # WebRTC's calls measure it
    rows = []
    for r in results:
        if not r.echo_cancelling:  # see run_bench: the canceller reshapes the clicks themselves
            rows.append((f"mouth-to-wire ({_label(r)})", str(r.mouth_to_wire), "≤ 30 ms"))
        ear_target = "≤ 100 ms" if r.loss >= 0.05 else "p95 ≤ 45 ms"  # issue #20
        rows.append((f"wire-to-ear ({_label(r)}; loss on the server's side)", str(r.wire_to_ear), ear_target))
    for r in (results[0], results[1]):
        duration = f"{r.seconds:.0f} s full-duplex call, {_label(r)}, {r.loop}"
        rows.append((f"client CPU, {duration}", f"{r.cpu_percent} % of one core", "< 8 %"))
    rows.append(
        (f"client RSS after the {results[0].seconds:.0f} s call", f"{results[0].rss_mb} MB", "< 200 MB")
    )
    gaps = " / ".join(f"{r.underruns} ({r.trimmed_ms:g} ms trimmed)" for r in results)
    rows.append(("speaker underruns per call, in the order above (audio trimmed for delay)", gaps, "0"))
    return rows + floor_rows(floor, loop)


def floor_rows(floor: Floor, loop: LoopKind) -> list[tuple[str, str, str]]:
    """The CPU floor (floor.py) under the calls above: what the stack costs without the app's audio work."""
    return [
        (
            f"CPU floor: the session on the two sound cards, {loop} (aiortc, Opus both ways, callbacks "
            f"that only hand over; {floor.frames_heard} frames heard, {floor.clicks_arrived} clicks arrived)",
            f"{floor.session_percent} %",
            "-",
        ),
        ("CPU floor: the echo canceller on noise, both directions", f"{floor.canceller_percent} %", "-"),
        ("CPU floor: the two together", f"{floor.total_percent} % of one core", "< 8 %"),
    ]


def main() -> None:
    parser = command_parser("benchmarks.audio", __doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--loop", choices=["qasync", "asyncio"], default="qasync")
    parser.add_argument("--transport", choices=["webrtc", "websocket", "both"], default="webrtc")
    parser.add_argument("--battery-saver", action="store_true", help="40 ms uplink packets (the setting)")
    parser.add_argument(
        "--speaker-block-ms", type=int, choices=[10, 20], help="the speaker's callbacks (default: the app's)"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    transports: tuple[TransportChoice, ...] = (
        ("webrtc", "websocket") if args.transport == "both" else (args.transport,)
    )
    if not canceller.installed():
        parser.error(f"the echo canceller is not installed: {canceller.INSTALL_HINT}")
    aiortc_patches.install()  # as the app at start-up
    with virtual_audio() as audio:
        blocks_per_packet = 2 if args.battery_saver else 1
        block = args.speaker_block_ms * 48 if args.speaker_block_ms else SPEAKER_BLOCK_FRAMES
        bench = run_bench(audio, args.seconds, transports, blocks_per_packet, block)
        results, floor = run_on(args.loop, bench)
    for r in results:
        print(
            f"{_label(r)}, {r.seconds:.0f} s, {r.loop} | mouth-to-wire {r.mouth_to_wire} | "
            f"wire-to-ear {r.wire_to_ear} | CPU {r.cpu_percent} % RSS {r.rss_mb} MB "
            f"underruns {r.underruns} (device {r.device_underflows}) trimmed {r.trimmed_ms} ms"
        )
    for name, value, _ in floor_rows(floor, args.loop) if floor is not None else ():
        print(f"{name}: {value}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            floor_figures = asdict(floor) if floor is not None else None
            json.dump({"calls": [asdict(r) for r in results], "floor": floor_figures}, out, indent=2)


if __name__ == "__main__":
    main()
