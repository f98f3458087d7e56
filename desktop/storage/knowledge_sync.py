"""One sync of the knowledge index, step by step: the plan (which files to read), the progress (how
far it has got) and the report (what it did).

A sync is a plan, then one step per file that changed. `KnowledgeIndex.sync` runs the steps in a row;
the knowledge tool (`desktop/tools/knowledge.py`) runs each step as its own job on the knowledge
worker, so a search asked for during a long first indexing is answered between two files, not after
the last one, and the window can show which file is being read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Outcome = Literal["added", "updated", "unchanged", "unreadable"]


@dataclass(frozen=True, slots=True)
class IndexProgress:
    """How far a sync has got: `done` of `total` files read (files that did not change since the last
    sync are not counted), and the one being read now; or, at the stage "embeddings", `done` of `total`
    passages embedded."""

    done: int
    total: int
    current: str = ""  # the file being read, relative to the folder; "" between files and at the end
    stage: Literal["files", "embeddings"] = "files"
    ended: bool = False  # the stage is over (also when it stopped early)


@dataclass(frozen=True, slots=True)
class SyncReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unreadable: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileToRead:
    path: Path  # resolved
    name: str  # relative to the knowledge folder, for citing
    known: tuple[int, int, str] | None  # (mtime_ns, size, sha256) as last indexed; None: a new file


@dataclass(frozen=True, slots=True)
class SyncPlan:
    folder: Path
    to_read: tuple[FileToRead, ...]  # in path order
    removed: int  # documents no longer in the folder (already dropped from the index)


class SyncTally:
    """Counts the steps of one sync and says where it stands."""

    def __init__(self, plan: SyncPlan) -> None:
        self._plan = plan
        self._outcomes: list[tuple[str, Outcome]] = []

    @property
    def done(self) -> int:
        return len(self._outcomes)

    def count(self, name: str, outcome: Outcome) -> None:
        self._outcomes.append((name, outcome))

    def progress(self, *, ended: bool = False) -> IndexProgress:
        """Where the sync stands: the next file to read, or ended (also when it stops early)."""
        total = len(self._plan.to_read)
        ended = ended or self.done >= total
        return IndexProgress(self.done, total, "" if ended else self._plan.to_read[self.done].name,
                             ended=ended)

    def report(self) -> SyncReport:
        outcomes = [outcome for _, outcome in self._outcomes]
        unreadable = tuple(name for name, outcome in self._outcomes if outcome == "unreadable")
        return SyncReport(outcomes.count("added"), outcomes.count("updated"), self._plan.removed, unreadable)


def documents_under(folder: Path, suffixes: frozenset[str]) -> list[Path]:
    """The files with one of `suffixes` under `folder` (recursively), hidden ones left out."""
    if not folder.is_dir():
        return []
    return [
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in suffixes
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]
