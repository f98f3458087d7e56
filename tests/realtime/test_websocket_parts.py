"""The WebSocket transport's parts that need no server: its URLs and headers, the microphone's chunks,
and the reply track's pacing and its ledger of what was heard."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
from aiortc.mediastreams import MediaStreamError
from av.audio.resampler import AudioResampler

from desktop.audio import pcm
from desktop.audio.block_track import BLOCK_FRAMES, OpusBlockTrack
from desktop.audio.pcm import tone
from desktop.realtime.config import ProviderKind, SessionConfig, TurnDetection
from desktop.realtime.providers import provider_for
from desktop.realtime.websocket_audio import (
    ALIGN_LIMIT_BYTES,
    CHUNK_BYTES,
    FRAME_BYTES,
    RATE,
    PcmChunker,
    ReplyTrack,
)
from desktop.realtime.websocket_connection import WebSocketConnection
from desktop.realtime.websocket_endpoints import (
    mints_for_websocket,
    websocket_headers,
    websocket_url,
)
from desktop.realtime.websocket_reply import SocketReply, _interrupt_response

KEY = "resource-key-0123456789abcdef"


def _url(kind: ProviderKind, endpoint: str, deployment: str = "gpt realtime") -> str:
    config = SessionConfig(
        provider=kind, endpoint=endpoint, deployment=deployment, api_key=KEY, transport="websocket"
    )
    return websocket_url(config, provider_for(config))


def test_each_provider_has_its_documented_websocket_url() -> None:
    assert _url(ProviderKind.OPENAI, "") == "wss://api.openai.com/v1/realtime?model=gpt%20realtime"
    assert _url(ProviderKind.OPENAI, "https://proxy.example/v1/") == (
        "wss://proxy.example/v1/realtime?model=gpt%20realtime"
    )
    assert _url(ProviderKind.AZURE, "https://res.openai.azure.com/", "dep") == (
        "wss://res.openai.azure.com/openai/v1/realtime?model=dep"
    )
    preview = "wss://res.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=dep"
    assert _url(ProviderKind.AZURE_PREVIEW, "https://res.openai.azure.com", "dep") == preview
    pasted = "https://res.openai.azure.com/openai/realtimeapi/sessions?api-version=2025-04-01-preview"
    assert _url(ProviderKind.AZURE_PREVIEW, pasted, "dep") == preview  # no regional WebRTC URL needed
    assert _url(ProviderKind.DEMO, "http://127.0.0.1:8765", "m") == "ws://127.0.0.1:8765/v1/realtime?model=m"


def test_the_ephemeral_key_goes_in_a_header_where_it_is_taken_else_the_resource_key() -> None:
    for kind in (ProviderKind.OPENAI, ProviderKind.AZURE):
        endpoint = "https://res.openai.azure.com" if kind is ProviderKind.AZURE else ""
        provider = provider_for(SessionConfig(provider=kind, endpoint=endpoint, deployment="d", api_key=KEY))
        assert mints_for_websocket(provider)
        assert websocket_headers(provider, "ek_abc") == {"Authorization": "Bearer ek_abc"}
    config = SessionConfig(
        provider=ProviderKind.AZURE_PREVIEW,
        endpoint="https://r.openai.azure.com",
        deployment="d",
        api_key=KEY,
        transport="websocket",
    )
    preview = provider_for(config)
    assert not mints_for_websocket(preview)  # its WebSocket is documented with the resource key
    assert websocket_headers(preview, "") == {"api-key": KEY}


def test_the_microphone_becomes_20_ms_chunks_of_24_khz_pcm_from_frames_or_opus() -> None:
    block = tone(440, 0.02, 0.3)  # 20 ms, mono s16 48 kHz
    track = OpusBlockTrack()
    received: list[object] = []
    track.subscribe(received.append)
    for _ in range(10):
        track.push(block, 0.0)
    chunker = PcmChunker()
    chunks = [chunk for packet in received for chunk in chunker.feed(packet)]  # type: ignore[arg-type]
    assert len(chunks) == 10  # one chunk per frame: the resampler's few held samples cost no frame
    assert all(len(chunk) == FRAME_BYTES for chunk in chunks)
    assert len(base64.b64encode(chunks[0])) == 1280  # what one input_audio_buffer.append carries
    assert BLOCK_FRAMES == 960


def test_each_microphone_frame_goes_out_with_its_own_chunk_not_the_next_one() -> None:
    """The loud frame's chunk leaves when that frame is fed, not one frame (20 ms) later."""
    chunker = PcmChunker()
    quiet, loud = bytes(BLOCK_FRAMES * 2), tone(440, 0.02, 0.5)
    peaks = []
    for block in (quiet, quiet, loud, quiet):
        (chunk,) = chunker.feed(pcm.to_frame(block, 48_000))
        peaks.append(pcm.peak(chunk))
    assert peaks[0] == peaks[1] == 0
    assert peaks[2] > 10_000


