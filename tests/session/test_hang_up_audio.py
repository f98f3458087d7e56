"""Hanging up stops the microphone and the speaker at once, and one that fails to stop is only logged.

Each stop may wait for PortAudio (up to OPENING_WAIT_SECONDS for a stream still being opened); done
one after the other a hang-up could take twice that. The devices here are the synthetic ones whose
`stop` is held until the test lets it go (nothing is timed); the call is the fake realtime service's."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest

from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.session.events import SessionState
from desktop.session.voice_session import VoiceSession
from tests.session.fake_realtime import FakeRealtimeService
from tests.session.harness import Collector
from tests.session.test_session_unit import CONFIG, POLICY, until


class HeldStop:
    """A stop that waits for `release()`, or fails with `error` once released."""

    def __init__(self, error: Exception | None = None) -> None:
        self.stopping = False
        self.stopped = False
        self.error = error
        self._go = asyncio.Event()

    async def hold(self) -> None:
        self.stopping = True
        await self._go.wait()
        if self.error is not None:
            raise self.error
        self.stopped = True

    def release(self) -> None:
        self._go.set()

    def after(self, stop: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        """A device's `stop` that, once done, holds here."""

        async def held_stop() -> None:
            await stop()
            await self.hold()

        return held_stop


async def _hang_up_with(
    monkeypatch: pytest.MonkeyPatch, microphone: HeldStop, speaker: HeldStop
) -> tuple[VoiceSession, Collector]:
    """Connects, then hangs up; both stops must be under way at once before either is released."""
    service = FakeRealtimeService()
    audio_in, audio_out = SyntheticMicrophone(), RecordingSpeaker()
    monkeypatch.setattr(audio_in, "stop", microphone.after(audio_in.stop))
    monkeypatch.setattr(audio_out, "stop", speaker.after(audio_out.stop))
    session = VoiceSession(CONFIG, audio_in, audio_out, reconnect=POLICY, connect=service.connect)
    events = Collector(session)
    await session.connect()
    hanging_up = asyncio.create_task(session.hang_up())
    await until(lambda: microphone.stopping and speaker.stopping)  # neither waits for the other
    assert not hanging_up.done()
    speaker.release()
    microphone.release()
    await hanging_up
    await events.finished()
    assert all(connection.closed for connection in service.connections)
    return session, events


async def test_hang_up_stops_the_microphone_and_the_speaker_together(monkeypatch: pytest.MonkeyPatch) -> None:
    microphone, speaker = HeldStop(), HeldStop()
    session, _events = await _hang_up_with(monkeypatch, microphone, speaker)
    assert microphone.stopped and speaker.stopped
    assert session.state is SessionState.CLOSED


async def test_a_failed_stop_is_logged_and_the_other_still_stops(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    microphone, speaker = HeldStop(RuntimeError("PortAudio refused to close")), HeldStop()
    with caplog.at_level(logging.WARNING, logger="desktop.session.call_audio"):
        session, _events = await _hang_up_with(monkeypatch, microphone, speaker)
    assert speaker.stopped and session.state is SessionState.CLOSED
    [record] = [r for r in caplog.records if r.name == "desktop.session.call_audio"]
    assert "microphone did not stop cleanly" in record.getMessage() and record.exc_info is not None
