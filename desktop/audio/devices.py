"""Sound devices as PortAudio sees them: listing, lookup by name, the system default.

On Linux with PulseAudio or PipeWire, PortAudio reaches the sound server through ALSA's `pulse` and
`default` devices; the server's own default (and its moving of streams between devices) then applies.
Every failure becomes `AudioUnavailable` carrying one sentence for the person at the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Literal

Kind = Literal["input", "output"]

_NOUN = {"input": "microphone", "output": "speaker"}


class AudioUnavailable(Exception):
    """The sound device cannot be used; `str()` is a sentence fit for the user."""


@dataclass(frozen=True)
class Device:
    name: str
    index: int
    is_default: bool
    max_channels: int
    default_rate: float


def sounddevice() -> ModuleType:
    """The sounddevice module, or AudioUnavailable when the PortAudio library itself is missing."""
    try:
        import sounddevice as sd
    except OSError as error:  # sounddevice raises OSError when libportaudio cannot be loaded
        raise AudioUnavailable(
            "The sound system could not be started because PortAudio is not installed."
        ) from error
    except ImportError as error:
        raise AudioUnavailable(
            "The sound system could not be started because the sounddevice package is missing."
        ) from error
    return sd


def list_devices(kind: Kind) -> list[Device]:
    sd = sounddevice()
    channels_key = f"max_{kind}_channels"
    try:
        found = sd.query_devices()
        default = _default_index(sd, kind)
    except sd.PortAudioError as error:
        raise AudioUnavailable(f"The list of sound devices could not be read ({error}).") from error
    return [
        Device(
            name=str(info["name"]),
            index=int(info["index"]),
            is_default=int(info["index"]) == default,
            max_channels=int(info[channels_key]),
            default_rate=float(info["default_samplerate"]),
        )
        for info in found
        if int(info[channels_key]) > 0
    ]


def resolve(kind: Kind, name: str | None) -> Device:
    """The named device, or the system default when no name was chosen."""
    devices = list_devices(kind)
    if not devices:
        raise AudioUnavailable(f"No {_NOUN[kind]} was found.")
    if name is None:
        return next((d for d in devices if d.is_default), devices[0])
    for device in devices:
        if device.name == name:
            return device
    raise AudioUnavailable(f"The {_NOUN[kind]} “{name}” is not connected.")


def _default_index(sd: ModuleType, kind: Kind) -> int:
    index = int(sd.default.device[0 if kind == "input" else 1])
    if index >= 0:
        return index
    try:
        return int(sd.query_devices(kind=kind)["index"])
    except sd.PortAudioError:
        return -1
