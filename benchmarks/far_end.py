"""The audio bench's far end: the demo server in a child process, so its CPU is not the client's.

It injects packet loss on its own sending side, notes when each RTP packet of the client's audio
arrives (before any jitter buffer; the packet is decoded on the side to see whether a click starts in
it) and when each of its own left, and plays a click train into the newest call on request.
Commands arrive one per line on stdin, answers leave as JSON lines on stdout:

    python -m benchmarks.far_end --loss 0.05 [--transport webrtc|websocket]
    -> {"url": "http://127.0.0.1:PORT", "api_key": ..., "deployment": ...}
    clicks 60   -> {"playing": 60}            (a click every half second for 60 s)
    speech 60   -> {"playing": 60}            (60 s of speech, benchmarks/speech_loop.py)
    calls       -> {"calls": 1, "packets_arrived": 0}   (calls answered, RTP packets received)
    report      -> {"clicks_arrived": [...], "sent": {...}, "lost": [...]}   (times are
                   time.monotonic(), the same clock in every process on one machine)
    quit (or end of input) stops it.

It watches and drops packets through the demo server's `on_call_answered` hook. With `--transport
websocket` it watches the audio events instead (far_end_socket.py; no loss) and reports the clicks'
departures as `clicks_sent`. aiortc's patches
(desktop/audio/aiortc_patches) are not installed here: the far end stands for the service's peer.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiortc.codecs.opus import OpusDecoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtp import RtpPacket
from av import AudioFrame

from benchmarks.clicks import Onsets, click_blocks
from benchmarks.far_end_socket import SocketTap
from benchmarks.figures import command_parser
from benchmarks.peer_pair import Wire
from benchmarks.speech_loop import speech
from desktop.audio import pcm
from desktop.demo.call import ServerCall
from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind, SessionConfig, TransportChoice, TurnDetection

if TYPE_CHECKING:
    from desktop.session.voice_session import VoiceSession

API_KEY = "bench-key-0123456789"
DEPLOYMENT = "gpt-realtime-bench"
ROOT = Path(__file__).resolve().parent.parent
# Clicks into the microphone must neither start answers nor stop the server's clicks (over either
# transport: with interrupt_response off the client cuts no reply either).
BENCH_VAD = TurnDetection(create_response=False, interrupt_response=False)


class FarEnd:
    def __init__(self, loss: float, transport: TransportChoice = "webrtc") -> None:
        self.socket_tap = SocketTap() if transport == "websocket" else None
        self.server = DemoServer(api_key=API_KEY, deployment=DEPLOYMENT, on_call_answered=self.tap)
        if self.socket_tap is not None:
            self.server.on_websocket_opened = self.socket_tap.opened
            self.server.on_audio_received = self.socket_tap.audio_received
        self.loss = loss
        self.clicks_arrived = Onsets()  # the client's audio as it arrives here
        self.packets_arrived = 0
        self._decoder = OpusDecoder()
        self.downlink = Wire(loss, seed=12)  # this server's audio as it leaves, some of it dropped

    def tap(self, call: ServerCall) -> None:
        """The server's `on_call_answered` hook: right after a call answered the offer, before any RTP."""
        for transceiver in call.pc.getTransceivers():
            receiver: Any = transceiver.receiver
            receiver._handle_rtp_packet = self._note_clicks(receiver._handle_rtp_packet)
            transport: Any = transceiver.sender.transport
            transport._send_rtp = self.downlink.drop_on_send(transport._send_rtp)

    def _note_clicks(
        self, handle: Callable[[RtpPacket, int], Awaitable[None]]
    ) -> Callable[[RtpPacket, int], Awaitable[None]]:
        async def noting(packet: RtpPacket, arrival_time_ms: int) -> None:
            arrived = time.monotonic()
            self.packets_arrived += 1
            for frame in self._decoder.decode(JitterFrame(packet.payload, packet.timestamp)):
                if isinstance(frame, AudioFrame):
                    self.clicks_arrived.feed(arrived, pcm.from_frame(frame))
            await handle(packet, arrival_time_ms)

        return noting

    def play_clicks(self, seconds: float) -> None:
        self.server.sessions[-1].track.play(b"".join(click_blocks(seconds)))

    def play_speech(self, seconds: float) -> None:
        self.server.sessions[-1].track.play(speech(seconds))

    def calls(self) -> dict[str, int]:
        return {"calls": len(self.server.sessions), "packets_arrived": self.packets_arrived}

    def report(self) -> dict[str, Any]:
        if self.socket_tap is not None:
            return {
                "clicks_arrived": self.socket_tap.clicks_arrived.times,
                "clicks_sent": self.socket_tap.clicks_sent.times,
            }
        return {
            "clicks_arrived": self.clicks_arrived.times,
            "sent": {seq: [at, self.downlink.sizes[seq]] for seq, at in self.downlink.sent.items()},
            "lost": sorted(self.downlink.lost),
        }


