"""`voice-assistant --self-test` as CI and a person run it: a new process, no sound card, no screen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop.audio import canceller

ROOT = Path(__file__).resolve().parents[2]


def run_self_test(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    # A home of its own: whatever the self-test might write outside its temporary folder shows up here.
    home = tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               TMPDIR=str(tmp_path), PYTHONPATH=str(ROOT), **extra)  # fmt: skip
    return subprocess.run(  # -X importtime lists every import on stderr, lazy ones included
        [sys.executable, "-X", "importtime", "-m", "desktop", "--self-test"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_whole_conversation_passes_and_leaves_nothing_behind(tmp_path: Path) -> None:
    result = run_self_test(tmp_path)
    assert result.returncode == 0, result.stderr
    (summary,) = [line for line in result.stdout.splitlines() if line.startswith("self-test")]
    assert summary.startswith("self-test passed: PortAudio")
    # A source install without the optional canceller says so (the packaged app must carry it).
    sound = "echo canceller loaded" if canceller.installed() else "no echo canceller (half duplex"
    assert sound in summary and "connected in" in summary
    assert "greeting heard" in summary and "booked for" in summary
    assert "Traceback" not in result.stderr
    imported = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "desktop.audio.pcm" in imported and "numpy" not in imported  # docs/measurements.md
    # Its data folder is gone, and nothing of the app's landed in the person's folders (calendar,
    # settings, keys). (The system's sound server may leave its own runtime files: not the app's.)
    assert not list(tmp_path.glob("voice-assistant-self-test-*"))
    written = [path.relative_to(tmp_path) for path in (tmp_path / "home").rglob("*")]
    assert [path for path in written if "VoiceAssistant" in str(path) or "keyring" in str(path)] == []


def test_a_failure_exits_non_zero_with_one_sentence(tmp_path: Path) -> None:
    result = run_self_test(tmp_path, VOICE_ASSISTANT_MEMORY_PROBE="soon")
    assert result.returncode == 1
    assert "self-test failed: VOICE_ASSISTANT_MEMORY_PROBE must be a number of seconds" in result.stderr
    assert "Traceback" not in result.stderr
