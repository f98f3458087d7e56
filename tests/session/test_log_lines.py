"""What the log file tells about a conversation in the field: the connect (provider, dialect, host,
how long), a service error with its code, a drop and why, a failed attempt, the renewal with the
replayed items; and never the key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

import pytest

from desktop.app.log_file import LogFile, start_log_file
from desktop.realtime.config import ProviderKind
from desktop.realtime.errors import SessionError
from desktop.session.events import ErrorRaised
from desktop.session.history import ConversationHistory
from desktop.session.reconnect import LOST
from tests.session.conftest import RunningDemoServer
from tests.session.harness import API_KEY, DEPLOYMENT, assert_nothing_left
from tests.session.reconnecting import answered, renewed, start


@pytest.fixture
def log_file() -> Iterator[LogFile]:
    started = start_log_file(console=False)  # in the test's own data folder (conftest)
    yield started
    started.stop()


async def test_a_dropped_call_and_a_service_error_are_in_the_log(
    demo: RunningDemoServer, log_file: LogFile
) -> None:
    session, events = start(demo.config(ProviderKind.OPENAI, greet_first=False))
    await session.connect()
    session.send_text("Remember that the project is called Falcon.")
    await answered(events, 1)
    session.send({"type": "no.such.event"})  # the service answers with an error event
    await events.wait_for(ErrorRaised, lambda e: e.code == "invalid_event")
    demo.server.faults.mint_failures = 1  # the first attempt to reconnect fails
    await demo.server.close_all_calls()
    assert (await renewed(events)).reason == LOST
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)

    text = log_file.path.read_text(encoding="utf-8")
    host = demo.url.removeprefix("http://")
    assert re.search(rf"Connected to OpenAI \(ga\) at {host}, model {DEPLOYMENT} in \d+\.\d\d s", text)
    assert "Service error invalid_event (invalid_request_error): Invalid event type: 'no.such.event'." in text
    assert re.search(r"The call was lost after \d+ s \(connection_lost\): .+ \[connection_lost\]", text)
    assert re.search(rf"Could not connect to OpenAI \(ga\) at {host}.*: .+ \[\w+\]", text)
    replayed = re.search(
        r"The call was renewed \(connection_lost\): (\d+) of \1 conversation items replayed", text
    )
    assert replayed is not None and int(replayed.group(1)) >= 2  # the question and its answer
    assert "The conversation is closed" in text
    assert API_KEY not in text


async def test_a_failed_first_connect_is_one_error_line(demo: RunningDemoServer, log_file: LogFile) -> None:
    demo.server.faults.mint_status = 401  # the key is refused: nothing the session can retry
    session, _events = start(demo.config(ProviderKind.OPENAI, greet_first=False))
    with pytest.raises(SessionError):
        await session.connect()
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)

    lines = log_file.path.read_text(encoding="utf-8").splitlines()
    errors = [line for line in lines if " ERROR " in line]
    assert len(errors) == 1 and "The conversation failed: " in errors[0] and "[unauthorized]" in errors[0]
    about_it = [line for line in lines if "[unauthorized]" in line]
    assert len(about_it) == 2  # and the attempt itself: where to, how long
    assert any("Could not connect to OpenAI (ga)" in line for line in about_it)
    assert not any("Traceback" in line or "The conversation is " in line for line in lines)


async def test_a_renewal_says_when_the_oldest_part_was_left_out(
    demo: RunningDemoServer, log_file: LogFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small budget for what a new call is told, so that two exchanges already exceed it.
    small = partial(ConversationHistory, budget_chars=150)
    monkeypatch.setattr("desktop.session.voice_session.ConversationHistory", small)
    session, events = start(demo.config(ProviderKind.OPENAI, greet_first=False))
    await session.connect()
    said = ("Remember that the project is called Falcon.", "And the budget is ten.")
    for number, text in enumerate(said, 1):
        session.send_text(text)
        await answered(events, number)
    await demo.server.close_all_calls()
    await renewed(events)
    await session.hang_up()
    await assert_nothing_left(session, demo.stop)

    text = log_file.path.read_text(encoding="utf-8")
    line = re.search(r"(\d+) of (\d+) conversation items replayed \(the oldest (\d+) left out to fit\)", text)
    assert line is not None, text
    sent, held, left_out = map(int, line.groups())
    assert held >= 4 and left_out > 0 and sent + left_out == held
