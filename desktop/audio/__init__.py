"""Product audio: sound devices, microphone, speaker, echo processing and levels, and the changes the
app makes to aiortc (`aiortc_patches`, installed once at start-up). PortAudio callbacks only copy bytes.

Other packages import only the names below; modules inside the package import each other directly.
"""

from typing import TYPE_CHECKING

from desktop import lazy_exports

if TYPE_CHECKING:
    from desktop.audio import aiortc_patches, canceller, devices, pcm
    from desktop.audio.block_track import BLOCK_FRAMES, BLOCK_SECONDS, SAMPLE_RATE, SILENCE, OpusBlockTrack
    from desktop.audio.devices import AudioUnavailable, list_devices, sounddevice
    from desktop.audio.echo import FRAME_SECONDS, PlayedChunk, audio_processing_module, make_processor
    from desktop.audio.microphone import Microphone
    from desktop.audio.notices import CONTEXT, Notice
    from desktop.audio.ports import AudioInput, AudioOutput, ProblemHandler
    from desktop.audio.push_tracks import Following, follow
    from desktop.audio.speaker import Speaker
    from desktop.audio.stream_keeper import Stream
    from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
    from desktop.audio.track_fanout import TrackFanout

__all__ = [
    "BLOCK_FRAMES",
    "BLOCK_SECONDS",
    "CONTEXT",
    "FRAME_SECONDS",
    "SAMPLE_RATE",
    "SILENCE",
    "AudioInput",
    "AudioOutput",
    "AudioUnavailable",
    "Following",
    "Microphone",
    "Notice",
    "OpusBlockTrack",
    "PlayedChunk",
    "ProblemHandler",
    "RecordingSpeaker",
    "Speaker",
    "Stream",
    "SyntheticMicrophone",
    "TrackFanout",
    "aiortc_patches",
    "audio_processing_module",
    "canceller",
    "devices",
    "follow",
    "list_devices",
    "make_processor",
    "pcm",
    "sounddevice",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "block_track": (
            "BLOCK_FRAMES",
            "BLOCK_SECONDS",
            "OpusBlockTrack",
            "SAMPLE_RATE",
            "SILENCE",
        ),
        "devices": (
            "AudioUnavailable",
            "list_devices",
            "sounddevice",
        ),
        "echo": (
            "FRAME_SECONDS",
            "PlayedChunk",
            "audio_processing_module",
            "make_processor",
        ),
        "microphone": ("Microphone",),
        "notices": (
            "CONTEXT",
            "Notice",
        ),
        "ports": (
            "AudioInput",
            "AudioOutput",
            "ProblemHandler",
        ),
        "push_tracks": (
            "Following",
            "follow",
        ),
        "speaker": ("Speaker",),
        "stream_keeper": ("Stream",),
        "synthetic": (
            "RecordingSpeaker",
            "SyntheticMicrophone",
        ),
        "track_fanout": ("TrackFanout",),
    },
)
