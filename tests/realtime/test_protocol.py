"""The parse table: both dialects, their aliases, and messages that must not crash anything."""

from __future__ import annotations

import json

import pytest

from desktop.realtime import protocol as p
from desktop.realtime import server_events as ev


def _parse(event: dict[str, object]) -> ev.ServerEvent | None:
    data = p.decode_message(json.dumps(event))
    assert data is not None
    return p.parse_server_event(data)


@pytest.mark.parametrize(
    "name",
    [
        "response.audio_transcript.delta",
        "response.output_audio_transcript.delta",
        "response.text.delta",
        "response.output_text.delta",
    ],
)
def test_assistant_deltas_of_both_dialects_are_one_type(name: str) -> None:
    event = _parse({"type": name, "response_id": "r1", "item_id": "i1", "delta": "Hel"})
    assert event == ev.AssistantTextDelta("r1", "i1", "Hel")


def test_transcript_done_aliases() -> None:
    for name in ("response.audio_transcript.done", "response.output_audio_transcript.done"):
        event = _parse({"type": name, "response_id": "r1", "item_id": "i1", "transcript": "Hello"})
        assert event == ev.AssistantTextDone("r1", "i1", "Hello")
    for name in ("response.text.done", "response.output_text.done"):
        event = _parse({"type": name, "response_id": "r1", "item_id": "i1", "text": "Hi"})
        assert event == ev.AssistantTextDone("r1", "i1", "Hi")


def test_item_created_and_added_carry_previous_item() -> None:
    for name in ("conversation.item.created", "conversation.item.added"):
        event = _parse({"type": name, "previous_item_id": "a", "item": {"id": "b", "type": "message"}})
        assert isinstance(event, ev.ItemCreated)
        assert (event.item_id, event.previous_item_id) == ("b", "a")


def test_function_call_from_both_events() -> None:
    args = json.dumps({"title": "Sync"})
    done = _parse(
        {
            "type": "response.function_call_arguments.done",
            "response_id": "r",
            "item_id": "i",
            "call_id": "c1",
            "name": "createMeeting",
            "arguments": args,
        }
    )
    item = _parse(
        {
            "type": "response.output_item.done",
            "response_id": "r",
            "item": {"type": "function_call", "call_id": "c1", "name": "createMeeting", "arguments": args},
        }
    )
    assert done == item == ev.FunctionCallDone("r", "c1", "createMeeting", args)


def test_response_done_carries_status_output_and_usage() -> None:
    event = _parse(
        {
            "type": "response.done",
            "response": {
                "id": "r9",
                "status": "cancelled",
                "status_details": {"reason": "turn_detected"},
                "output": [{"type": "message"}, "junk"],
                "usage": {"input_tokens": 5, "output_tokens": 7},
            },
        }
    )
    assert event == ev.ResponseDone(
        "r9",
        "cancelled",
        {"reason": "turn_detected"},
        [{"type": "message"}],
        {"input_tokens": 5, "output_tokens": 7},
    )


def test_error_event() -> None:
    event = _parse(
        {
            "type": "error",
            "error": {
                "type": "invalid_request_error",
                "code": "invalid_value",
                "message": "Bad voice",
                "event_id": "e1",
            },
        }
    )
    assert event == ev.ServerError("Bad voice", "invalid_value", "invalid_request_error", "e1")


def test_webrtc_output_buffer_and_input_events() -> None:
    assert _parse({"type": "output_audio_buffer.started", "response_id": "r"}) == ev.OutputAudioStarted("r")
    assert _parse({"type": "output_audio_buffer.stopped", "response_id": "r"}) == ev.OutputAudioStopped("r")
    assert _parse({"type": "output_audio_buffer.cleared"}) == ev.OutputAudioCleared()
    assert _parse({"type": "input_audio_buffer.speech_started", "item_id": "u"}) == ev.SpeechStarted("u")
    assert _parse({"type": "input_audio_buffer.speech_stopped", "item_id": "u"}) == ev.SpeechStopped("u")
    assert _parse({"type": "response.created", "response": {"id": "r2"}}) == ev.ResponseCreated("r2")


def test_user_transcription_events() -> None:
    name = "conversation.item.input_audio_transcription"
    assert _parse({"type": f"{name}.delta", "item_id": "u", "delta": "he"}) == ev.UserTranscriptDelta(
        "u", "he"
    )
    done = _parse({"type": f"{name}.completed", "item_id": "u", "transcript": "hello"})
    assert done == ev.UserTranscriptDone("u", "hello")
    failed = _parse({"type": f"{name}.failed", "item_id": "u", "error": {"message": "noise"}})
    assert failed == ev.UserTranscriptFailed("u", "noise")


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '{"no_type": 1}', '{"type": 5}', "", "\x00\xff"])
def test_malformed_messages_decode_to_none(text: str) -> None:
    assert p.decode_message(text) is None


def test_nesting_deeper_than_the_parser_goes_is_malformed_too() -> None:
    """json.loads raises RecursionError here, which would end the data channel's receive loop."""
    assert p.decode_message('{"type": "error", "error": ' + "[" * 100_000 + "}") is None


def test_unknown_types_and_wrong_shapes_are_ignored() -> None:
    assert _parse({"type": "response.brand_new_thing", "x": 1}) is None
    # A known type with fields of the wrong kind still parses to something harmless.
    event = _parse({"type": "response.done", "response": "oops"})
    assert event == ev.ResponseDone("", "", {}, [], {})
    assert _parse({"type": "conversation.item.created", "item": [1]}) == ev.ItemCreated("", None, {})
    delta = _parse({"type": "response.output_audio_transcript.delta", "delta": 42})
    assert delta == ev.AssistantTextDelta("", "", "42")


def test_the_other_documented_events_are_typed() -> None:
    assert _parse({"type": "response.output_item.done", "response_id": "r", "item": {"type": "message"}}) == (
        ev.OutputItemDone("r", {"type": "message"})
    )
    assert _parse(
        {"type": "response.output_item.added", "response_id": "r", "item": {}}
    ) == ev.OutputItemAdded("r", {})
    for name in ("response.audio.done", "response.output_audio.done"):
        assert _parse({"type": name, "response_id": "r", "item_id": "i"}) == ev.AudioDone("r", "i")
    truncated = _parse({"type": "conversation.item.truncated", "item_id": "i", "audio_end_ms": 1500})
    assert truncated == ev.ItemTruncated("i", 1500)
    assert _parse({"type": "conversation.item.done", "item": {"id": "i"}}) == ev.ItemDone("i", {"id": "i"})
    part = _parse(
        {"type": "response.content_part.done", "response_id": "r", "item_id": "i", "part": {"a": 1}}
    )
    assert part == ev.ContentPart("r", "i", {"a": 1}, True)
    delta = _parse(
        {"type": "response.function_call_arguments.delta", "response_id": "r", "call_id": "c", "delta": "{"}
    )
    assert delta == ev.FunctionCallArgumentsDelta("r", "c", "{")
    limits = _parse({"type": "rate_limits.updated", "rate_limits": [{"name": "tokens"}, 3]})
    assert limits == ev.RateLimitsUpdated([{"name": "tokens"}])
