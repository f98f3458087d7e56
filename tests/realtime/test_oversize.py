"""Events over the size limit are refused with a sentence before anything is sent or queued."""

from __future__ import annotations

import pytest

from desktop.audio.synthetic import SyntheticMicrophone
from desktop.realtime import client_events as ce
from desktop.realtime.config import SessionConfig
from desktop.realtime.connection import Connection
from desktop.realtime.errors import SessionError
from desktop.realtime.providers import provider_for


async def test_oversize_events_are_refused() -> None:
    config = SessionConfig(endpoint="http://127.0.0.1:1")
    lost: list[SessionError] = []
    microphone = SyntheticMicrophone()
    connection = Connection(
        config,
        provider_for(config),
        microphone.track,
        on_message=lambda _text: None,
        on_track=lambda _track: None,
        on_lost=lost.append,
    )
    connection.send(ce.user_text("a" * 60_000))  # under the limit: queued until the channel opens
    with pytest.raises(SessionError, match="over the connection's limit of 65536 bytes") as caught:
        connection.send(ce.user_text("字" * 22_000))  # 66 000 bytes as UTF-8, though fewer characters
    assert caught.value.code == "event_too_large" and not caught.value.retryable
    assert not lost
    await connection.close()
    await microphone.stop()
