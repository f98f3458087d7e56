"""session.update and the other client events, in both dialects."""

from __future__ import annotations

import json

from desktop.realtime import client_events as ce
from desktop.realtime.config import Dialect, SessionConfig, TurnDetection

TOOL = {"type": "function", "name": "createMeeting", "description": "Book", "parameters": {"type": "object"}}


def _settings(**changes: object) -> ce.SessionSettings:
    config = SessionConfig(transcription_language="zh", **changes)  # type: ignore[arg-type]
    return ce.SessionSettings.from_config(config, "Be brief.", (TOOL,))


def test_preview_session_update_is_flat() -> None:
    session = ce.session_update(Dialect.PREVIEW, _settings())["session"]
    assert session["voice"] == "sage"
    assert session["instructions"] == "Be brief."
    assert session["input_audio_transcription"] == {"model": "whisper-1", "language": "zh"}
    assert session["turn_detection"]["type"] == "server_vad"
    assert session["turn_detection"]["silence_duration_ms"] == 500
    assert session["tools"] == [TOOL] and session["tool_choice"] == "auto"
    assert "type" not in session and "audio" not in session


def test_ga_session_update_nests_audio() -> None:
    session = ce.session_update(Dialect.GA, _settings(voice="marin"))["session"]
    assert session["type"] == "realtime"
    assert session["output_modalities"] == ["audio"]
    assert session["audio"]["output"]["voice"] == "marin"
    assert session["audio"]["input"]["transcription"]["model"] == "whisper-1"
    assert session["audio"]["input"]["turn_detection"]["type"] == "server_vad"
    assert "voice" not in session and "modalities" not in session


def test_semantic_vad_and_push_to_talk() -> None:
    semantic = _settings(turn_detection=TurnDetection(mode="semantic_vad", eagerness="low"))
    detection = ce.session_update(Dialect.GA, semantic)["session"]["audio"]["input"]["turn_detection"]
    assert detection == {
        "type": "semantic_vad",
        "eagerness": "low",
        "create_response": True,
        "interrupt_response": True,
    }
    push = ce.session_update(Dialect.PREVIEW, _settings(push_to_talk=True))
    assert push["session"]["turn_detection"] is None
    off = ce.turn_detection_update(Dialect.GA, None)
    assert off["session"] == {"type": "realtime", "audio": {"input": {"turn_detection": None}}}


def test_function_output_and_text_items() -> None:
    output = ce.function_call_output("call_1", '{"ok": true}')
    assert output["item"] == {"type": "function_call_output", "call_id": "call_1", "output": '{"ok": true}'}
    text = ce.user_text("你好")
    assert text["item"]["content"] == [{"type": "input_text", "text": "你好"}]
    assert json.loads(ce.encode(text)) == text
    assert "你好" in ce.encode(text)  # not escaped: fewer bytes against the size limit
