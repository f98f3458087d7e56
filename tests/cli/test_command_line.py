"""`voice-assistant` as a command-line tool: each run is a new process, as in a terminal. A mistake on
the command line is argparse's message and status 2, never a window opened regardless."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

from desktop import __version__
from desktop.realtime.config import ProviderKind
from tests.cli.terminal import ROOT, environment, run


def test_version_is_the_packages(tmp_path: Path) -> None:
    done = run(tmp_path, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"voice-assistant {__version__}"
    assert metadata.version("voice-assistant") == __version__  # pyproject.toml reads the same constant


def test_help_lists_every_mode(tmp_path: Path) -> None:
    done = run(tmp_path, "--help")
    assert done.returncode == 0, done.stderr
    for option in ("--check", "--self-test", "--provider", "--version", "-platform", "-style", "meetings",
                   "knowledge"):
        assert option in done.stdout
    assert "without one, the window opens" in done.stdout
    for kind in ProviderKind:
        assert kind.value in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["stray"], "invalid choice: 'stray'"),
        (["--check", "--self-test"], "not allowed with argument"),
        (["--provider", "bogus"], "argument --provider: invalid choice: 'bogus'"),
        (["--check", "--provider", "nonsense"], "argument --provider: invalid choice: 'nonsense'"),
        (["--check", "-platform", "xcb"], "Qt's options apply to the window only"),
        (["--self-test", "--provider", "azure"], "--provider does not apply"),
        (["--check", "meetings", "list"], "do not apply to the meetings command"),
        (["--provider", "openai", "knowledge", "search", "rooms"], "do not apply to the knowledge command"),
        (["meetings"], "the following arguments are required: ACTION"),
        (["meetings", "list", "--from"], "argument --from: expected one argument"),
        (["meetings", "import"], "the following arguments are required: FILE.ics"),
        (["knowledge", "search"], "the following arguments are required: QUESTION"),
    ],
)
def test_a_mistake_on_the_command_line_is_argparses_message_and_status_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = run(tmp_path, *args)
    assert done.returncode == 2
    assert done.stderr.startswith("usage: voice-assistant")
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture
def silent_service() -> Iterator[socket.socket]:
    """An endpoint that accepts connections and never answers: the check waits at its first step."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(60)
        yield server


@pytest.mark.skipif(sys.platform == "win32", reason="Ctrl+C is a console event on Windows")
@pytest.mark.parametrize("waiting", [False, True], ids=["as-it-starts", "while-it-waits-for-the-service"])
def test_ctrl_c_stops_the_check_without_a_traceback(
    tmp_path: Path, silent_service: socket.socket, waiting: bool
) -> None:
    """At once (asyncio may be making its loop just then) or during a step."""
    host, port = silent_service.getsockname()
    env = environment(
        tmp_path, VOICE_ASSISTANT_PROVIDER="openai", OPENAI_BASE_URL=f"http://{host}:{port}",
        OPENAI_REALTIME_MODEL="gpt-realtime", OPENAI_API_KEY="sk-test-0123456789abcdef",
    )  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "--check"], env=env, cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stdout.readline().startswith("Checking the connection to openai")
    connection = silent_service.accept()[0] if waiting else None  # it waits for its session key (10 s)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    if connection is not None:
        connection.close()
    assert process.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "[FAIL]" not in out  # it stopped at once, not at the step's timeout
