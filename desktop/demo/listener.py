"""The input side of a call: received audio frames, the server VAD, and committing user turns.

Audio arrives as 48 kHz RTP frames, or as a WebSocket's base64 PCM16 at 24 kHz in
`input_audio_buffer.append`; the latter is cut into 20 ms frames and raised to 48 kHz so the VAD and
the `on_audio_received` hook see the same frames whichever transport carried them.

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
WIRE_RATE = 24000  # a WebSocket's input_audio_buffer.append: PCM16 mono at 24 kHz
WIRE_FRAME_BYTES = WIRE_RATE // 50 * pcm.WIDTH  # 20 ms


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
        self._appended = b""  # a WebSocket's audio short of a whole 20 ms frame
        self._upsampler: av.AudioResampler | None = None

    async def run(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            assert isinstance(frame, av.AudioFrame)
            self.hear(mono(frame), frame.samples * 1000 // (frame.sample_rate or 48000))

    def hear(self, samples: bytes, duration_ms: int) -> None:
        """One received frame (mono s16 at 48 kHz): counted, shown to the hook, fed to the VAD."""
        self.call.audio_received(samples)
        start = self.position_ms
        self.position_ms += duration_ms
        self.buffered_ms += duration_ms
        self.detect(samples, start)

    def append(self, wire_pcm: bytes) -> None:
        """A WebSocket's `input_audio_buffer.append`: PCM16 at 24 kHz, heard in 20 ms frames."""
        self._appended += wire_pcm
        whole = len(self._appended) // WIRE_FRAME_BYTES * WIRE_FRAME_BYTES
        for at in range(0, whole, WIRE_FRAME_BYTES):
            self._hear_wire(self._appended[at : at + WIRE_FRAME_BYTES])
        self._appended = self._appended[whole:]

    def flush_appended(self) -> None:
        """Hears the last part-frame now (a commit counts every appended sample)."""
        tail, self._appended = self._appended[: len(self._appended) // pcm.WIDTH * pcm.WIDTH], b""
        if tail:
            self._hear_wire(tail)

    def _hear_wire(self, frame: bytes) -> None:
        if self._upsampler is None:  # one resampler for the call: its filter runs across frame edges
            self._upsampler = av.AudioResampler(format="s16", layout="mono", rate=pcm.RATE)
        raised = b"".join(pcm.from_frame(f) for f in self._upsampler.resample(pcm.to_frame(frame, WIRE_RATE)))
        self.hear(raised, pcm.sample_count(frame) * 1000 // WIRE_RATE)

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
        self._appended = b""
        self.call.send({"type": "input_audio_buffer.cleared"})

    def commit_requested(self, event_id: str | None) -> None:
        """The client's `input_audio_buffer.commit` (push-to-talk)."""
        self.flush_appended()
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
