"""Responses: events in each dialect, real speech on the track, cancel and clear rules."""

from __future__ import annotations

import pytest

from desktop.demo.endpoints import ServedProvider
from desktop.demo.server import DemoServer
from tests.demo.client import Client, session_update, until
from tests.demo.conftest import ConnectClient

SILENCE_RMS = 50.0


def say(client: Client, text: str) -> None:
    content = [{"type": "input_text", "text": text}]
    client.send(
        {"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": content}}
    )
    client.send({"type": "response.create"})


@pytest.mark.parametrize("provider", list(ServedProvider))
async def test_spoken_response(connect: ConnectClient, provider: ServedProvider) -> None:
    client = await connect(provider)
    client.send(session_update(provider, turn_detection=None))
    say(client, "Thanks, that is all.")
    done = await client.wait_for("response.done")
    preview = provider is ServedProvider.AZURE_PREVIEW
    delta = "response.audio_transcript.delta" if preview else "response.output_audio_transcript.delta"
    transcript_done = "response.audio_transcript.done" if preview else "response.output_audio_transcript.done"
    types = client.types()
    order = [
        "response.created",
        "response.output_item.added",
        "output_audio_buffer.started",
        delta,
        transcript_done,
        "output_audio_buffer.stopped",
        "response.output_item.done",
        "response.done",
    ]
    seen = [t for t in types if t in order]
    assert seen == sorted(seen, key=order.index) and set(seen) == set(order)
    text = "".join(e["delta"] for e in client.of(delta))
    assert text == client.of(transcript_done)[0]["transcript"] == "All right, I understand."
    assert done["response"]["status"] == "completed"
    assert done["response"]["usage"]["output_token_details"]["audio_tokens"] > 0
    assert client.audio_rms() > SILENCE_RMS  # real speech, not silence


async def test_greeting_when_nothing_was_said(connect: ConnectClient) -> None:
    client = await connect(ServedProvider.AZURE_PREVIEW)
    client.send({"type": "response.create"})
    first = await client.wait_for("response.audio_transcript.delta")
    assert first["delta"] and "您好".startswith(first["delta"])
    client.send({"type": "response.cancel"})
    await client.wait_for("response.done")


async def test_text_only_session(connect: ConnectClient) -> None:
    client = await connect(ServedProvider.OPENAI)
    client.send(session_update(ServedProvider.OPENAI, text_only=True))
    say(client, "hello")
    await client.wait_for("response.done")
    assert "".join(e["delta"] for e in client.of("response.output_text.delta")) == "All right, I understand."
    assert not client.of("output_audio_buffer.started")


async def test_second_response_while_active_is_refused(connect: ConnectClient) -> None:
    client = await connect(ServedProvider.OPENAI)
    client.send({"type": "response.create"})
    client.send({"type": "response.create", "event_id": "evt_2"})
    error = (await client.wait_for("error"))["error"]
    assert error["code"] == "conversation_already_has_active_response" and error["event_id"] == "evt_2"
    client.send({"type": "response.cancel"})
    await client.wait_for("response.done")
    assert len(client.of("response.created")) == 1


async def test_cancel_stops_audio(connect: ConnectClient, server: DemoServer) -> None:
    client = await connect(ServedProvider.OPENAI)
    client.send({"type": "response.create"})
    await client.wait_for("response.output_audio_transcript.delta")
    client.send({"type": "response.cancel"})
    done = await client.wait_for("response.done")
    assert done["response"]["status"] == "cancelled"
    assert done["response"]["status_details"]["reason"] == "client_cancelled"
    assert done["response"]["output"][0]["status"] == "incomplete"
    assert server.sessions[0].track.current is None
    assert client.of("output_audio_buffer.cleared")


async def test_cancel_without_response_is_an_error(connect: ConnectClient) -> None:
    client = await connect(ServedProvider.AZURE_PREVIEW)
    client.send({"type": "response.cancel"})
    assert (await client.wait_for("error"))["error"]["code"] == "response_cancel_not_active"


async def test_output_audio_buffer_clear(connect: ConnectClient) -> None:
    client = await connect(ServedProvider.OPENAI)
    client.send({"type": "response.create"})
    await client.wait_for("output_audio_buffer.started")
    client.send({"type": "output_audio_buffer.clear"})
    await client.wait_for("output_audio_buffer.cleared")
    done = await client.wait_for("response.done")
    assert done["response"]["status"] == "completed"
    assert not client.of("output_audio_buffer.stopped")


async def test_silence_flows_between_responses(connect: ConnectClient, server: DemoServer) -> None:
    client = await connect(ServedProvider.OPENAI)
    client.send(session_update(ServedProvider.OPENAI))
    await client.wait_for("session.updated")
    await until(lambda: len(client.audio) >= 5)
    assert server.sessions[0].track.frames_sent >= 5 and client.audio_rms() < SILENCE_RMS


async def test_early_response_done_like_the_real_services(connect: ConnectClient, server: DemoServer) -> None:
    server.faults.early_response_done = True
    client = await connect(ServedProvider.OPENAI)
    say(client, "Thanks, that is all.")
    await client.wait_for("response.done")
    assert not client.of("output_audio_buffer.stopped")  # the audio is still playing
    assert client.of("response.output_audio_transcript.done")[0]["transcript"] == "All right, I understand."
    client.send({"type": "response.cancel"})
    assert (await client.wait_for("error"))["error"]["code"] == "response_cancel_not_active"
    await client.wait_for("output_audio_buffer.stopped")
    assert client.audio_rms() > SILENCE_RMS
