"""`voice-assistant knowledge search "QUESTION" [--folder DIR] [--words-only] [--json]`: what the
assistant's `queryKnowledgeBase` would hand the model, without the window, to check a folder before a
conversation.

The folder is indexed first, incrementally (only new and changed files are read), then asked through the
tool's own handler: the app's `KnowledgeBase` on its `StoreWorker`, the code the assistant runs, with the
embeddings the app would use (`AppSessionFactory.embedder`: the settings, the environment, the key), so
the search is hybrid where the app's is; `--words-only` asks the words alone. One line on stderr says
which search ran. SQLite's locking (WAL, a busy timeout) lets this run beside the window.

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
from typing import TYPE_CHECKING, Any

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
from desktop.tools import Embedder, FallbackReason, KnowledgeBase, default_folder

if TYPE_CHECKING:
    from desktop.settings import Preferences

CALL_ID = "command-line"
OTHER_FOLDERS = "knowledge-folders"  # under the data folder: the indexes of folders the app does not use
_WHY_WORDS = {  # why the search ran on the words alone (the tool's FallbackReason)
    "demo": "the demo provider has no embeddings service",
    "no_deployment": "no embeddings deployment is set",
    "not_configured": "the embeddings service is not set up (no API key, or a malformed endpoint)",
    "awaiting_approval": "the folder's passages wait for the go-ahead to be embedded (Settings, Embed now)",
}


def apps_preferences() -> Preferences:
    from PySide6.QtCore import QSettings

    from desktop.settings import load_preferences

    return load_preferences(QSettings(APP_AUTHOR, APP_NAME))


def apps_folder(prefs: Preferences) -> tuple[Path, str]:
    """The folder the app searches, and a note when the one in its settings is gone (the sample is
    searched instead, as the window does)."""
    configured = prefs.knowledge_folder
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


async def ask(
    question: str, folder: Path, index_path: Path, prefs: Preferences | None = None
) -> tuple[SyncReport, dict[str, Any], str]:
    """Brings the index up to date with `folder`, then asks the tool's handler with the embeddings the
    app would use for `prefs` (None: the words alone); returns what changed in the index, the payload
    the model would be given, and which search ran."""
    embedder, reason = await _embedder(prefs) if prefs is not None else (None, "")
    worker = StoreWorker("knowledge")
    index: KnowledgeIndex | None = None
    knowledge: KnowledgeBase | None = None
    try:
        index = await worker.run(KnowledgeIndex, index_path)
        knowledge = KnowledgeBase(index, worker, folder, embedder=embedder, reason=reason)
        report = await knowledge.refresh()
        outcome = await knowledge.query({"question": question}, CALL_ID)
        return report, outcome.payload, searched(knowledge, embedder, words_only=prefs is None)
    finally:
        if knowledge is not None:
            await knowledge.close()  # the embedder's HTTP session
        elif embedder is not None:
            await embedder.close()
        if index is not None:
            await worker.run(index.close)
        worker.close()


async def _embedder(prefs: Preferences) -> tuple[Embedder | None, FallbackReason]:
    from desktop.app.session_factory import AppSessionFactory
    from desktop.settings import KeyStore

    factory = AppSessionFactory(environ=os.environ)
    try:
        return await factory.embedder(prefs, KeyStore(os.environ))
    finally:
        await factory.close()


def searched(knowledge: KnowledgeBase, embedder: Embedder | None, *, words_only: bool) -> str:
    """Which search ran, in one sentence."""
    mode = knowledge.mode
    if mode.mode == "hybrid" and embedder is not None:
        return f"Hybrid search (words and meaning) with {embedder.model}."
    if words_only:
        return "Keyword search only, as asked (--words-only)."
    if mode.reason == "embeddings_failed":
        return f"Keyword search only: the embeddings service failed: {mode.detail}"
    return f"Keyword search only: {_WHY_WORDS.get(mode.reason, 'no embeddings')}."


def search(args: argparse.Namespace) -> int:
    question = clean_question(args.question)
    if not question:
        raise CommandFailed("The question is empty.")
    prefs = apps_preferences()
    apps, note = apps_folder(prefs)
    folder = _folder(args.folder) if args.folder is not None else apps
    if note and args.folder is None:
        print(note, file=sys.stderr)
    used = None if args.words_only else prefs
    try:
        report, payload, which = asyncio.run(ask(question, folder, index_file(folder, apps), used))
    except (sqlite3.Error, OSError, RuntimeError) as error:
        raise CommandFailed(f"The knowledge index could not be used: {error}.") from None
    if report.unreadable:
        print(f"Could not read: {', '.join(report.unreadable)}.", file=sys.stderr)
    print(which, file=sys.stderr)  # stdout stays the answer (or the tool's JSON)
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
