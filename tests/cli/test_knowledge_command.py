"""`voice-assistant knowledge search` as a person runs it: a new process that indexes a folder and shows
what the assistant's queryKnowledgeBase would hand the model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from desktop.demo import DemoServerThread
from desktop.demo.server import DemoServer
from tests.cli.terminal import ROOT, environment, one_sentence, run, store_settings

PARKING = "Parking permits for the garage on level B2 are issued by the front desk."
HOLIDAYS = "Vacation days accrue monthly; unused vacation days carry over until the end of March."


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "documents"
    (folder / "office").mkdir(parents=True)
    (folder / "office" / "parking.md").write_text(f"# Parking\n\n{PARKING}\n", encoding="utf-8")
    (folder / "holidays.txt").write_text(HOLIDAYS + "\n", encoding="utf-8")
    return folder


def _search(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(tmp_path, "knowledge", "search", *args)


def test_the_answer_comes_with_its_file_name(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    done = _search(tmp_path, "Who issues parking permits?", "--folder", str(folder))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("office/parking.md, passage ")
    assert f"\n  {PARKING}\n" in done.stdout  # the passage, under its file name
    assert "holidays.txt" not in done.stdout


def test_json_is_what_the_tool_returns_to_the_model(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    done = _search(tmp_path, "When do vacation days carry over?", "--folder", str(folder), "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == "done"
    assert answer["question"] == "When do vacation days carry over?"
    assert answer["sources"][0] == "holidays.txt"
    assert (answer["passages"][0]["source"], answer["passages"][0]["text"]) == ("holidays.txt", HOLIDAYS)
    assert {p["source"] for p in answer["passages"]} == set(answer["sources"])
    unknown = _search(tmp_path, "quantum chromodynamics", "--folder", str(folder), "--json")
    nothing = json.loads(unknown.stdout)
    assert (nothing["status"], nothing["passages"]) == ("no_results", [])


def test_a_folder_the_app_does_not_use_keeps_an_index_of_its_own(tmp_path: Path) -> None:
    """The app's index mirrors the app's folder; checking another folder must not replace it."""
    folder = _folder(tmp_path)
    assert "holidays.txt" in _search(tmp_path, "accrue", "--folder", str(folder)).stdout
    own = list((tmp_path / "data" / "knowledge-folders").glob("*.sqlite3"))
    assert len(own) == 1
    (folder / "holidays.txt").unlink()  # the next search reads what changed
    done = _search(tmp_path, "accrue", "--folder", str(folder), "--json")
    assert json.loads(done.stdout)["status"] == "no_results"
    assert list((tmp_path / "data" / "knowledge-folders").glob("*.sqlite3")) == own


def test_the_default_folder_is_the_configured_one_else_the_sample(tmp_path: Path) -> None:
    sample = _search(tmp_path, "Cancelling less than two hours before the start", "--json")
    assert sample.returncode == 0, sample.stderr
    assert json.loads(sample.stdout)["sources"][0] == "cancellation.md"
    store_settings(tmp_path, knowledge_folder=str(_folder(tmp_path)))
    configured = _search(tmp_path, "Who issues parking permits?")
    assert configured.returncode == 0, configured.stderr
    assert configured.stdout.startswith("office/parking.md, passage ")
    assert (tmp_path / "data" / "knowledge.sqlite3").exists()  # the app's own index: it is the app's folder
    assert not (tmp_path / "data" / "knowledge-folders").exists()


def test_a_configured_folder_that_is_gone_falls_back_to_the_sample_and_says_so(tmp_path: Path) -> None:
    store_settings(tmp_path, knowledge_folder=str(tmp_path / "gone"))
    done = _search(tmp_path, "Cancelling less than two hours before the start")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("cancellation.md, passage ")
    assert done.stderr.splitlines() == [
        f"The knowledge folder {tmp_path / 'gone'} is not there; the sample documents are searched instead.",
        "Keyword search only: the demo provider has no embeddings service.",  # which search ran
    ]


def test_bad_input_is_one_sentence_and_status_1(tmp_path: Path) -> None:
    for args, said in (
        (["rooms", "--folder", str(tmp_path / "nowhere")], f"There is no folder {tmp_path / 'nowhere'}."),
        (["  \t "], "The question is empty."),
    ):
        done = _search(tmp_path, *args)
        assert done.returncode == 1, done.stdout
        assert one_sentence(done.stderr) and said in done.stderr, done.stderr


def test_the_tool_commands_load_no_more_of_qt_than_qsettings(tmp_path: Path) -> None:
    """Meetings need no Qt at all; a search reads the settings with QtCore's QSettings, nothing else."""
    for args, allowed in ((["meetings", "list"], set()), (["knowledge", "search", "rooms"], {"QtCore"})):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "desktop", *args], env=environment(tmp_path), cwd=ROOT,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        imported = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if "|" in line}
        qt = {name for name in imported if name.split(".")[0] in ("PySide6", "shiboken6", "qasync")}
        assert bool(qt) == bool(allowed), sorted(qt)
        assert {name.split(".")[1] for name in qt if name.startswith("PySide6.Qt")} <= allowed, sorted(qt)
        assert "aiortc" not in imported and "sounddevice" not in imported


BOOKING_QUESTION = "知识库里关于预订规则怎么说"  # the page says 预约: the words alone miss it
OPENAI_KEY = "sk-knowledge-command-test-0123456789"


def test_the_search_is_hybrid_where_the_app_s_is_and_says_which_ran(tmp_path: Path) -> None:
    """OpenAI (a demo server standing in for it, its embeddings over HTTP): the sample folder is searched
    with words and meaning, as the assistant would; `--words-only` asks the words alone."""
    server = DemoServerThread(DemoServer(api_key=OPENAI_KEY))
    base_url = server.start()
    try:
        openai = {
            "VOICE_ASSISTANT_PROVIDER": "openai", "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": OPENAI_KEY
        }
        hybrid = run(tmp_path, "knowledge", "search", BOOKING_QUESTION, "--json", **openai)
        assert hybrid.returncode == 0, hybrid.stderr
        assert json.loads(hybrid.stdout)["sources"][0] == "booking.md"
        assert hybrid.stderr.strip() == "Hybrid search (words and meaning) with text-embedding-3-small."
        assert OPENAI_KEY not in hybrid.stdout + hybrid.stderr
        words = run(tmp_path, "knowledge", "search", BOOKING_QUESTION, "--json", "--words-only", **openai)
        assert words.returncode == 0, words.stderr
        assert json.loads(words.stdout).get("sources", [""])[:1] != ["booking.md"]
        assert words.stderr.strip() == "Keyword search only, as asked (--words-only)."
    finally:
        server.stop()


def test_the_demo_provider_searches_the_words_and_says_why(tmp_path: Path) -> None:
    done = _search(tmp_path, "Cancelling less than two hours before the start")
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "Keyword search only: the demo provider has no embeddings service."
