"""The pieces of reconnection on their own: the conversation record and its replay, the backoff,
the wake-up detector."""

from __future__ import annotations

from desktop.realtime.config import Dialect
from desktop.session.events import AssistantTranscript, ToolActivity, UserTranscript
from desktop.session.history import ConversationHistory
from desktop.session.reconnect import ReconnectPolicy
from desktop.session.wake import WakeDetector


def _record() -> ConversationHistory:
    record = ConversationHistory()
    record.item_created("u1", {"type": "message", "role": "user", "content": [{"type": "input_audio"}]})
    record.item_created("a1", {"type": "message", "role": "assistant", "content": []})
    record.observe(AssistantTranscript("a1", "r1", "Which day?", True))
    record.observe(UserTranscript("u1", "Book a meeting.", True))  # late: after the answer began
    record.item_created("c1", {"type": "function_call", "call_id": "call_1", "name": "", "arguments": ""})
    record.observe(ToolActivity("call_1", "createMeeting", '{"title": "x"}', "requested"))
    record.function_output("call_1", '{"status": "created"}')
    return record


def test_replay_keeps_the_server_order_and_each_dialects_content_types() -> None:
    record = _record()
    ga = [event["item"] for event in record.replay(Dialect.GA)]
    assert [(i["type"], i.get("role")) for i in ga] == [
        ("message", "user"),
        ("message", "assistant"),
        ("function_call", None),
        ("function_call_output", None),
    ]
    assert ga[0]["content"] == [{"type": "input_text", "text": "Book a meeting."}]
    assert ga[1]["content"] == [{"type": "output_text", "text": "Which day?"}]
    assert ga[2]["name"] == "createMeeting" and ga[2]["call_id"] == ga[3]["call_id"] == "call_1"
    preview = [event["item"] for event in record.replay(Dialect.PREVIEW)]
    assert preview[1]["content"] == [{"type": "text", "text": "Which day?"}]


def test_echoes_of_a_replay_are_not_recorded_twice() -> None:
    record = _record()
    for event in record.replay(Dialect.GA):
        item = event["item"]
        record.item_created(item["id"], item)
    record.item_created("o9", {"type": "function_call_output", "call_id": "call_1", "output": "{}"})
    record.function_output("call_1", "{}")  # delivered twice would be a bug elsewhere; recorded once
    assert len(record) == 4 and len(record.replay(Dialect.GA)) == 4


def test_empty_items_are_left_out_and_a_long_day_keeps_its_newest_part() -> None:
    record = ConversationHistory(budget_chars=500)
    record.item_created("x", {"type": "message", "role": "user", "content": [{"type": "input_audio"}]})
    record.item_created("o", {"type": "function_call_output", "call_id": "gone", "output": "{}"})
    for n in range(40):
        record.user_text(f"message number {n}")
    replay = record.replay(Dialect.GA)
    texts = [event["item"]["content"][0]["text"] for event in replay]
    assert texts[-1] == "message number 39" and len(texts) < 40
    assert len(record) == 41  # the 40 and the orphan output: what the renewal's log line counts against
    assert all(event["item"]["type"] == "message" for event in replay)  # no orphan output


def test_backoff_doubles_up_to_the_limit_with_jitter() -> None:
    policy = ReconnectPolicy(first_delay=0.5, max_delay=4.0, jitter=0.25)
    assert [policy.delay(n, rng=lambda: 0.5) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert policy.delay(1, rng=lambda: 0.0) == 0.375 and policy.delay(1, rng=lambda: 1.0) == 0.625


def test_a_sleep_is_noticed_by_a_late_tick_or_a_wall_clock_jump() -> None:
    clock = {"mono": 0.0, "wall": 1000.0}
    detector = WakeDetector(8.0, monotonic=lambda: clock["mono"], wall=lambda: clock["wall"])
    clock["mono"] += 2.0
    clock["wall"] += 2.0
    assert not detector.woke(2.0)  # an ordinary tick
    clock["mono"] += 2.0
    clock["wall"] += 3600.0  # suspended: the monotonic clock did not count the hour
    assert detector.woke(2.0)
    clock["mono"] += 30.0
    clock["wall"] += 30.0  # the loop stalled for half a minute
    assert detector.woke(2.0)


def test_a_wait_the_service_asked_for_replaces_a_shorter_backoff() -> None:
    policy = ReconnectPolicy(first_delay=0.5, max_delay=4.0, jitter=0.25)
    assert policy.wait(2, 2.0, rng=lambda: 0.5) == 2.0  # max(backoff 1.0, Retry-After 2)
    assert policy.wait(4, 2.0, rng=lambda: 0.5) == 4.0  # the backoff is longer already
    assert policy.wait(2, None, rng=lambda: 0.5) == 1.0
    assert policy.max_retry_after == 60.0