def test_odd_microphone_frames_get_no_silence_once_audio_went_out() -> None:
    """30 ms frames: the first leaves more than the alignment limit short of a chunk, so nothing is put
    before it, and nothing later either: all that comes out is the resampled audio, byte for byte."""
    frames = [pcm.to_frame(tone(440, 0.03, 0.3), 48_000) for _ in range(6)]
    chunker = PcmChunker()
    first = chunker.feed(frames[0])
    assert len(first) == 1 and len(chunker._pending) < CHUNK_BYTES - ALIGN_LIMIT_BYTES
    sent = b"".join(first + [chunk for frame in frames[1:] for chunk in chunker.feed(frame)])
    resampler, resampled = AudioResampler(format="s16", layout="mono", rate=RATE), 0
    for frame in frames:
        resampled += sum(out.samples * 2 for out in resampler.resample(frame))
    assert len(sent) + len(chunker._pending) == resampled  # not one byte of silence added


async def test_the_reply_is_handed_out_in_order_and_its_ledger_says_what_was_heard() -> None:
    events: list[tuple[str, str]] = []
    played = [0.0]
    track = ReplyTrack(lambda r: events.append(("started", r)), lambda r: events.append(("stopped", r)),
                       played_seconds=lambda: played[0])  # fmt: skip
    track.add(("r1", "item1", 0), bytes(RATE * 2 // 10))  # 100 ms
    track.end("r1")
    frames = [await asyncio.wait_for(track.recv(), 5) for _ in range(5)]
    assert [f.samples for f in frames] == [480] * 5 and [f.pts for f in frames] == [0, 480, 960, 1440, 1920]
    assert events == [("started", "r1"), ("stopped", "r1")]
    heard = track.latest
    assert heard is not None and heard.item_id == "item1"
    assert track.played_ms(heard) == 0  # handed out, but the speaker has played none of it yet
    played[0] = 0.06
    assert track.played_ms(heard) == 60
    played[0] = 5.0
    assert track.played_ms(heard) == 100  # never more than the item held


async def test_clearing_drops_the_rest_and_stops_the_reply() -> None:
    events: list[tuple[str, str]] = []
    track = ReplyTrack(lambda r: events.append(("started", r)), lambda r: events.append(("stopped", r)))
    track.add(("r1", "item1", 0), bytes(RATE * 2))  # one second
    await asyncio.wait_for(track.recv(), 5)
    await asyncio.wait_for(track.recv(), 5)
    heard = track.clear()
    assert heard is not None and track.played_ms(heard) == 40  # without the speaker's count: handed out
    assert events == [("started", "r1"), ("stopped", "r1")]
    track.stop()
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(track.recv(), 5)


def test_a_websocket_call_gets_pcm_frames_from_the_microphone() -> None:
    """The session factory asks for PCM before the microphone starts: nothing to encode, then decode."""
    from desktop.app.session_factory import connection_factory
    from desktop.audio.block_track import BlockTrack
    from desktop.audio.microphone import Microphone
    from desktop.audio.synthetic import RecordingSpeaker
    from desktop.realtime.connection import Connection

    microphone = Microphone()
    opus = microphone.track
    microphone.set_encoded(False)
    assert type(microphone.track) is BlockTrack and opus.readyState == "ended"
    speaker = RecordingSpeaker()
    assert connection_factory(SessionConfig(), speaker) is Connection
    assert connection_factory(SessionConfig(transport="websocket"), speaker) is not Connection


def test_the_reply_is_cut_on_speech_only_where_the_session_says_it_interrupts() -> None:
    """Read from the service's own session events, GA (audio.input) and preview (top level) alike."""
    ga = {"audio": {"input": {"turn_detection": {"type": "server_vad", "interrupt_response": False}}}}
    preview = {"turn_detection": {"type": "server_vad", "interrupt_response": True}}
    assert _interrupt_response(ga) is False and _interrupt_response(preview) is True
    assert _interrupt_response({"turn_detection": {"type": "server_vad"}}) is None  # not said
    assert _interrupt_response({"audio": {"input": {"turn_detection": None}}}) is None
    assert _interrupt_response(None) is None


def _session_event(detection: dict[str, object]) -> tuple[str, dict[str, Any]]:
    session = {"audio": {"input": {"turn_detection": detection}}}
    data: dict[str, Any] = {"type": "session.updated", "session": session}
    return json.dumps(data), data


async def test_the_reply_interrupts_as_the_config_says_until_the_service_says_otherwise() -> None:
    """As TurnTaking does: a session event without interrupt_response leaves the config's value."""
    detection = TurnDetection(interrupt_response=False)
    config = SessionConfig(ProviderKind.OPENAI, deployment="m", api_key=KEY, turn_detection=detection)
    ignore = lambda *_: None  # noqa: E731  (nothing is received: only the constructor runs)
    track = OpusBlockTrack()
    connection = WebSocketConnection(
        config, provider_for(config), track, on_message=ignore, on_track=ignore, on_lost=ignore
    )
    assert connection._reply.interrupts is False
    reply = SocketReply(lambda _text: None, lambda _text: None, lambda _track: None, None, interrupts=False)
    reply.received(*_session_event({"type": "server_vad"}))
    assert reply.interrupts is False  # the service did not say: still the config's
    reply.received(*_session_event({"type": "server_vad", "interrupt_response": True}))
    assert reply.interrupts is True
    reply.received(*_session_event({"type": "server_vad"}))
    assert reply.interrupts is True  # the last thing said stands
