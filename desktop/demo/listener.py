"""The input side of a call: received audio frames, the server VAD, and committing user turns.

There is no speech recognition: a committed turn "said" whatever the server's transcript queue holds
(or the demo script). Transcription events are sent only when the session asked for transcription.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from desktop.audio import pcm
from desktop.demo import dialect as d
from desktop.demo.ids import new_id
from desktop.demo.vad import VoiceActivityDetector, VoiceOffset, VoiceOnset

if TYPE_CHECKING:
    from desktop.demo.call import ServerCall

MIN_COMMIT_MS = 100
LATE_TRANSCRIPTION_FALLBACK_S = 1.0  # a late transcription still arrives when no response follows
TRANSCRIPT_DELTA_CHARS = 6


def mono(frame: av.AudioFrame) -> bytes:
    return pcm.to_mono(pcm.from_frame(frame), len(frame.layout.channels))


class Listener:
    def __init__(self, call: ServerCall) -> None:
        self.call = call
        self.position_ms = 0  # audio received since the call began
        self.buffered_ms = 0  # audio in the input buffer since the last clear/commit
        self._vad: VoiceActivityDetector | None = None
        self._vad_config: dict[str, Any] | None = None
        self._speech_item_id = ""

    async def run(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            assert isinstance(frame, av.AudioFrame)
            samples = mono(frame)
            self.call.audio_received(samples)
            start = self.position_ms
            self.position_ms += frame.samples * 1000 // (frame.sample_rate or 48000)
            self.buffered_ms += self.position_ms - start
            self.detect(samples, start)

    def detect(self, samples: bytes, start_ms: int) -> None:
        config = d.turn_detection(self.call.session_config)
        if config is None:
            self._vad = self._vad_config = None
            return
        if self._vad is None or config is not self._vad_config:
            self._vad, self._vad_config = VoiceActivityDetector(config), config
        event = self._vad.feed(samples, start_ms, self.position_ms)
        if isinstance(event, VoiceOnset):
            self.speech_started(event, config)
        elif isinstance(event, VoiceOffset):
            self.speech_stopped(event, config)

    def speech_started(self, event: VoiceOnset, config: dict[str, Any]) -> None:
        self._speech_item_id = new_id("item_")
        self.buffered_ms = self.position_ms - event.audio_start_ms
        self.call.send(
            {
                "type": "input_audio_buffer.speech_started",
                "audio_start_ms": event.audio_start_ms,
                "item_id": self._speech_item_id,
            }
        )
        if not config.get("interrupt_response", True):
            return
        if not self.call.cancel_response("turn_detected") and self.call.track.clear():
            self.call.send({"type": "output_audio_buffer.cleared"})

    def speech_stopped(self, event: VoiceOffset, config: dict[str, Any]) -> None:
        self.call.send(
            {
                "type": "input_audio_buffer.speech_stopped",
                "audio_end_ms": event.audio_end_ms,
                "item_id": self._speech_item_id,
            }
        )
        self.commit(self._speech_item_id)
        if config.get("create_response", True) and self.call.response is None:
            self.call.start_response()

    def clear(self) -> None:
        self.buffered_ms = 0
        self.call.send({"type": "input_audio_buffer.cleared"})

    def commit_requested(self, event_id: str | None) -> None:
        """The client's `input_audio_buffer.commit` (push-to-talk)."""
        if self.buffered_ms < MIN_COMMIT_MS:
            self.call.send_error(
                "input_audio_buffer_commit_empty",
                "Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, "
                f"but buffer only has {self.buffered_ms:.2f}ms of audio.",
                event_id=event_id,
            )
            return
        self.commit(new_id("item_"))

    def commit(self, item_id: str) -> None:
        self.buffered_ms = 0
        text = self.call.owner.next_user_transcript()
        previous = self.call.items[-1]["id"] if self.call.items else None
        self.call.send(
            {"type": "input_audio_buffer.committed", "previous_item_id": previous, "item_id": item_id}
        )
        item = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "status": "completed",
            "role": "user",
            "content": [{"type": "input_audio", "transcript": text}],
        }
        announced = item | {"content": [{"type": "input_audio", "transcript": None}]}
        self.call.add_conversation_item(item, announced=announced)
        if d.transcription(self.call.session_config) is None:
            return
        if self.call.owner.faults.late_transcription:
            self.call.defer_transcription(lambda: self.transcribe(item_id, text))
            self.call.spawn(self._flush_late_transcriptions())
        else:
            self.transcribe(item_id, text)

    async def _flush_late_transcriptions(self) -> None:
        await asyncio.sleep(LATE_TRANSCRIPTION_FALLBACK_S)
        self.call.flush_late_transcriptions()

    def transcribe(self, item_id: str, text: str) -> None:
        event = {"item_id": item_id, "content_index": 0}
        if self.call.owner.faults.transcription_failed:
            error = {
                "type": "transcription_error",
                "code": "audio_unintelligible",
                "message": "The audio could not be transcribed.",
                "param": None,
            }
            self.call.send(
                {"type": "conversation.item.input_audio_transcription.failed", **event, "error": error}
            )
            return
        for start in range(0, len(text), TRANSCRIPT_DELTA_CHARS):
            delta = text[start : start + TRANSCRIPT_DELTA_CHARS]
            self.call.send(
                {"type": "conversation.item.input_audio_transcription.delta", **event, "delta": delta}
            )
        self.call.send(
            {"type": "conversation.item.input_audio_transcription.completed", **event, "transcript": text}
        )
