"""Where our call's CPU goes: the side-by-side bench's call (benchmarks/side_by_side_ours.py, the same far
end, speech both ways), with the thread CPU of each step of the packet paths and of each thread.

Each step below is wrapped, in the call's own process only, to add up `time.thread_time()` around it
(the steps are synchronous, so nothing else runs inside them; they nest: the microphone's block
includes its echo processing and encoding). Each thread's CPU comes from psutil, read from outside;
PortAudio's callback threads are named after the executor thread that opened the stream
(`_QThreadWorker`), PulseAudio's client threads `threaded-ml`. Wrapping adds a few microseconds per
call, so the figures are slightly high; they say where the time goes, the side-by-side bench says how
much there is.

    python -m benchmarks.call_breakdown [--seconds 20] [--battery-saver] [--quiet]

--quiet: nobody talks (a call left open while the person thinks): silence both ways.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import contextlib
import functools
import json
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from benchmarks.browser_side_by_side import WARM_UP, media_flowing, speaking_into
from benchmarks.far_end import ROOT, FarEndProcess
from benchmarks.figures import command_parser
from benchmarks.virtual_devices import virtual_audio

STEPS = (  # (module, class, method, what it is)
    ("desktop.audio.microphone", "Microphone", "_on_block", "microphone block on the loop (all below)"),
    ("desktop.audio.echo", "WebRtcProcessor", "process", "  echo canceller and noise suppression"),
    ("desktop.audio.block_track", "OpusBlockTrack", "_item", "  Opus encoding"),
    ("desktop.audio.track_fanout", "TrackFanout", "_deliver", "  hand-over to the call's sender"),
    ("pylibsrtp", "Session", "protect", "SRTP protect (sent)"),
    ("aioice.ice", "Connection", "data_received", "ICE: a datagram in, queued"),
    ("pylibsrtp", "Session", "unprotect", "SRTP unprotect (received)"),
    ("desktop.audio.aiortc_patches.jitter_buffer", "HoleSkippingJitterBuffer", "add", "jitter buffer"),
    ("desktop.audio.aiortc_patches.inline_decoding", "InlineDecoder", "put", "decode and play (all below)"),
    ("aiortc.codecs.opus", "OpusDecoder", "decode", "  Opus decoding"),
    ("desktop.audio.speaker", "_FrameWriter", "__call__", "  into the speaker's playout buffer"),
)


def _wrap_steps(spent: dict[str, float], calls: dict[str, int]) -> None:
    import importlib

    for module, cls_name, method, label in STEPS:
        cls = getattr(importlib.import_module(module), cls_name)
        original = getattr(cls, method)

        def timed(*args: Any, _original: Any = original, _label: str = label, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label] += time.thread_time() - started
                calls[_label] += 1

        setattr(cls, method, functools.wraps(original)(timed))


def child() -> None:
    """The call (side_by_side_ours) with its steps timed; the totals go to stderr as JSON at exit."""
    spent: dict[str, float] = collections.defaultdict(float)
    calls: dict[str, int] = collections.defaultdict(int)
    _wrap_steps(spent, calls)
    started = time.monotonic()
    atexit.register(lambda: print(json.dumps([time.monotonic() - started, spent, calls]), file=sys.stderr))
    from benchmarks import side_by_side_ours

    sys.argv = sys.argv[1:]
    side_by_side_ours.main()


def thread_seconds(pid: int) -> dict[int, tuple[str, float]]:
    threads = {}
    for thread in psutil.Process(pid).threads():
        name = Path(f"/proc/{pid}/task/{thread.id}/comm").read_text().strip()
        threads[thread.id] = (name, thread.user_time + thread.system_time)
    return threads


async def measure(seconds: float, blocks_per_packet: int, quiet: bool = False) -> None:
    with virtual_audio() as audio:
        far = await FarEndProcess.start(0.0)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.call_breakdown", "--child", far.url, far.api_key,
            far.deployment, str(blocks_per_packet),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )  # fmt: skip
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        await process.stdout.readline()
        await media_flowing(far)
        if not quiet:
            await far.ask(f"speech {WARM_UP + seconds + 5}")
        with contextlib.nullcontext() if quiet else speaking_into(audio, WARM_UP + seconds + 5):
            await asyncio.sleep(WARM_UP)
            before, started = thread_seconds(process.pid), time.monotonic()
            await asyncio.sleep(seconds)
            after, elapsed = thread_seconds(process.pid), time.monotonic() - started
        process.stdin.write(b"quit\n")
        process.stdin.close()
        errors = (await process.stderr.read()).decode().strip().splitlines()
        await process.wait()
        await far.stop()
    _print_threads(before, after, elapsed)
    _print_steps(json.loads(errors[-1]))


def _print_threads(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], elapsed: float
) -> None:
    busy = {tid: cpu - before.get(tid, (name, 0.0))[1] for tid, (name, cpu) in after.items()}
    print(f"process: {sum(busy.values()) / elapsed * 100:.2f} % of one core over {elapsed:.0f} s; by thread:")
    for tid, cpu in sorted(busy.items(), key=lambda item: -item[1]):
        if cpu > 0:
            print(f"  {cpu / elapsed * 100:5.2f} %  {after[tid][0]} ({tid})")


def _print_steps(totals: list[Any]) -> None:
    elapsed, spent, calls = totals
    print(f"steps on the event loop over the whole call ({elapsed:.0f} s, connecting included):")
    for _module, _cls, _method, label in STEPS:
        if calls.get(label):
            per_call = spent[label] / calls[label] * 1e6
            rate = calls[label] / elapsed
            print(f"  {spent[label] / elapsed * 100:5.2f} %  {per_call:6.1f} µs × {rate:4.1f}/s  {label}")


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child()
        return
    parser = command_parser("benchmarks.call_breakdown", __doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--battery-saver", action="store_true", help="40 ms uplink packets")
    parser.add_argument("--quiet", action="store_true", help="nobody talks: silence both ways")
    args = parser.parse_args()
    asyncio.run(measure(args.seconds, 2 if args.battery_saver else 1, args.quiet))


if __name__ == "__main__":
    main()
