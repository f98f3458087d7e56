"""The two small interfaces the session needs from audio: something that speaks into the call and
something that plays what the call says. Device-backed and synthetic implementations both fit."""

from __future__ import annotations

from typing import Protocol

from aiortc.mediastreams import MediaStreamTrack


class ProblemHandler(Protocol):
    """Told one clear sentence about a sound device ("The microphone “USB” was disconnected; …");
    `recovered` is True when the sentence says the device works again ("… is back.")."""

    def __call__(self, sentence: str, *, recovered: bool = False) -> None: ...


class AudioInput(Protocol):
    """A microphone-like source. Its track is added to the peer connection before the offer."""

    @property
    def track(self) -> MediaStreamTrack: ...

    @property
    def level(self) -> float:
        """RMS of the latest captured audio, 0..1 (for the level meter)."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def set_open(self, is_open: bool) -> None:
        """Closed means the track keeps sending silence (push-to-talk idle, muted)."""
        ...

    def set_problem_handler(self, handler: ProblemHandler) -> None: ...


class AudioOutput(Protocol):
    """A speaker-like sink for the remote track."""

    @property
    def level(self) -> float: ...

    @property
    def played_seconds(self) -> float:
        """How much audio has really been handed to the device since start."""
        ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def attach(self, track: MediaStreamTrack) -> None:
        """Start reading frames from the remote track (a new track after a reconnect replaces it)."""
        ...

    def flush(self) -> None:
        """Drop everything not yet played, at once (barge-in, output_audio_buffer.cleared)."""
        ...

    def set_problem_handler(self, handler: ProblemHandler) -> None: ...