def _say(message: dict[str, Any]) -> None:
    print(json.dumps(message), flush=True)


async def serve(loss: float, transport: TransportChoice) -> None:
    far_end = FarEnd(loss, transport)
    url = await far_end.server.start()
    _say({"url": url, "api_key": API_KEY, "deployment": DEPLOYMENT})
    try:
        while line := (await asyncio.to_thread(sys.stdin.readline)).split():
            if line[0] == "clicks":
                far_end.play_clicks(float(line[1]))
                _say({"playing": float(line[1])})
            elif line[0] == "speech":
                far_end.play_speech(float(line[1]))
                _say({"playing": float(line[1])})
            elif line[0] == "calls":
                _say(far_end.calls())
            elif line[0] == "report":
                _say(far_end.report())
            elif line[0] == "quit":
                break
    finally:
        await far_end.server.stop()


class FarEndProcess:
    """The bench's handle on the child process."""

    def __init__(
        self, process: asyncio.subprocess.Process, hello: dict[str, Any], transport: TransportChoice
    ) -> None:
        self._process = process
        self.transport = transport
        self.url: str = hello["url"]
        self.api_key: str = hello["api_key"]
        self.deployment: str = hello["deployment"]

    @classmethod
    async def start(cls, loss: float, transport: TransportChoice = "webrtc") -> FarEndProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.far_end", "--loss", str(loss), "--transport", transport,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT,
            limit=2**26,  # the report is one long line
        )  # fmt: skip
        try:
            return cls(process, await cls._read(process), transport)
        except BaseException:
            process.kill()
            await process.wait()
            raise

    @staticmethod
    async def _read(process: asyncio.subprocess.Process) -> dict[str, Any]:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            line = await process.stdout.readline()
        if not line:
            raise RuntimeError("the far end (demo server process) did not start")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def ask(self, command: str) -> dict[str, Any]:
        assert self._process.stdin is not None
        self._process.stdin.write(command.encode() + b"\n")
        await self._process.stdin.drain()
        return await self._read(self._process)

    async def stop(self) -> None:
        if self._process.returncode is None and self._process.stdin is not None:
            self._process.stdin.write(b"quit\n")
            self._process.stdin.close()
            try:
                async with asyncio.timeout(10):
                    await self._process.wait()
            except TimeoutError:
                self._process.kill()
                await self._process.wait()


def session_config(far: FarEndProcess) -> SessionConfig:
    """What the app's session needs to call the far end."""
    return SessionConfig(
        provider=ProviderKind.OPENAI,
        endpoint=far.url,
        deployment=far.deployment,
        api_key=far.api_key,
        greet_first=False,
        turn_detection=BENCH_VAD,
        transport=far.transport,
    )


async def drain_events(session: VoiceSession) -> None:
    """Take a session's events as the app's controller would, and drop them."""
    async for _event in session.events():
        pass


def main() -> None:
    parser = command_parser("benchmarks.far_end", __doc__)
    parser.add_argument("--loss", type=float, default=0.0, help="share of outgoing RTP packets dropped")
    parser.add_argument("--transport", choices=["webrtc", "websocket"], default="webrtc")
    args = parser.parse_args()
    asyncio.run(serve(args.loss, args.transport))


if __name__ == "__main__":
    main()
