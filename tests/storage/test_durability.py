"""A writer killed with SIGKILL in the middle of its writes leaves a sound database holding every
meeting it reported as committed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop.storage.meetings import MeetingStore

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    from desktop.storage.meeting_model import MeetingDraft
    from desktop.storage.meetings import MeetingStore

    store = MeetingStore(Path(sys.argv[1]))
    start = datetime(2025, 9, 9, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    i = 0
    while True:
        made = store.create(MeetingDraft(f"meeting {i}" * 20, start + timedelta(minutes=i), 30,
                                         source="voice", call_id=f"call-{i}"))
        if i % 7 == 0:
            store.update(made.id, f"edited {i}", made.start, 45)
        if i % 11 == 0 and i:
            store.import_drafts(MeetingDraft(f"bulk {i}-{k}", start, 15, uid=f"u-{i}-{k}")
                                for k in range(20))
        print(made.id, flush=True)  # only after the commit returned
        i += 1
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkilled_writer_leaves_every_committed_row(tmp_path: Path) -> None:
    db = tmp_path / "calendar.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert writer.stdout is not None
    committed: list[int] = []
    for line in writer.stdout:
        committed.append(int(line))
        if len(committed) >= 60:
            break
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    committed.extend(int(line) for line in writer.stdout.read().split())  # printed before the kill

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    store = MeetingStore(db)
    stored = {m.id for m in store.all()}
    assert set(committed) <= stored
    assert len(stored) >= len(committed)
    store.close()
