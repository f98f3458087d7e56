"""User turns: server VAD on spoken audio, push-to-talk commit rules, transcription, barge-in."""

from __future__ import annotations

import array
from typing import Any

import pytest

from desktop.demo.endpoints import ServedProvider
from desktop.demo.server import DemoServer
from desktop.demo.vad import VoiceActivityDetector, VoiceOffset, VoiceOnset
from tests.demo.client import Client, session_update, until
from tests.demo.conftest import ConnectClient

QUICK_VAD = {"type": "server_vad", "silence_duration_ms": 300, "create_response": True}


async def configured(connect: ConnectClient, provider: ServedProvider, **settings: Any) -> Client:
    client = await connect(provider)
    client.send(session_update(provider, **settings))
    await client.wait_for("session.updated")
    return client


@pytest.mark.parametrize("provider", [ServedProvider.AZURE_PREVIEW, ServedProvider.OPENAI])
async def test_vad_turn_on_spoken_request(
    connect: ConnectClient, server: DemoServer, spoken_request: bytes, provider: ServedProvider
) -> None:
    client = await configured(connect, provider, turn_detection=QUICK_VAD, transcription=True)
    server.queue_user_transcript("Thanks, that is all.")
    client.microphone.feed(spoken_request)
    started = await client.wait_for("input_audio_buffer.speech_started")
    stopped = await client.wait_for("input_audio_buffer.speech_stopped")
    committed = await client.wait_for("input_audio_buffer.committed")
    created = await client.wait_for("conversation.item.created")
    completed = await client.wait_for("conversation.item.input_audio_transcription.completed")
    await client.wait_for("response.created")
    client.send({"type": "response.cancel"})
    await client.wait_for("response.done")
    assert started["item_id"] == stopped["item_id"] == committed["item_id"] == created["item"]["id"]
    assert 0 <= started["audio_start_ms"] < stopped["audio_end_ms"]
    assert created["item"]["role"] == "user" and created["previous_item_id"] is None
    assert completed["transcript"] == "Thanks, that is all."
    assert server.sessions[0].audio_frames_received > 0
    types = client.types()
    assert types.index("conversation.item.input_audio_transcription.completed") < types.index(
        "response.created"
    )


async def test_late_transcription_comes_after_response_created(
    connect: ConnectClient, server: DemoServer, spoken_request: bytes
) -> None:
    server.faults.late_transcription = True
    client = await configured(connect, ServedProvider.OPENAI, turn_detection=QUICK_VAD, transcription=True)
    server.queue_user_transcript("Thanks, that is all.")
    client.microphone.feed(spoken_request)
    await client.wait_for("conversation.item.input_audio_transcription.completed")
    types = client.types()
    assert types.index("response.created") < types.index(
        "conversation.item.input_audio_transcription.completed"
    )
    client.send({"type": "response.cancel"})


async def test_speech_interrupts_a_response(
    connect: ConnectClient, server: DemoServer, spoken_request: bytes
) -> None:
    client = await configured(connect, ServedProvider.OPENAI, turn_detection=QUICK_VAD)
    client.send({"type": "response.create"})  # the long Chinese greeting
    await client.wait_for("output_audio_buffer.started")
    server.queue_user_transcript("Thanks, that is all.")
    client.microphone.feed(spoken_request)
    await client.wait_for("input_audio_buffer.speech_started")
    done = await client.wait_for("response.done")
    assert done["response"]["status"] == "cancelled"
    assert done["response"]["status_details"]["reason"] == "turn_detected"
    assert client.of("output_audio_buffer.cleared")
    client.send({"type": "response.cancel"})


async def test_semantic_vad_is_accepted(connect: ConnectClient, spoken_request: bytes) -> None:
    semantic = {"type": "semantic_vad", "eagerness": "high", "create_response": False}
    client = await configured(connect, ServedProvider.AZURE, turn_detection=semantic)
    client.microphone.feed(spoken_request)
    await client.wait_for("input_audio_buffer.committed")
    assert not client.of("response.created")


@pytest.mark.parametrize(
    ("provider", "off"),
    [
        (ServedProvider.AZURE_PREVIEW, None),
        (ServedProvider.AZURE, None),
        (ServedProvider.AZURE, {"type": "none"}),
    ],
)
async def test_push_to_talk_commit_rules(
    connect: ConnectClient, server: DemoServer, provider: ServedProvider, off: object
) -> None:
    client = await configured(connect, provider, turn_detection=off, transcription=True)
    call = server.sessions[0]
    client.send({"type": "input_audio_buffer.clear"})
    client.send({"type": "input_audio_buffer.commit", "event_id": "evt_empty"})
    error = (await client.wait_for("error"))["error"]
    assert error["code"] == "input_audio_buffer_commit_empty" and error["event_id"] == "evt_empty"
    assert client.of("input_audio_buffer.cleared")
    await until(lambda: call.listener.buffered_ms >= 100)
    server.queue_user_transcript("Thanks, that is all.")
    client.send({"type": "input_audio_buffer.commit"})
    await client.wait_for("conversation.item.input_audio_transcription.completed")
    assert not client.of("response.created")  # push-to-talk: a response only on response.create
    assert not client.of("input_audio_buffer.speech_started")
    client.send({"type": "response.create"})
    await client.wait_for(
        "response.output_audio_transcript.delta"
        if provider is ServedProvider.AZURE
        else "response.audio_transcript.delta"
    )
    client.send({"type": "response.cancel"})
    await client.wait_for("response.done")


async def test_no_transcription_events_unless_configured(connect: ConnectClient, server: DemoServer) -> None:
    client = await configured(connect, ServedProvider.OPENAI, turn_detection=None)
    await until(lambda: server.sessions[0].listener.buffered_ms >= 100)
    client.send({"type": "input_audio_buffer.commit"})
    await client.wait_for("conversation.item.created")
    await client.wait_for("input_audio_buffer.committed")
    assert not client.of("conversation.item.input_audio_transcription.completed")


def frames(level: float, count: int) -> list[bytes]:
    return [array.array("h", [int(level * 32767)] * 960).tobytes()] * count


def run_vad(config: dict[str, object], pattern: list[bytes]) -> list[object]:
    vad = VoiceActivityDetector(config)
    events: list[object] = []
    for index, pcm in enumerate(pattern):
        event = vad.feed(pcm, index * 20, index * 20 + 20)
        if event is not None:
            events.append(event)
    return events


def test_vad_follows_padding_and_silence_settings() -> None:
    config = {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 100, "silence_duration_ms": 200}
    pattern = frames(0.0, 25) + frames(0.2, 30) + frames(0.0, 20)
    assert run_vad(config, pattern) == [VoiceOnset(400), VoiceOffset(1100)]


def test_vad_ignores_quiet_noise_and_short_pauses() -> None:
    config = {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 0, "silence_duration_ms": 300}
    pattern = frames(0.005, 10) + frames(0.2, 10) + frames(0.0, 10) + frames(0.2, 10) + frames(0.0, 5)
    assert run_vad(config, pattern) == [VoiceOnset(200)]


def test_semantic_vad_eagerness_sets_the_pause() -> None:
    pattern = frames(0.2, 5) + frames(0.0, 30)
    high = run_vad({"type": "semantic_vad", "eagerness": "high"}, pattern)
    low = run_vad({"type": "semantic_vad", "eagerness": "low"}, pattern)
    assert high[-1] == VoiceOffset(100) and len(low) == 1
