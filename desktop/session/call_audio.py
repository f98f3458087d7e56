"""Stopping the call's microphone and speaker: both at once.

Each stop may wait for PortAudio (a stream still being opened, up to the stream keeper's
OPENING_WAIT_SECONDS), so the two run concurrently: a hang-up waits for the slower one, not for both
in turn. One that fails to stop is logged and keeps neither the other nor the hang-up from finishing.
"""

from __future__ import annotations

import asyncio
import logging

from desktop.audio import AudioInput, AudioOutput

log = logging.getLogger(__name__)


async def stop_audio(audio_in: AudioInput, audio_out: AudioOutput) -> None:
    outcomes = await asyncio.gather(audio_in.stop(), audio_out.stop(), return_exceptions=True)
    for part, outcome in zip(("microphone", "speaker"), outcomes, strict=True):
        if isinstance(outcome, Exception):
            log.warning("The %s did not stop cleanly", part, exc_info=outcome)
