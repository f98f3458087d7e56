"""`voice-assistant knowledge search "QUESTION" [--folder DIR] [--json]`: what the assistant's
`queryKnowledgeBase` would hand the model, without the window, to check a folder before a conversation.

The folder is indexed first, incrementally (only new and changed files are read), then asked through the
tool's own handler: the app's `KnowledgeBase` on its `StoreWorker`, the code the assistant runs. SQLite's
locking (WAL, a busy timeout) lets this run beside the window.

Which index: the app's own when DIR is the folder the app searches (the one chosen in its settings,
else the bundled sample). Any other folder gets an index of its own in the data folder's
`knowledge-folders/`: an index mirrors one folder, so syncing another into the app's would drop the
app's folder, which the window (or its next start) would then read again in full.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import sqlite3
import sys
import textwrap
from pathlib import Path
from typing import Any

from desktop.app.command_output import CommandFailed, print_json, run_action
from desktop.storage import (
    APP_AUTHOR,
    APP_NAME,
    KnowledgeIndex,
    StoreWorker,
    SyncReport,
    clean_question,
    paths,
)
from desktop.tools import KnowledgeBase, default_folder

CALL_ID = "command-line"
OTHER_FOLDERS = "knowledge-folders"  # under the data folder: the indexes of folders the app does not use


def apps_folder() -> tuple[Path, str]:
    """The folder the app searches, and a note when the one in its settings is gone (the sample is
    searched instead, as the window does)."""
    from PySide6.QtCore import QSettings

    from desktop.settings import load_preferences

    configured = load_preferences(QSettings(APP_AUTHOR, APP_NAME)).knowledge_folder
    if configured and Path(configured).is_dir():
        return Path(configured), ""
    note = f"The knowledge folder {configured} is not there; the sample documents are searched instead."
    return default_folder(), note if configured else ""


def index_file(folder: Path, apps: Path) -> Path:
    """The app's index for the app's folder; for any other, one of its own (kept: the next search of
    that folder reads only what changed)."""
    if folder.resolve() == apps.resolve():
        return paths.knowledge_db_path()
    own = paths.data_dir() / OTHER_FOLDERS
    own.mkdir(exist_ok=True)
    return own / f"{hashlib.sha256(os.fsencode(folder.resolve())).hexdigest()[:16]}.sqlite3"


async def ask(question: str, folder: Path, index_path: Path) -> tuple[SyncReport, dict[str, Any]]:
    """Brings the index up to date with `folder`, then asks the tool's handler; returns what changed
    in the index and the payload the model would be given."""
    worker = StoreWorker("knowledge")
    index: KnowledgeIndex | None = None
    try:
        index = await worker.run(KnowledgeIndex, index_path)
        knowledge = KnowledgeBase(index, worker, folder)
        report = await knowledge.refresh()
        outcome = await knowledge.query({"question": question}, CALL_ID)
        return report, outcome.payload
    finally:
        if index is not None:
            await worker.run(index.close)
        worker.close()


def search(args: argparse.Namespace) -> int:
    question = clean_question(args.question)
    if not question:
        raise CommandFailed("The question is empty.")
    apps, note = apps_folder()
    folder = _folder(args.folder) if args.folder is not None else apps
    if note and args.folder is None:
        print(note, file=sys.stderr)
    try:
        report, payload = asyncio.run(ask(question, folder, index_file(folder, apps)))
    except (sqlite3.Error, OSError, RuntimeError) as error:
        raise CommandFailed(f"The knowledge index could not be used: {error}.") from None
    if report.unreadable:
        print(f"Could not read: {', '.join(report.unreadable)}.", file=sys.stderr)
    if args.json:
        print_json(payload)
    else:
        print(answer_text(payload, folder))
    return 0


_NOT_CITED = ("source", "text", "cite")


def answer_text(payload: dict[str, Any], folder: Path) -> str:
    """Each passage under its file name (and whatever else the tool cites: passage, page, heading)."""
    passages: list[dict[str, Any]] = payload.get("passages") or []
    if not passages:
        return f"Nothing in {folder} answers this."
    blocks = []
    for passage in passages:
        # "cite" says the file, page and heading again, as one phrase for the model
        cited = "".join(f", {key} {value}" for key, value in passage.items() if key not in _NOT_CITED)
        blocks.append(f"{passage['source']}{cited}:\n{textwrap.indent(str(passage['text']), '  ')}")
    return "\n\n".join(blocks)


def _folder(text: str) -> Path:
    folder = Path(text).expanduser()
    if folder.is_file():
        raise CommandFailed(f"{folder} is a file; give the folder it is in.")
    if not folder.is_dir():
        raise CommandFailed(f"There is no folder {folder}.")
    return folder


ACTIONS = {"search": search}


def knowledge_main(args: argparse.Namespace) -> int:
    return run_action(ACTIONS, args.action, args)
