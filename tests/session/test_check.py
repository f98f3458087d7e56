"""The connection check, step by step, against the loopback server."""

from __future__ import annotations

import pytest

from desktop.check import STEP_ORDER, CheckStep, check_main, run_check
from desktop.realtime.config import ProviderKind, SessionConfig
from tests.session.conftest import Loopback
from tests.session.harness import API_KEY, CREATE_MEETING, KINDS


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
async def test_every_step_passes(loopback: Loopback, kind: ProviderKind) -> None:
    seen: list[CheckStep] = []
    result = await run_check(loopback.config(kind, tools=(CREATE_MEETING,)), seen.append)
    assert result.ok, result.error
    assert [step.name for step in seen] == list(STEP_ORDER)
    assert all(step.ok and step.seconds >= 0 for step in seen)
    assert [tool["name"] for tool in result.session["tools"]] == ["createMeeting"]


async def test_a_failed_step_is_named_without_the_key(loopback: Loopback) -> None:
    loopback.server.faults.sdp_status = 401
    seen: list[CheckStep] = []
    result = await run_check(loopback.config(ProviderKind.OPENAI), seen.append)
    assert not result.ok
    assert [(step.name, step.ok) for step in seen] == [("mint", True), ("sdp", False)]
    assert "rejected the key" in result.error and API_KEY not in result.error


def test_check_main_against_the_built_in_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_main(SessionConfig(provider=ProviderKind.DEMO)) == 0
    out = capsys.readouterr().out
    assert "session settings confirmed" in out and "demo-key" not in out


def test_check_main_reports_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    config = SessionConfig(provider=ProviderKind.AZURE, deployment="d", api_key="secret-key-123")
    assert check_main(config) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == "No Azure OpenAI endpoint is configured."
    assert "secret-key-123" not in captured.out + captured.err
