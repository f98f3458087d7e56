"""Sound devices as PortAudio sees them: listing, lookup by name, the system default.

On Linux with PulseAudio or PipeWire, PortAudio (19.6, its ALSA host API) reaches the sound server
through ALSA's `pulse` and `default` devices only; the cards it also lists as `hw:` are held by the
server and mostly refuse to open. So the server's own devices are listed too, by their description
(what the desktop's sound settings show), and one is opened through `pulse` with `PULSE_SINK` or
`PULSE_SOURCE` naming it: libpulse reads them (in C, without the GIL) each time a stream opens, so
the variable is set and the stream opened and started under one lock, `ROUTING`. The server's device
list is live (`pactl`), unlike PortAudio's, which is a snapshot taken when PortAudio started: a
server device unplugged and plugged back is found again during the call.
Every failure becomes `AudioUnavailable` carrying one sentence for the person at the window.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from types import ModuleType

from desktop.audio.notices import Kind as Kind
from desktop.audio.notices import notice

_SERVER_KIND = {"input": "sources", "output": "sinks"}
_ROUTE_VARIABLE = {"input": "PULSE_SOURCE", "output": "PULSE_SINK"}
_PERSON_ROUTE = {kind: os.environ.get(name) for kind, name in _ROUTE_VARIABLE.items()}
# Held from `resolve` until the stream has started (StreamKeeper does): the microphone and the speaker
# open theirs at the same time in two threads, and setenv is not safe against libpulse's getenv.
ROUTING = threading.Lock()


class AudioUnavailable(Exception):
    """The sound device cannot be used; `str()` is a sentence fit for the user, and `sentence` the same
    as a `Notice` where the interface can translate it."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


@dataclass(frozen=True)
class Device:
    name: str
    index: int
    is_default: bool
    max_channels: int
    default_rate: float
    server_name: str = ""  # the sound server's name for it, when it is reached through `pulse`


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


def portaudio_version() -> str:
    """PortAudio's version as it names itself ("PortAudio V19.6.0-devel"), or AudioUnavailable."""
    return str(sounddevice().get_portaudio_version()[1]).split(",")[0]


def list_devices(kind: Kind) -> list[Device]:
    """The sound server's devices (when PortAudio reaches one through `pulse`), then PortAudio's."""
    own = _portaudio_devices(kind)
    pulse = next((d for d in own if d.name == "pulse"), None)
    if pulse is None:
        return own
    served = [
        Device(name, pulse.index, False, pulse.max_channels, pulse.default_rate, server_name)
        for server_name, name in _server_devices(kind) or ()
    ]
    return served + own


def _portaudio_devices(kind: Kind) -> list[Device]:
    """PortAudio's own devices (its snapshot: no sound server asked)."""
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
    """The named device, or the system default when no name was chosen; a stream opened and started
    right after this, with ROUTING held throughout, goes to it: for a sound server device, `pulse` is
    pointed at it. The system default is PortAudio's own default device when it has one: the sound
    server is not asked (`pactl`), which keeps the default devices' opening cheap during a connect."""
    devices = _portaudio_devices(kind) if name is None else []
    if not any(device.is_default for device in devices):
        devices = list_devices(kind)
    if not devices:
        raise AudioUnavailable(notice(kind, "missing"))
    device = lookup(devices, name)
    if device is None:
        raise AudioUnavailable(notice(kind, "missing", name))
    _route(kind, device.server_name or _PERSON_ROUTE[kind])
    return device


def lookup(devices: list[Device], name: str | None) -> Device | None:
    """The device of that name, or the default one for no name."""
    if name is None:
        return next((d for d in devices if d.is_default), devices[0] if devices else None)
    return next((d for d in devices if d.name == name), None)


def present(kind: Kind, device: Device) -> bool | None:
    """Whether the sound server lists its device now (its short list, cheap enough to repeat every few
    seconds: docs/measurements.md, Audio path); None when the server could not say (`pactl` failed or
    timed out), which is not the same as an unplugged device."""
    listed = _server_devices(kind, short=True)
    return None if listed is None else device.server_name in (name for name, _ in listed)


def _route(kind: Kind, server_name: str | None) -> None:
    variable = _ROUTE_VARIABLE[kind]
    if server_name:
        os.environ[variable] = server_name
    else:
        os.environ.pop(variable, None)


def _server_devices(kind: Kind, short: bool = False) -> list[tuple[str, str]] | None:
    """(server name, description) of the sound server's sinks or sources, monitors left out; none
    when there is no `pactl`, None when it failed. `short` skips the descriptions (the name stands in)."""
    if shutil.which("pactl") is None:
        return []
    command = ["pactl", "list", "short" if short else "", _SERVER_KIND[kind]]
    try:
        listing = subprocess.run(
            [word for word in command if word], capture_output=True, text=True, timeout=5,
            env={**os.environ, "LC_ALL": "C"},
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    if listing.returncode != 0:
        return None
    if short:
        names = (line.split("\t")[1] for line in listing.stdout.splitlines() if "\t" in line)
        return [(name, name) for name in names if not name.endswith(".monitor")]
    return _described(listing.stdout)


def _described(listing: str) -> list[tuple[str, str]]:
    """Parses `pactl list sinks|sources`: one block per device with `Name:` and `Description:`."""
    devices: list[tuple[str, str]] = []
    seen: set[str] = set()
    for block in listing.split("\n\n"):
        own_lines = (line[1:] for line in block.splitlines() if line[:1] == "\t" and line[1:2] != "\t")
        fields = dict(line.split(": ", 1) for line in own_lines if ": " in line)  # not properties, ports
        name, description = fields.get("Name", ""), fields.get("Description", "")
        if not name or fields.get("Monitor of Sink", "n/a") != "n/a":
            continue
        shown = description if description and description not in seen else f"{description} ({name})"
        seen.add(shown)
        devices.append((name, shown))
    return devices


def _default_index(sd: ModuleType, kind: Kind) -> int:
    index = int(sd.default.device[0 if kind == "input" else 1])
    if index >= 0:
        return index
    try:
        return int(sd.query_devices(kind=kind)["index"])
    except sd.PortAudioError:
        return -1
