"""The demo server the `--check` tests talk to, in a thread of its own (the app runs in another
process)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop.demo.thread import DemoServerThread

KEY = "right-key-0123456789abcdef"


@pytest.fixture
def service() -> Iterator[DemoServerThread]:
    thread = DemoServerThread()
    thread.server.api_key = KEY
    thread.start()
    yield thread
    thread.stop()
