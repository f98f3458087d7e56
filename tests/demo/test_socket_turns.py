"""A conversation over the WebSocket: a spoken turn heard by the server VAD, its transcript and a
spoken answer as paced audio deltas, a meeting request through a tool call, barge-in with truncate,
response.cancel and push-to-talk commits."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from desktop.audio import pcm
from desktop.demo.endpoints import ServedProvider
from desktop.demo.server import DemoServer
from tests.demo.client import session_update, until
from tests.demo.conftest import ConnectSocket
from tests.demo.socket_client import CHUNK_BYTES, SocketClient
from tests.demo.test_tools import TOOLS

QUICK_VAD = {
    "type": "server_vad",
    "silence_duration_ms": 300,
    "create_response": True,
    "interrupt_response": True,
}
DELTA_BYTES = 24000 * 40 // 1000 * pcm.WIDTH  # the server's 40 ms deltas


async def configured(
    connect_socket: ConnectSocket, provider: ServedProvider, **settings: Any
) -> SocketClient:
    client = await connect_socket(provider)
    client.send(session_update(provider, **settings))
    await client.wait_for("session.updated")
    return client


def speaking(client: SocketClient, audio: bytes) -> asyncio.Task[None]:
    return asyncio.ensure_future(client.speak(audio))


def audio_delta_name(provider: ServedProvider) -> str:
    return (
        "response.audio.delta" if provider is ServedProvider.AZURE_PREVIEW else "response.output_audio.delta"
    )


@pytest.mark.parametrize("provider", [ServedProvider.AZURE_PREVIEW, ServedProvider.AZURE])
async def test_spoken_turn_transcript_and_spoken_answer(
    connect_socket: ConnectSocket, server: DemoServer, spoken_request: bytes, provider: ServedProvider
) -> None:
    client = await configured(connect_socket, provider, turn_detection=QUICK_VAD, transcription=True)
    server.queue_user_transcript("Thanks, that is all.")
    microphone = speaking(client, spoken_request)
    started = await client.wait_for("input_audio_buffer.speech_started")
    stopped = await client.wait_for("input_audio_buffer.speech_stopped")
    committed = await client.wait_for("input_audio_buffer.committed")
    completed = await client.wait_for("conversation.item.input_audio_transcription.completed")
    done = await client.wait_for("response.done", within=30)
    await microphone
    assert started["item_id"] == stopped["item_id"] == committed["item_id"] == completed["item_id"]
    assert 0 <= started["audio_start_ms"] < stopped["audio_end_ms"]
    assert completed["transcript"] == "Thanks, that is all."
    assert done["response"]["status"] == "completed"
    deltas = client.of(audio_delta_name(provider))
    assert deltas and all(len(chunk) == DELTA_BYTES for _, chunk in client.audio[:-1])
    assert pcm.rms(b"".join(chunk for _, chunk in client.audio)) > 0.01
    spoken = client.of("response.output_item.done")[0]["item"]
    assert {d["item_id"] for d in deltas} == {spoken["id"]} and spoken["content"][0]["transcript"]
    # Paced in real time: the deltas took (at least about) as long to arrive as the audio lasts.
    arrival = client.audio[-1][0] - client.audio[0][0]
    assert arrival >= 0.5 * (client.audio_ms() - 40) / 1000
    types = client.types()
    last_delta = max(i for i, t in enumerate(types) if t == audio_delta_name(provider))
    audio_done = (
        "response.audio.done" if provider is ServedProvider.AZURE_PREVIEW else "response.output_audio.done"
    )
    assert last_delta < types.index(audio_done) < types.index("response.done")
    assert not [t for t in types if t.startswith("output_audio_buffer.")]  # WebRTC only
    assert server.sessions[0].audio_frames_received > 0


async def test_spoken_meeting_request_through_the_dialog(
    connect_socket: ConnectSocket, server: DemoServer, spoken_request: bytes
) -> None:
    client = await configured(
        connect_socket, ServedProvider.OPENAI, turn_detection=QUICK_VAD, transcription=True, tools=TOOLS
    )
    server.queue_user_transcript("Book a design review meeting tomorrow at 10 am for 30 minutes")
    microphone = speaking(client, spoken_request)
    called = await client.wait_for("response.function_call_arguments.done", within=30)
    await client.wait_for("response.done")
    await microphone
    assert called["name"] == "createMeeting"
    assert json.loads(called["arguments"])["title"] == "design review"
    start = len(client.events)
    output = {
        "type": "function_call_output",
        "call_id": called["call_id"],
        "output": json.dumps({"status": "created"}),
    }
    client.send({"type": "conversation.item.create", "item": output})
    client.send({"type": "response.create"})
    done = await client.wait_for("response.done", start=start, within=30)
    assert done["response"]["status"] == "completed"
    said = client.of("response.output_audio_transcript.done")[-1]["transcript"]
    assert said == "Your meeting is booked."
    assert client.of("response.output_audio.delta")[-1]["response_id"] == done["response"]["id"]


async def test_barge_in_cancels_and_truncate_cuts_the_answer(
    connect_socket: ConnectSocket, server: DemoServer, spoken_request: bytes
) -> None:
    client = await configured(connect_socket, ServedProvider.OPENAI, turn_detection=QUICK_VAD)
    client.send({"type": "response.create"})  # the long greeting
    await until(lambda: client.audio_ms() >= 400)
    server.queue_user_transcript("Thanks, that is all.")
    microphone = speaking(client, spoken_request)
    await client.wait_for("input_audio_buffer.speech_started")
    done = await client.wait_for("response.done")
    assert done["response"]["status"] == "cancelled"
    assert done["response"]["status_details"]["reason"] == "turn_detected"
    item_id = done["response"]["output"][0]["id"]
    cut = len(client.events)
    received_ms = client.audio_ms()
    call = server.sessions[0]
    assert call.audio_ms[item_id] >= received_ms  # the item holds what went out
    client.send(
        {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": received_ms + 5000,
        }
    )
    assert (await client.wait_for("error", start=cut))["error"]["param"] == "audio_end_ms"
    played_ms = received_ms - 200  # the client's playout was behind what it had received
    client.send(
        {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": played_ms,
        }
    )
    truncated = await client.wait_for("conversation.item.truncated")
    assert truncated["item_id"] == item_id and truncated["audio_end_ms"] == played_ms
    item = next(i for i in call.items if i["id"] == item_id)
    assert item["content"][0]["transcript"] == "" and call.audio_ms[item_id] == played_ms
    await microphone
    await client.wait_for("response.created", start=cut)  # the user's turn still gets its answer
    client.send({"type": "response.cancel"})
    late = [e for e in client.events[cut:] if e.get("response_id") == done["response"]["id"]]
    assert not [e for e in late if e["type"] == "response.output_audio.delta"]


async def test_truncate_while_speaking_stops_the_audio(
    connect_socket: ConnectSocket, server: DemoServer
) -> None:
    client = await configured(connect_socket, ServedProvider.AZURE, turn_detection=None)
    client.send({"type": "response.create"})
    await until(lambda: client.audio_ms() >= 200)
    item_id = client.of("response.output_audio.delta")[0]["item_id"]
    client.send(
        {"type": "conversation.item.truncate", "item_id": item_id, "content_index": 0, "audio_end_ms": 120}
    )
    truncated = await client.wait_for("conversation.item.truncated")
    done = await client.wait_for("response.done")
    after = client.events[client.events.index(truncated) :]
    assert not [e for e in after if e["type"] == "response.output_audio.delta"]
    assert done["response"]["output"][0]["content"][0]["transcript"] == ""


async def test_response_cancel_stops_the_audio(connect_socket: ConnectSocket) -> None:
    client = await configured(connect_socket, ServedProvider.AZURE_PREVIEW, turn_detection=None)
    client.send({"type": "response.create"})
    await client.wait_for("response.audio.delta")
    client.send({"type": "response.cancel"})
    done = await client.wait_for("response.done")
    assert done["response"]["status"] == "cancelled"
    assert done["response"]["status_details"]["reason"] == "client_cancelled"
    assert client.types()[-1] == "response.done"
    spoken = done["response"]["output"][0]["content"][0]["transcript"]
    said = "".join(e["delta"] for e in client.of("response.audio_transcript.delta"))
    assert spoken == said  # what was said before the cancel stays in the item


async def test_push_to_talk_commit_and_clear(connect_socket: ConnectSocket, server: DemoServer) -> None:
    client = await configured(connect_socket, ServedProvider.OPENAI, turn_detection=None)
    for _ in range(2):
        client.append(bytes(CHUNK_BYTES))  # 80 ms: too little to commit
    client.send({"type": "input_audio_buffer.commit"})
    error = (await client.wait_for("error"))["error"]
    assert error["code"] == "input_audio_buffer_commit_empty"
    for _ in range(4):
        client.append(bytes(CHUNK_BYTES * 3 // 4))  # 30 ms each: 120 ms, the last part-frame counts too
    client.send({"type": "input_audio_buffer.commit"})
    committed = await client.wait_for("input_audio_buffer.committed")
    assert committed["item_id"] == server.sessions[0].items[-1]["id"]
    client.append(bytes(CHUNK_BYTES))
    client.send({"type": "input_audio_buffer.clear"})
    await client.wait_for("input_audio_buffer.cleared")
    assert server.sessions[0].listener.buffered_ms == 0
