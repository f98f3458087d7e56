"""`voice-assistant --check` as a person runs it: a new process, the stored settings, the keychain
(here keyring's in-memory-free null backend plus environment keys) and the app's own tools."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.demo.thread import DemoServerThread
from tests.cli.conftest import KEY


@pytest.fixture
def server(service: DemoServerThread) -> str:
    return service.server.base_url


def _run_check(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AZURE_OPENAI", "OPENAI", "VOICE_ASSISTANT_PROVIDER"))
    }
    # Isolated settings and keychain: never the person's own.
    environ.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        HOME=str(tmp_path),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--check", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _store_settings(tmp_path: Path, **values: str) -> None:
    folder = tmp_path / "config" / "VoiceAssistant"
    folder.mkdir(parents=True)
    lines = "\n".join(f"{key}={value}" for key, value in values.items())
    (folder / "VoiceAssistant.conf").write_text(f"[General]\n{lines}\n", encoding="utf-8")


def test_the_stored_provider_is_checked_with_the_apps_tools(tmp_path: Path, server: str) -> None:
    _store_settings(tmp_path, provider="azure", endpoint=server, deployment="gpt-realtime")
    done = _run_check(tmp_path, AZURE_OPENAI_API_KEY=KEY)
    assert done.returncode == 0, done.stderr
    assert "azure" in done.stdout
    assert "createMeeting" in done.stdout and "queryKnowledgeBase" in done.stdout


def test_a_wrong_key_fails_with_one_sentence_and_no_key(tmp_path: Path, server: str) -> None:
    _store_settings(tmp_path, provider="openai", endpoint=server, deployment="gpt-realtime")
    wrong = "sk-wrong-key-9876543210zyxwvu"
    done = _run_check(tmp_path, OPENAI_API_KEY=wrong)
    assert done.returncode == 1
    assert "key" in done.stderr.lower()
    assert wrong not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_provider_is_refused_with_the_choices(tmp_path: Path) -> None:
    done = _run_check(tmp_path, "--provider", "nonsense")
    assert done.returncode == 2
    choices = "'azure-preview', 'azure', 'openai', 'demo'"
    assert f"invalid choice: 'nonsense' (choose from {choices})" in done.stderr


def test_the_provider_name_is_read_without_regard_to_case(tmp_path: Path, server: str) -> None:
    _store_settings(tmp_path, provider="openai", endpoint=server, deployment="gpt-realtime")
    done = _run_check(tmp_path, "--provider", "Azure", AZURE_OPENAI_API_KEY=KEY)
    assert done.returncode == 0, done.stderr
    assert "Checking the connection to azure" in done.stdout


def test_the_environments_service_is_checked_and_named(tmp_path: Path, service: DemoServerThread) -> None:
    """Fresh settings (the demo) and the provider, endpoint and key from the environment: the check
    says where it goes, where the key came from, and goes there."""
    url = service.server.base_url
    done = _run_check(
        tmp_path,
        VOICE_ASSISTANT_PROVIDER="azure",
        AZURE_OPENAI_ENDPOINT=url,
        AZURE_OPENAI_DEPLOYMENT="gpt-realtime",
        AZURE_OPENAI_API_KEY=KEY,
    )
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()[:2]
    where = f"azure at {url}, deployment gpt-realtime, API key from AZURE_OPENAI_API_KEY"
    assert first == f"Checking the connection to {where}…"
    assert second.startswith("Set by the environment: VOICE_ASSISTANT_PROVIDER, AZURE_OPENAI_ENDPOINT")
    assert "demo" not in done.stdout and KEY not in done.stdout + done.stderr
    assert "POST /openai/v1/realtime/client_secrets" in service.server.requests


MALFORMED: dict[str, Callable[[str], str]] = {
    "words": lambda _url: "not a url",
    "one-slash": lambda url: url.replace("http://", "http:/"),
    "ftp": lambda url: url.replace("http://", "ftp://"),
    "no-host": lambda _url: "https://",
    "space": lambda url: f"{url}/my resource",
    "query": lambda url: f"{url}/?api-version=2025-08-28",
}


@pytest.mark.parametrize("shape", list(MALFORMED))
@pytest.mark.parametrize("provider", ["azure", "openai"])
def test_a_malformed_endpoint_is_one_sentence_and_nothing_is_sent(
    tmp_path: Path, service: DemoServerThread, shape: str, provider: str
) -> None:
    bad = MALFORMED[shape](service.server.base_url)
    if provider == "azure":
        environ = {"AZURE_OPENAI_ENDPOINT": bad, "AZURE_OPENAI_DEPLOYMENT": "d", "AZURE_OPENAI_API_KEY": KEY}
    else:
        environ = {"OPENAI_BASE_URL": bad, "OPENAI_REALTIME_MODEL": "m", "OPENAI_API_KEY": KEY}
    done = _run_check(tmp_path, VOICE_ASSISTANT_PROVIDER=provider, **environ)
    assert done.returncode == 1
    assert done.stderr.startswith(f"The endpoint is not a valid URL: '{bad}' ("), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert "Could not reach" not in done.stderr and "[FAIL]" not in done.stdout  # no step was tried
    assert KEY not in done.stdout + done.stderr
    assert not service.server.requests


def test_a_malformed_webrtc_url_and_a_missing_endpoint_are_said_plainly(
    tmp_path: Path, service: DemoServerThread
) -> None:
    url = service.server.base_url
    preview = _run_check(
        tmp_path,
        VOICE_ASSISTANT_PROVIDER="azure-preview",
        AZURE_OPENAI_ENDPOINT=url,
        AZURE_OPENAI_WEBRTC_URL=url.replace("http://", "") + "/v1/realtimertc",
        AZURE_OPENAI_DEPLOYMENT="d",
        AZURE_OPENAI_API_KEY=KEY,
    )
    assert preview.returncode == 1
    said = preview.stderr
    assert said.startswith("The regional WebRTC URL is not a valid URL: '127.0.0.1:"), said
    missing = _run_check(tmp_path, VOICE_ASSISTANT_PROVIDER="azure", AZURE_OPENAI_DEPLOYMENT="d",
                         AZURE_OPENAI_API_KEY=KEY)  # fmt: skip
    assert missing.returncode == 1 and missing.stderr.strip() == "No Azure OpenAI endpoint is configured."
    assert not service.server.requests


SERVICES = {
    "azure": ("AZURE_OPENAI_API_KEY", {}),
    "azure-preview": ("AZURE_OPENAI_API_KEY", {"webrtc_url": "/v1/realtimertc"}),
    "openai": ("OPENAI_API_KEY", {}),
}


@pytest.mark.parametrize("provider", list(SERVICES))
def test_both_transports_are_checked_and_named(tmp_path: Path, server: str, provider: str) -> None:
    key_variable, extra = SERVICES[provider]
    _store_settings(tmp_path, provider=provider, endpoint=server, deployment="gpt-realtime",
                    **{name: server + path for name, path in extra.items()})
    done = _run_check(tmp_path, "--transport", "both", **{key_variable: KEY})
    assert done.returncode == 0, done.stderr
    assert "Transport: WebRTC" in done.stdout and "The connection works over WebRTC." in done.stdout
    assert "Transport: WebSocket" in done.stdout and "The connection works over WebSocket." in done.stdout
    assert "WebSocket open" in done.stdout and KEY not in done.stdout + done.stderr


def test_the_check_reports_the_transport_and_the_environment_chooses_it(tmp_path: Path, server: str) -> None:
    _store_settings(tmp_path, provider="openai", endpoint=server, deployment="gpt-realtime")
    done = _run_check(tmp_path, OPENAI_API_KEY=KEY)  # the setting's default: automatic
    assert done.returncode == 0, done.stderr
    assert "Transport: automatic: WebRTC, else the WebSocket" in done.stdout
    assert "The connection works over WebRTC." in done.stdout
    done = _run_check(tmp_path, OPENAI_API_KEY=KEY, VOICE_ASSISTANT_TRANSPORT="websocket")
    assert done.returncode == 0, done.stderr
    assert "Transport: WebSocket" in done.stdout and "WebRTC" not in done.stdout
    done = _run_check(tmp_path, OPENAI_API_KEY=KEY, VOICE_ASSISTANT_TRANSPORT="pigeon")
    assert done.returncode == 2
    assert "VOICE_ASSISTANT_TRANSPORT is 'pigeon'; choose one of auto, webrtc, websocket." in done.stderr


def test_the_transport_option_is_for_the_check_only(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--self-test", "--transport", "websocket"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and "--transport applies to --check only" in done.stderr


def test_automatic_falls_back_to_the_websocket_where_no_media_comes_up(
    tmp_path: Path, service: DemoServerThread
) -> None:
    from tests.demo.partition import TransportFaults

    service.server.on_call_answered = TransportFaults(ice_stall=True)  # the SDP answered, then no UDP
    _store_settings(tmp_path, provider="azure", endpoint=service.server.base_url, deployment="gpt-realtime")
    done = _run_check(tmp_path, "--transport", "auto", AZURE_OPENAI_API_KEY=KEY)
    assert done.returncode == 0, done.stderr
    # The call's race, not WebRTC's whole timeout and then the WebSocket: no step failed, and WebRTC's
    # steps stop at its SDP answer while the WebSocket's follow.
    assert "FAIL" not in done.stdout and "media connected" not in done.stdout
    assert "call set up (SDP answer received)" in done.stdout and "WebSocket open" in done.stdout
    assert "session settings confirmed" in done.stdout
    assert "The connection works over WebSocket." in done.stdout
    assert [call.websocket for call in service.server.sessions] == [False, True]
