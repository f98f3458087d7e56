"""The Qt-free transcript model: order by item, streaming, interruption, tools, Markdown."""

from __future__ import annotations

from desktop.session.events import AssistantTranscript, ToolActivity, UserTranscript
from desktop.ui.transcript_model import TranscriptModel

LABELS = {"user": "You", "assistant": "Assistant", "tool": "Tool"}


def test_late_user_words_land_before_the_answer_to_them() -> None:
    talk = TranscriptModel()
    talk.apply(AssistantTranscript("a1", "r1", "Hello, how can I help?", True))
    talk.apply(AssistantTranscript("a2", "r2", "Sure, ", False))  # the answer began...
    talk.apply(UserTranscript("u1", "Book ", False, previous_item_id="a1"))  # ...before the words came
    talk.apply(UserTranscript("u1", "Book a meeting", True, previous_item_id="a1"))
    talk.apply(AssistantTranscript("a2", "r2", "booked.", False))
    assert [(t.role, t.text) for t in talk.turns] == [
        ("assistant", "Hello, how can I help?"),
        ("user", "Book a meeting"),
        ("assistant", "Sure, booked."),
    ]


def test_an_unknown_previous_item_appends_and_empty_final_words_add_nothing() -> None:
    talk = TranscriptModel()
    assert talk.apply(UserTranscript("u0", "", True, previous_item_id="nowhere")) is None
    change = talk.apply(UserTranscript("u1", "hi", True, previous_item_id="nowhere"))
    assert change is not None and change.index == 0 and change.inserted


def test_an_interrupted_answer_keeps_what_was_heard_and_is_marked() -> None:
    talk = TranscriptModel()
    talk.apply(AssistantTranscript("a1", "r1", "Let me tell you", False))
    change = talk.apply(AssistantTranscript("a1", "r1", "", True, interrupted=True))
    assert change is not None and not change.inserted
    assert talk.turns[0].text == "Let me tell you" and talk.turns[0].interrupted


def test_tool_activity_is_one_turn_updated_in_place() -> None:
    talk = TranscriptModel()
    talk.apply(ToolActivity("c1", "createMeeting", '{"title": "Sync"}', "requested"))
    talk.apply(ToolActivity("c1", "createMeeting", '{"title": "Sync"}', "confirming"))
    change = talk.apply(
        ToolActivity("c1", "createMeeting", '{"title": "Sync"}', "done", '{"status": "created"}', ("faq.md",))
    )
    assert change is not None and change.index == 0 and not change.inserted
    assert len(talk.turns) == 1 and talk.turns[0].final
    text = talk.to_markdown(LABELS, "interrupted")  # type: ignore[arg-type]
    assert "`createMeeting` — done" in text and "faq.md" in text


def test_markdown_reads_as_a_conversation() -> None:
    talk = TranscriptModel()
    talk.apply(UserTranscript("u1", "Hi", True))
    talk.apply(AssistantTranscript("a1", "r1", "Hello", True, interrupted=True))
    assert talk.to_markdown(LABELS, "interrupted") == (  # type: ignore[arg-type]
        "**You:** Hi\n\n**Assistant:** Hello _(interrupted)_\n"
    )
    talk.clear()
    assert talk.turns == []
