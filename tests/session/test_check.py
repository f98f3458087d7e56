"""The connection check, step by step, against the demo server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop.app.connection_check import STEP_ORDER, CheckStep, check_main, run_check
from desktop.demo.server import DemoServer
from desktop.demo.thread import DemoServerThread
from desktop.realtime.config import ProviderKind, SessionConfig
from tests.session.conftest import RunningDemoServer
from tests.session.harness import API_KEY, CREATE_MEETING, DEPLOYMENT, KINDS


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
async def test_every_step_passes(demo: RunningDemoServer, kind: ProviderKind) -> None:
    seen: list[CheckStep] = []
    result = await run_check(demo.config(kind, tools=(CREATE_MEETING,)), seen.append)
    assert result.ok, result.error
    assert [step.name for step in seen] == list(STEP_ORDER)
    assert all(step.ok and step.seconds >= 0 for step in seen)
    assert [tool["name"] for tool in result.session["tools"]] == ["createMeeting"]


async def test_a_failed_step_is_named_without_the_key(demo: RunningDemoServer) -> None:
    demo.server.faults.sdp_status = 401
    seen: list[CheckStep] = []
    result = await run_check(demo.config(ProviderKind.OPENAI), seen.append)
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


@pytest.fixture
def threaded_server() -> Iterator[str]:
    """check_main runs its own event loop: the server needs one of its own."""
    server = DemoServerThread(DemoServer(api_key=API_KEY, deployment=DEPLOYMENT))
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


def _environment(kind: ProviderKind, url: str, key: str) -> dict[str, str]:
    if kind is ProviderKind.OPENAI:
        return {"OPENAI_BASE_URL": url, "OPENAI_API_KEY": key, "OPENAI_REALTIME_MODEL": DEPLOYMENT}
    preview = kind is ProviderKind.AZURE_PREVIEW
    webrtc = {"AZURE_OPENAI_WEBRTC_URL": f"{url}/v1/realtimertc"} if preview else {}
    return {
        "AZURE_OPENAI_ENDPOINT": url,
        "AZURE_OPENAI_API_KEY": key,
        "AZURE_OPENAI_DEPLOYMENT": DEPLOYMENT,
        **webrtc,
    }


@pytest.mark.parametrize("right", [True, False], ids=["right-key", "wrong-key"])
@pytest.mark.parametrize("kind", KINDS[:3], ids=lambda k: k.value)
def test_check_main_reads_the_chosen_providers_environment(
    threaded_server: str,
    kind: ProviderKind,
    right: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--provider X` picks X's variables (its key among them); a wrong key fails without showing it."""
    key = API_KEY if right else "wrong-key-4f9a8b7c6d5e"
    monkeypatch.delenv("VOICE_ASSISTANT_PROVIDER", raising=False)
    for name, value in _environment(kind, threaded_server, key).items():
        monkeypatch.setenv(name, value)
    assert check_main(provider=kind.value) == (0 if right else 1)
    captured = capsys.readouterr()
    assert key not in captured.out + captured.err
    if not right:
        assert "rejected the key" in captured.err


@pytest.mark.parametrize("right", [True, False], ids=["served", "not-found"])
def test_check_main_in_the_token_service_mode(
    threaded_server: str, right: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """VOICE_ASSISTANT_TOKEN_URL turns the mode on; the token step is reported as its own, passed or
    failed (a path the service does not serve), and the bearer token never shows."""
    bearer = "org-bearer-0123456789"
    monkeypatch.delenv("VOICE_ASSISTANT_PROVIDER", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    for name, value in _environment(ProviderKind.AZURE, threaded_server, "").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("VOICE_ASSISTANT_TOKEN_URL", f"{threaded_server}/token/azure")
    monkeypatch.setenv("VOICE_ASSISTANT_TOKEN_BEARER", bearer)
    if not right:
        monkeypatch.setenv("VOICE_ASSISTANT_TOKEN_URL", f"{threaded_server}/token/no-such-provider")
    assert check_main(provider="azure") == (0 if right else 1)
    captured = capsys.readouterr()
    assert bearer not in captured.out + captured.err
    assert "session key from the token service" in captured.out
    assert ("[ok  ] session key from the token service" in captured.out) is right
