"""The demo's stand-in embeddings (desktop/demo/concepts.py): deterministic, normalised, and paraphrases
and translations share their concepts."""

from __future__ import annotations

import math

from desktop.demo.concepts import embedding, features


def test_paraphrases_and_translations_share_concepts() -> None:
    assert {"concept:book", "concept:rules"} <= set(features("预订规则"))
    assert {"concept:book", "concept:rules"} <= set(features("booking policy"))
    assert {"concept:book", "concept:rules"} <= set(features("预约的规定"))
    assert "concept:room" in features("会议室") and "concept:meeting" not in features("会议室")
    assert "concept:time_zone" in features("time zones")


def test_vectors_are_deterministic_and_normalised() -> None:
    first, again = embedding("取消会议", 256), embedding("取消会议", 256)
    assert first == again and len(first) == 256
    assert math.isclose(math.sqrt(sum(x * x for x in first)), 1.0)
    assert math.isclose(math.sqrt(sum(x * x for x in embedding("", 64))), 1.0)
