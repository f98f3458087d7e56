"""`session.update` checked and merged the way the services do: unknown or wrong-dialect fields are
refused with the real error codes, and the effective session is what `session.updated` echoes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from desktop.demo.dialect import (
    DEFAULT_SEMANTIC_VAD,
    DEFAULT_SERVER_VAD,
    GA_ONLY_VOICES,
    VOICES,
    ServedDialect,
    voice,
)


class UpdateError(Exception):
    def __init__(self, code: str, message: str, param: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.param = param


Check = Callable[[Any, str], Any]  # (value, param) -> normalized value, or raises UpdateError


def _invalid(param: str, expected: str) -> UpdateError:
    return UpdateError("invalid_value", f"Invalid value for '{param}': expected {expected}.", param)


def _string(value: Any, param: str) -> Any:
    if not isinstance(value, str):
        raise _invalid(param, "a string")
    return value


def _number(low: float, high: float) -> Check:
    def check(value: Any, param: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise _invalid(param, f"a number between {low} and {high}")
        return value

    return check


def _choice(*options: Any) -> Check:
    def check(value: Any, param: str) -> Any:
        if value not in options:
            raise _invalid(param, "one of " + ", ".join(repr(o) for o in options))
        return value

    return check


def _optional_object(value: Any, param: str) -> Any:
    if value is not None and not isinstance(value, dict):
        raise _invalid(param, "an object or null")
    return value


def _any(value: Any, param: str) -> Any:
    return value


def _max_tokens(value: Any, param: str) -> Any:
    return value if value == "inf" else _number(1, 4096)(value, param)


def _tools(value: Any, param: str) -> Any:
    if not isinstance(value, list):
        raise _invalid(param, "an array of tools")
    for index, tool in enumerate(value):
        if (
            not isinstance(tool, dict)
            or tool.get("type") != "function"
            or not isinstance(tool.get("name"), str)
        ):
            raise _invalid(f"{param}[{index}]", 'a function tool {"type": "function", "name": ...}')
    return value


def _tool_choice(value: Any, param: str) -> Any:
    if value in ("auto", "none", "required"):
        return value
    if isinstance(value, dict) and value.get("type") == "function" and isinstance(value.get("name"), str):
        return value
    raise _invalid(param, "'auto', 'none', 'required' or a function choice")


def _modalities(allowed: list[list[str]]) -> Check:
    def check(value: Any, param: str) -> Any:
        if not isinstance(value, list) or sorted(value) not in allowed:
            raise _invalid(param, " or ".join(str(a) for a in allowed))
        return value

    return check


def _turn_detection(dialect: ServedDialect) -> Check:
    def check(value: Any, param: str) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _invalid(param, "an object or null")
        kind = value.get("type")
        if kind == "none":
            return dict(value)
        if kind == "semantic_vad":
            merged = DEFAULT_SEMANTIC_VAD | value
            _choice("low", "medium", "high", "auto")(merged["eagerness"], f"{param}.eagerness")
            return merged
        if kind != "server_vad":
            raise _invalid(f"{param}.type", "'server_vad', 'semantic_vad' or 'none'")
        merged = (
            DEFAULT_SERVER_VAD | ({"idle_timeout_ms": None} if dialect is ServedDialect.GA else {}) | value
        )
        _number(0.0, 1.0)(merged["threshold"], f"{param}.threshold")
        _number(0, 10000)(merged["prefix_padding_ms"], f"{param}.prefix_padding_ms")
        _number(0, 10000)(merged["silence_duration_ms"], f"{param}.silence_duration_ms")
        return merged

    return check


def _object(fields: dict[str, Check]) -> Check:
    """A nested object merged field by field (GA's `audio`, `audio.input`, `audio.output`)."""

    def check(value: Any, param: str) -> Any:
        if not isinstance(value, dict):
            raise _invalid(param, "an object")
        unknown = next((key for key in value if key not in fields), None)
        if unknown is not None:
            name = f"{param}.{unknown}"
            raise UpdateError("unknown_parameter", f"Unknown parameter: '{name}'.", name)
        return {key: fields[key](item, f"{param}.{key}") for key, item in value.items()}

    return check


_AUDIO_FORMATS = _choice("pcm16", "g711_ulaw", "g711_alaw")

PREVIEW_FIELDS: dict[str, Check] = {
    "model": _string,
    "modalities": _modalities([["audio", "text"], ["text"]]),
    "instructions": _string,
    "voice": _choice(*sorted(VOICES)),
    "input_audio_format": _AUDIO_FORMATS,
    "output_audio_format": _AUDIO_FORMATS,
    "input_audio_transcription": _optional_object,
    "input_audio_noise_reduction": _optional_object,
    "turn_detection": _turn_detection(ServedDialect.PREVIEW),
    "tools": _tools,
    "tool_choice": _tool_choice,
    "temperature": _number(0.6, 1.2),
    "max_response_output_tokens": _max_tokens,
    "speed": _number(0.25, 1.5),
    "tracing": _any,
}

GA_FIELDS: dict[str, Check] = {
    "type": _choice("realtime"),
    "model": _string,
    "output_modalities": _modalities([["audio"], ["text"]]),
    "instructions": _string,
    "tools": _tools,
    "tool_choice": _tool_choice,
    "max_output_tokens": _max_tokens,
    "tracing": _any,
    "prompt": _any,
    "include": _any,
    "truncation": _any,
    "audio": _object(
        {
            "input": _object(
                {
                    "format": _optional_object,
                    "transcription": _optional_object,
                    "noise_reduction": _optional_object,
                    "turn_detection": _turn_detection(ServedDialect.GA),
                }
            ),
            "output": _object(
                {
                    "format": _optional_object,
                    "voice": _choice(*sorted(VOICES | GA_ONLY_VOICES)),
                    "speed": _number(0.25, 1.5),
                }
            ),
        }
    ),
}


def apply_update(
    dialect: ServedDialect, current: dict[str, Any], update: Any, *, has_spoken: bool
) -> dict[str, Any]:
    """The new effective session, or UpdateError (and the current one stays)."""
    if not isinstance(update, dict):
        raise UpdateError("missing_required_parameter", "Missing required parameter: 'session'.", "session")
    if dialect is ServedDialect.GA and "type" not in update:
        raise UpdateError(
            "missing_required_parameter", "Missing required parameter: 'session.type'.", "session.type"
        )
    fields = GA_FIELDS if dialect is ServedDialect.GA else PREVIEW_FIELDS
    checked = _object(fields)(update, "session")
    if checked.get("model", current["model"]) != current["model"]:
        raise _invalid("session.model", "the model of this session; it cannot change")
    merged = _deep_merge(current, checked)
    if has_spoken and voice(merged) != voice(current):
        raise UpdateError(
            "cannot_update_voice",
            "Cannot update a conversation's voice if assistant audio is present.",
            "session.voice",
        )
    return merged


def _deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in update.items():
        nested = isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "turn_detection"
        merged[key] = _deep_merge(merged[key], value) if nested else copy.deepcopy(value)
    return merged
