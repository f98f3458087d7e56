"""Product audio: sound devices, microphone, speaker, echo processing and levels, and the changes the
app makes to aiortc (`aiortc_patches`, installed once at start-up). PortAudio callbacks only copy bytes.

Other packages import only the names below; modules inside the package import each other directly.
"""

from typing import TYPE_CHECKING

from desktop import lazy_exports

if TYPE_CHECKING:
    from desktop.audio import aiortc_patches, canceller, pcm
    from desktop.audio.devices import AudioUnavailable, list_devices, portaudio_version
    from desktop.audio.echo import make_processor
    from desktop.audio.microphone import Microphone
    from desktop.audio.notices import CONTEXT, Notice
    from desktop.audio.ports import AudioInput, AudioOutput, ProblemHandler
    from desktop.audio.speaker import Speaker
    from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
    from desktop.audio.track_fanout import TrackFanout

__all__ = [
    "CONTEXT",
    "AudioInput",
    "AudioOutput",
    "AudioUnavailable",
    "Microphone",
    "Notice",
    "ProblemHandler",
    "RecordingSpeaker",
    "Speaker",
    "SyntheticMicrophone",
    "TrackFanout",
    "aiortc_patches",
    "canceller",
    "list_devices",
    "make_processor",
    "pcm",
    "portaudio_version",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "devices": (
            "AudioUnavailable",
            "list_devices",
            "portaudio_version",
        ),
        "echo": ("make_processor",),
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
        "speaker": ("Speaker",),
        "synthetic": (
            "RecordingSpeaker",
            "SyntheticMicrophone",
        ),
        "track_fanout": ("TrackFanout",),
    },
)
