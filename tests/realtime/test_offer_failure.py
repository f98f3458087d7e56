"""When the key cannot be minted, the offer made meanwhile is cancelled or settled; if it failed too, its
own failure goes to the log (debug) instead of vanishing. The call setup is real (aiortc), the mint
fails against a closed port, and the offer fails on an ICE server URL aiortc refuses."""

from __future__ import annotations

import logging

import pytest

from desktop.audio.synthetic import SyntheticMicrophone
from desktop.realtime.config import SessionConfig
from desktop.realtime.connection import Connection
from desktop.realtime.errors import SessionError
from desktop.realtime.providers import provider_for


async def test_the_offers_failure_is_logged_when_the_mint_failed(caplog: pytest.LogCaptureFixture) -> None:
    config = SessionConfig(endpoint="http://127.0.0.1:1", ice_servers=("bogus:x",))
    connection = Connection(
        config,
        provider_for(config),
        SyntheticMicrophone().track,
        on_message=lambda _text: None,
        on_track=lambda _track: None,
        on_lost=lambda _error: None,
    )
    debug = caplog.at_level(logging.DEBUG, logger="desktop.realtime.connection")
    with debug, pytest.raises(SessionError, match="Could not reach") as raised:  # the mint's failure
        await connection.open()
    assert raised.value.code == "unreachable"
    [record] = [r for r in caplog.records if r.getMessage() == "Making the offer failed as well"]
    assert record.levelno == logging.DEBUG and record.exc_info is not None
    assert isinstance(record.exc_info[1], ValueError)  # aiortc's "malformed uri"
