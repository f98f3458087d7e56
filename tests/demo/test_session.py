"""session.created / session.update / session.updated in each dialect, and client-event errors."""

from __future__ import annotations

import pytest

from desktop.demo.endpoints import ServedProvider
from desktop.demo.server import DemoServer
from tests.demo.client import Client, session_update, until
from tests.demo.conftest import ConnectClient

TOOL = {"type": "function", "name": "createMeeting", "description": "Book", "parameters": {"type": "object"}}


@pytest.mark.parametrize("provider", list(ServedProvider))
async def test_session_created_and_updated_in_dialect(
    connect: ConnectClient, provider: ServedProvider
) -> None:
    client = await connect(provider)
    created = client.of("session.created")[0]["session"]
    assert created["expires_at"] > 0 and created["model"] == "gpt-realtime"
    client.send(
        session_update(
            provider, turn_detection=None, transcription=True, tools=[TOOL], instructions="Speak Chinese."
        )
    )
    updated = (await client.wait_for("session.updated"))["session"]
    assert updated["instructions"] == "Speak Chinese."
    assert updated["tools"] == [TOOL] and updated["tool_choice"] == "auto"
    if provider is ServedProvider.AZURE_PREVIEW:
        assert "type" not in updated and "audio" not in updated
        assert updated["voice"] == "sage" and updated["turn_detection"] is None
        assert updated["input_audio_transcription"] == {"model": "whisper-1"}
    else:
        assert updated["type"] == "realtime"
        assert updated["audio"]["output"]["voice"] == "sage"
        assert updated["audio"]["input"]["turn_detection"] is None
        assert updated["audio"]["input"]["transcription"] == {"model": "whisper-1"}


@pytest.mark.parametrize("provider", [ServedProvider.AZURE, ServedProvider.OPENAI])
async def test_ga_requires_session_type(connect: ConnectClient, provider: ServedProvider) -> None:
    client = await connect(provider)
    client.send({"type": "session.update", "event_id": "evt_1", "session": {"instructions": "x"}})
    error = (await client.wait_for("error"))["error"]
    assert error["code"] == "missing_required_parameter" and error["event_id"] == "evt_1"
    assert not client.of("session.updated")


async def test_preview_refuses_ga_shaped_update(connect: ConnectClient) -> None:
    client = await connect(ServedProvider.AZURE_PREVIEW)
    client.send(session_update(ServedProvider.OPENAI))
    error = (await client.wait_for("error"))["error"]
    assert error["code"] == "unknown_parameter"


async def test_turn_detection_is_filled_with_defaults(connect: ConnectClient, server: DemoServer) -> None:
    client = await connect(ServedProvider.AZURE_PREVIEW)
    client.send(
        session_update(
            ServedProvider.AZURE_PREVIEW, turn_detection={"type": "server_vad", "silence_duration_ms": 200}
        )
    )
    updated = (await client.wait_for("session.updated"))["session"]
    assert updated["turn_detection"]["silence_duration_ms"] == 200
    assert updated["turn_detection"]["threshold"] == 0.5
    assert server.sessions[0].session_config == updated


@pytest.mark.parametrize(
    ("session", "param"),
    [
        ({"type": "realtime", "output_modalities": ["audio", "text"]}, "session.output_modalities"),
        (
            {"type": "realtime", "audio": {"input": {"turn_detection": {"type": "loud"}}}},
            "session.audio.input.turn_detection.type",
        ),
        ({"type": "realtime", "tools": [{"name": "x"}]}, "session.tools[0]"),
        ({"type": "realtime", "model": "another-model"}, "session.model"),
    ],
)
async def test_invalid_values_are_refused(
    connect: ConnectClient, session: dict[str, object], param: str
) -> None:
    client = await connect(ServedProvider.OPENAI)
    client.send({"type": "session.update", "session": session})
    error = (await client.wait_for("error"))["error"]
    assert error["param"] == param


async def test_unknown_and_malformed_events_keep_the_session(connect: ConnectClient) -> None:
    client = await connect(ServedProvider.OPENAI)
    client.channel.send("{not json")
    client.send({"type": "no.such.event", "event_id": "evt_x"})
    client.channel.send('["not", "an", "object"]')
    client.send({"type": "response.cancel", "event_id": "e" * 513})
    client.send(session_update(ServedProvider.OPENAI))
    await client.wait_for("session.updated")
    errors = [e["error"] for e in client.of("error")]
    assert [e["code"] for e in errors] == ["invalid_event"] * 3 + ["string_above_max_length"]
    assert errors[1]["event_id"] == "evt_x"


async def test_client_events_are_recorded(connect: ConnectClient, server: DemoServer) -> None:
    client = await connect(ServedProvider.AZURE)
    client.send(session_update(ServedProvider.AZURE))
    await client.wait_for("session.updated")
    recorded = server.client_events[-1]
    assert recorded.event["type"] == "session.update"
    assert recorded.session_id == server.sessions[0].session_id and recorded.dialect.value == "ga"


async def test_voice_cannot_change_after_speaking(connect: ConnectClient) -> None:
    client = await connect(ServedProvider.OPENAI)
    client.send({"type": "response.create"})
    await client.wait_for("response.created")
    client.send({"type": "response.cancel"})
    await client.wait_for("response.done")
    client.send(
        {"type": "session.update", "session": {"type": "realtime", "audio": {"output": {"voice": "ash"}}}}
    )
    assert (await client.wait_for("error"))["error"]["code"] == "cannot_update_voice"


async def test_mint_settings_start_the_session(server: DemoServer) -> None:
    client = Client(server, ServedProvider.AZURE_PREVIEW)
    try:
        await client.connect(mint_settings={"instructions": "From the mint.", "voice": "coral"})
        created = client.of("session.created")[0]["session"]
        assert created["instructions"] == "From the mint." and created["voice"] == "coral"
        assert created["id"] == client.minted["id"] == server.sessions[0].session_id
    finally:
        await client.close()


async def test_azure_webrtc_filter_hides_control_events(server: DemoServer) -> None:
    client = Client(server, ServedProvider.AZURE)
    client.sdp_query = "?webrtcfilter=on"
    try:
        await client.connect(wait_for_session=False)
        client.send(session_update(ServedProvider.AZURE, text_only=True))
        client.send({"type": "response.create"})
        await client.wait_for("response.output_text.done")
        await until(lambda: server.sessions[0].response is None)
        assert not {"session.created", "session.updated", "response.created", "response.done"} & set(
            client.types()
        )
    finally:
        await client.close()
