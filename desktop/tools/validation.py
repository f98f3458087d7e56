"""Checking a tool call's raw arguments against the tool's JSON Schema before anything runs.

A small validator for the subset of JSON Schema our tools declare (object, properties, required,
additionalProperties, type, minLength/maxLength, minimum/maximum, pattern, enum); every problem is
described in a sentence the model can act on.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_ARGUMENT_CHARS = 20_000

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "number": (int, float),
    "integer": (int,),
}


class ArgumentError(ValueError):
    """The arguments cannot be used; the message says why, for the model to ask again."""


def parse_arguments(raw: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The arguments as a dict that satisfies `schema`, or ArgumentError."""
    if len(raw) > MAX_ARGUMENT_CHARS:
        raise ArgumentError(f"The arguments are {len(raw)} characters long; that cannot be right.")
    try:
        value = json.loads(raw) if raw.strip() else {}
    except (ValueError, RecursionError):
        raise ArgumentError("The arguments are not valid JSON.") from None
    problems = list(_problems(value, schema, "arguments"))
    if problems:
        raise ArgumentError(" ".join(problems[:5]))
    assert isinstance(value, dict)
    return {key: _integral(item, schema["properties"].get(key, {})) for key, item in value.items()}


def _integral(value: Any, schema: dict[str, Any]) -> Any:
    """60.0 for an integer field becomes 60 (JSON has one number type)."""
    return int(value) if schema.get("type") == "integer" and isinstance(value, float) else value


def _problems(value: Any, schema: dict[str, Any], where: str) -> list[str]:
    expected = schema.get("type")
    if expected and not _has_type(value, expected):
        return [f"{where} must be {_article(expected)}, not {_json_type(value)}."]
    if isinstance(value, dict):
        return _object_problems(value, schema, where)
    found: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where} must be one of {', '.join(map(str, schema['enum']))}.")
    if isinstance(value, str):
        found.extend(_string_problems(value, schema, where))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(f"{where} must be at least {schema['minimum']}.")
        if "maximum" in schema and value > schema["maximum"]:
            found.append(f"{where} must be at most {schema['maximum']}.")
    return found


def _object_problems(value: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
    properties: dict[str, Any] = schema.get("properties", {})
    found = [f"{where} lacks the required field {name!r}." for name in schema.get("required", ())
             if name not in value]
    if schema.get("additionalProperties") is False:
        extra = sorted(k for k in value if k not in properties)
        if extra:
            found.append(f"{where} has unknown fields {', '.join(map(repr, extra[:5]))};"
                         f" allowed: {', '.join(properties)}.")
    for name, item in value.items():
        if name in properties:
            found.extend(_problems(item, properties[name], name))
    return found


def _string_problems(value: str, schema: dict[str, Any], where: str) -> list[str]:
    found = []
    if "minLength" in schema and len(value) < schema["minLength"]:
        found.append(f"{where} must not be empty." if schema["minLength"] == 1
                     else f"{where} needs at least {schema['minLength']} characters.")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        found.append(f"{where} is {len(value)} characters long; at most {schema['maxLength']}.")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        found.append(f"{where} is not in the expected form ({schema.get('description', schema['pattern'])}).")
    return found


def _has_type(value: Any, expected: str) -> bool:
    if isinstance(value, bool):
        return expected == "boolean"
    if expected == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(expected, (object,)))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    for name in ("boolean", "integer", "number", "string", "array", "object"):
        if _has_type(value, name):
            return _article(name)
    return "something else"


def _article(name: str) -> str:
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"
