"""A private PulseAudio daemon with null sinks as a virtual microphone and speaker (tests, benchmarks).

`vmic` is the default source, fed with `paplay --device=vmic_sink`; `vspeaker` is the default sink,
recorded from `vspeaker.monitor`. PortAudio reaches them through ALSA's `pulse`/`default` devices.
A null sink with no low-latency client renders in long blocks, so every stream opened (or restarted
after an underrun) on it stalled for 1-2 s; a low-latency recorder on each monitor keeps both sinks
awake. `PULSE_LATENCY_MSEC=20` (the shared notes' value) made playback underrun on two busy cores;
60 ms played steadily.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

MODULES = (  # the descriptions are what a desktop's sound settings (and our device list) show
    "module-null-sink sink_name=vspeaker rate=48000 channels=2 "
    "sink_properties='device.description=\"Virtual Speaker\"'",
    "module-null-sink sink_name=vmic_sink rate=48000 channels=1 "
    "sink_properties='device.description=\"Virtual Microphone Feed\"'",
    "module-remap-source master=vmic_sink.monitor source_name=vmic rate=48000 channels=1 "
    "source_properties='device.description=\"Virtual Microphone\"'",
)
TOOLS = ("pulseaudio", "pactl", "paplay", "parec")
PROCESS_ENV = ("XDG_RUNTIME_DIR", "PULSE_LATENCY_MSEC")


def missing_tool() -> str | None:
    return next((tool for tool in TOOLS if shutil.which(tool) is None), None)


class VirtualAudio:
    def __init__(self, runtime_dir: Path) -> None:
        self.runtime_dir = runtime_dir
        self.env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime_dir), "PULSE_LATENCY_MSEC": "60"}
        self._wakers: list[subprocess.Popen[bytes]] = []

    def pactl(self, *args: str) -> str:
        done = subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10)
        return done.stdout

    def unplug(self) -> None:
        """Unload every virtual device: open streams die, as with a pulled USB headset."""
        for line in reversed(self.pactl("list", "short", "modules").splitlines()):
            if "null-sink" in line or "remap-source" in line or "loopback" in line:
                self.pactl("unload-module", line.split()[0])
        self._stop_wakers()

    def unplug_device(self, name: str) -> None:
        """Unload the one sink or source called `name` (and what is built on it): its streams are
        moved to another device by the server or, with none left, die."""
        for line in reversed(self.pactl("list", "short", "modules").splitlines()):
            if f"sink_name={name} " in line or f"source_name={name} " in line or f"master={name}." in line:
                self.pactl("unload-module", line.split()[0])

    def plug(self) -> None:
        loaded = self.pactl("list", "short", "modules")
        for module in MODULES:
            if module.split()[1] not in loaded:
                self.pactl("load-module", *module.split(" ", 1))  # pactl joins the arguments again
        self.pactl("set-default-sink", "vspeaker")
        self.pactl("set-default-source", "vmic")
        self._stop_wakers()
        for monitor in ("vspeaker.monitor", "vmic_sink.monitor"):
            command = ["parec", f"--device={monitor}", "--latency-msec=10", "--raw"]
            self._wakers.append(subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL))

    def _stop_wakers(self) -> None:
        for waker in self._wakers:
            waker.terminate()
            waker.wait(timeout=5)
        self._wakers.clear()

    def play_into_mic(self, wav: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen(["paplay", "--device=vmic_sink", str(wav)], env=self.env)

    @contextlib.contextmanager
    def playing_into_mic(self, write_wav: Callable[[Path], Path]) -> Iterator[None]:
        """The WAV file `write_wav` makes in a temporary folder (given the folder), played into the
        virtual microphone and stopped on leaving."""
        with tempfile.TemporaryDirectory() as folder:
            player = self.play_into_mic(write_wav(Path(folder)))
            try:
                yield
            finally:
                player.kill()
                player.wait()

    def record_speaker(self, seconds: float) -> bytes:
        """Mono s16 48 kHz: the next `seconds` of what reaches the virtual speaker (blocks; a recorder
        can take a second or two to start, so this counts bytes rather than watching the clock)."""
        command = ["parec", "--device=vspeaker.monitor", "--rate=48000", "--channels=1",
                   "--format=s16le", "--raw", "--latency-msec=20"]  # fmt: skip
        recorder = subprocess.Popen(command, env=self.env, stdout=subprocess.PIPE)
        give_up = threading.Timer(seconds + 10, recorder.kill)
        give_up.start()
        try:
            assert recorder.stdout is not None
            return recorder.stdout.read(int(seconds * 48000) * 2)
        finally:
            give_up.cancel()
            recorder.kill()
            recorder.wait(timeout=10)


@contextlib.contextmanager
def virtual_audio() -> Iterator[VirtualAudio]:
    """Start the daemon, point this process at it, and stop it (by its PID) afterwards."""
    runtime_dir = Path(tempfile.mkdtemp(prefix="pulse-virtual-"))
    audio = VirtualAudio(runtime_dir)
    loads = [f"--load={m}" for m in ("module-native-protocol-unix", *MODULES)]
    command = ["pulseaudio", "-D", "--exit-idle-time=-1", "--system=false", "-n", *loads]
    subprocess.run(command, env=audio.env, check=True, capture_output=True, timeout=20)
    saved = {key: os.environ.get(key) for key in PROCESS_ENV}
    os.environ.update({key: audio.env[key] for key in PROCESS_ENV})
    try:
        audio.plug()
        yield audio
    finally:
        audio.unplug()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        pid_file = runtime_dir / "pulse" / "pid"
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)
        shutil.rmtree(runtime_dir, ignore_errors=True)
