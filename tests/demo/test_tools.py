"""Function calls: what the brain asks for, the call events, and answers after function_call_output."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from desktop.demo.brain import Brain, CallTool
from desktop.demo.endpoints import ServedProvider
from desktop.demo.server import DemoServer
from tests.demo.client import Client, session_update, until
from tests.demo.conftest import ConnectClient


def tool(name: str, *properties: str) -> dict[str, Any]:
    schema = {"type": "object", "properties": {p: {"type": "string"} for p in properties}}
    return {"type": "function", "name": name, "description": name, "parameters": schema}


# The property names of the app's tools (desktop/tools); the brain fills only declared ones.
TOOLS = [
    tool("createMeeting", "start_time", "duration", "title"),
    tool("listMeetings", "from_date", "to_date"),
    tool("cancelMeeting", "meeting_id", "title", "date"),
    tool("queryKnowledgeBase", "question"),
]


async def with_tools(connect: ConnectClient, provider: ServedProvider, tools: list[dict[str, Any]]) -> Client:
    client = await connect(provider)
    # Text-only: the answers are checked as text, and arrive at once instead of after seconds of audio.
    client.send(session_update(provider, turn_detection=None, tools=tools, text_only=True))
    await client.wait_for("session.updated")
    return client


def user_says(client: Client, text: str) -> None:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    client.send({"type": "conversation.item.create", "item": item})
    client.send({"type": "response.create"})


@pytest.mark.parametrize("provider", list(ServedProvider))
async def test_meeting_request_becomes_create_meeting(
    connect: ConnectClient, provider: ServedProvider
) -> None:
    client = await with_tools(connect, provider, TOOLS)
    user_says(client, "请帮我预约明天下午三点的项目周会，一个小时")
    done = await client.wait_for("response.done")
    arguments_done = client.of("response.function_call_arguments.done")[0]
    item = client.of("response.output_item.done")[0]["item"]
    assert item["type"] == "function_call" and item["call_id"] == arguments_done["call_id"]
    deltas = "".join(e["delta"] for e in client.of("response.function_call_arguments.delta"))
    assert deltas == arguments_done["arguments"] == item["arguments"]
    arguments = json.loads(arguments_done["arguments"])
    tomorrow = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%d")
    assert arguments == {"start_time": f"{tomorrow} 15:00:00", "duration": 60, "title": "项目周会"}
    assert arguments_done["name"] == "createMeeting"
    assert (
        done["response"]["status"] == "completed" and done["response"]["output"][0]["type"] == "function_call"
    )


async def answer_call(client: Client, output: dict[str, Any]) -> str:
    call_id = client.of("response.function_call_arguments.done")[-1]["call_id"]
    start = len(client.events)
    item = {"type": "function_call_output", "call_id": call_id, "output": json.dumps(output)}
    client.send({"type": "conversation.item.create", "item": item})
    client.send({"type": "response.create"})
    done = await client.wait_for("response.done", start=start)
    assert done["response"]["status"] == "completed"
    return str(client.of("response.output_text.done")[-1]["text"])


async def test_booked_then_declined(connect: ConnectClient) -> None:
    client = await with_tools(connect, ServedProvider.OPENAI, TOOLS)
    user_says(client, "Book a design review meeting tomorrow at 10 am for 30 minutes")
    await client.wait_for("response.done")
    arguments = json.loads(client.of("response.function_call_arguments.done")[-1]["arguments"])
    assert arguments["start_time"].endswith("10:00:00") and arguments["duration"] == 30
    assert arguments["title"] == "design review"
    assert await answer_call(client, {"status": "created", "id": 7}) == "Your meeting is booked."


async def test_declined_asks_what_to_change(connect: ConnectClient) -> None:
    client = await with_tools(connect, ServedProvider.OPENAI, TOOLS)
    user_says(client, "Schedule a meeting tomorrow")
    await client.wait_for("response.done")
    assert await answer_call(client, {"status": "declined"}) == "All right, not booked. What should change?"


async def test_knowledge_answer_names_first_source(connect: ConnectClient) -> None:
    client = await with_tools(connect, ServedProvider.OPENAI, TOOLS)
    user_says(client, "How do I reset the projector?")
    await client.wait_for("response.done")
    call = client.of("response.function_call_arguments.done")[-1]
    assert call["name"] == "queryKnowledgeBase"
    assert json.loads(call["arguments"]) == {"question": "How do I reset the projector?"}
    output = {"passages": [{"source": "manual.pdf", "text": "Hold the button."}]}
    transcript = await answer_call(client, output)
    assert transcript == "Here is what I found in manual.pdf."


async def test_only_declared_tools_are_called(connect: ConnectClient) -> None:
    client = await with_tools(connect, ServedProvider.OPENAI, [tool("queryKnowledgeBase", "question")])
    user_says(client, "Book a meeting tomorrow")
    await client.wait_for("response.done")
    assert not client.of("response.function_call_arguments.done")
    assert client.of("response.output_text.done")


async def test_audio_turn_uses_queued_transcript(connect: ConnectClient, server: DemoServer) -> None:
    client = await with_tools(connect, ServedProvider.AZURE_PREVIEW, TOOLS)
    server.queue_user_transcript("what do I have tomorrow")
    await until(lambda: server.sessions[0].listener.buffered_ms >= 100)
    client.send({"type": "input_audio_buffer.commit"})
    client.send({"type": "response.create"})
    await client.wait_for("response.done")
    assert client.of("response.function_call_arguments.done")[0]["name"] == "listMeetings"


@pytest.mark.parametrize(
    ("text", "name", "arguments"),
    [
        (
            "请帮我预约明天下午三点的项目周会，一个小时",
            "createMeeting",
            {"start_time": "2026-03-11 15:00:00", "duration": 60, "title": "项目周会"},
        ),
        (
            "预约后天上午十点半的周会，半小时",
            "createMeeting",
            {"start_time": "2026-03-12 10:30:00", "duration": 30, "title": "周会"},
        ),
        (
            "Book a meeting called Budget sync at 15:30 for 1.5 hours",
            "createMeeting",
            {"start_time": "2026-03-11 15:30:00", "duration": 90, "title": "Budget sync"},
        ),
        ("我明天有什么会？", "listMeetings", {"from_date": "2026-03-11"}),
        ("取消明天下午三点的会议", "cancelMeeting", {"date": "2026-03-11"}),
        (
            "Cancel the meeting called Budget sync tomorrow",
            "cancelMeeting",
            {"date": "2026-03-11", "title": "Budget sync"},
        ),
        ("公司的报销流程是什么？", "queryKnowledgeBase", {"question": "公司的报销流程是什么？"}),
        # A how-to question about cancelling asks about the rules; a named meeting makes it a request.
        ("如何取消会议？", "queryKnowledgeBase", {"question": "如何取消会议？"}),
        ("How do I cancel a meeting?", "queryKnowledgeBase", {"question": "How do I cancel a meeting?"}),
        ("怎么取消明天的周会？", "cancelMeeting", {"date": "2026-03-11", "title": "周会"}),
    ],
)
def test_brain_reads_requests(text: str, name: str, arguments: dict[str, Any]) -> None:
    brain = Brain(now=datetime(2026, 3, 10, 9, 0))
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    reply = brain.reply([item], TOOLS)
    assert reply.call == CallTool(name, arguments)


def test_brain_can_speak_before_a_call() -> None:
    brain = Brain(speak_before_calls=True)
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "book a meeting"}]}
    reply = brain.reply([item], TOOLS)
    assert reply.say is not None and reply.call is not None and reply.call.name == "createMeeting"


async def test_tool_choice_none_means_no_calls(connect: ConnectClient) -> None:
    client = await connect(ServedProvider.OPENAI)
    update = session_update(ServedProvider.OPENAI, turn_detection=None, tools=TOOLS, text_only=True)
    update["session"]["tool_choice"] = "none"
    client.send(update)
    user_says(client, "Book a meeting tomorrow")
    await client.wait_for("response.done")
    assert not client.of("response.function_call_arguments.done")
    assert client.of("response.output_text.done")[0]["text"] == "All right, I understand."


async def test_spoken_preamble_then_call_in_one_response(connect: ConnectClient, server: DemoServer) -> None:
    server.brain.speak_before_calls = True
    client = await with_tools(connect, ServedProvider.AZURE_PREVIEW, TOOLS)
    user_says(client, "book a meeting")
    done = await client.wait_for("response.done")
    assert [item["type"] for item in done["response"]["output"]] == ["message", "function_call"]
    assert client.of("response.text.done")[0]["text"] == "Please confirm the meeting."
    assert client.of("response.function_call_arguments.done")[0]["name"] == "createMeeting"


@pytest.mark.parametrize(
    ("name", "output", "answer"),
    [
        ("cancelMeeting", {"status": "not_found"}, "Sorry, I could not find that meeting."),
        ("cancelMeeting", {"status": "cancelled", "meeting": {"id": 3}}, "The meeting is cancelled."),
        ("queryKnowledgeBase", {"status": "no_results"}, "Sorry, the knowledge base has nothing on that."),
        ("listMeetings", {"status": "done", "count": 2, "meetings": [{}, {}]}, "You have 2 meetings."),
        (
            "createMeeting",
            {"status": "failed", "error": "bad"},
            "Sorry, I didn't catch that. Please say it again.",
        ),
    ],
)
def test_brain_answers_tool_outputs(name: str, output: dict[str, Any], answer: str) -> None:
    items: list[dict[str, Any]] = [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "please do it"}]},
        {"type": "function_call", "call_id": "c1", "name": name, "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": json.dumps(output)},
    ]
    reply = Brain().reply(items, TOOLS)
    assert reply.say is not None and reply.say.text == answer and reply.call is None


SERIES_TOOLS = [tool("createMeeting", "start_time", "duration", "title", "recurrence"), *TOOLS[1:]]


@pytest.mark.parametrize(
    ("said", "hour"),
    [
        ("Book a team meeting every Monday at 10 for ten weeks", 10),
        ("请帮我预约每周一上午十点的团队会议，十周", 10),
    ],
)
async def test_a_weekly_series_is_asked_for_with_its_rule(
    connect: ConnectClient, said: str, hour: int
) -> None:
    client = await with_tools(connect, ServedProvider.OPENAI, SERIES_TOOLS)
    user_says(client, said)
    await client.wait_for("response.done")
    arguments = json.loads(client.of("response.function_call_arguments.done")[-1]["arguments"])
    assert arguments["recurrence"] == "FREQ=WEEKLY;BYDAY=MO;COUNT=10"
    start = datetime.strptime(arguments["start_time"], "%Y-%m-%d %H:%M:%S")
    assert start.weekday() == 0 and start.hour == hour and start.date() > datetime.now().date()


def test_the_brain_reads_repeats_only_where_the_tool_takes_them() -> None:
    brain = Brain(now=datetime(2025, 9, 10, 9, 0))  # a Wednesday
    every_day = brain.answer("Schedule a stand-up meeting every day at 9:30 for 5 days", SERIES_TOOLS).call
    assert every_day == CallTool(
        "createMeeting",
        {
            "start_time": "2025-09-11 09:30:00",
            "duration": 60,
            "title": "stand-up",
            "recurrence": "FREQ=DAILY;COUNT=5",
        },
    )
    once = brain.answer("Schedule a stand-up meeting every day at 9:30 for 5 days", TOOLS).call
    assert once is not None and "recurrence" not in once.arguments
    monthly = brain.answer("每月的预算会议", SERIES_TOOLS).call
    assert monthly is not None and monthly.arguments["recurrence"] == "FREQ=MONTHLY"
