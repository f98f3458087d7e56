"""`voice-assistant --self-test`: one whole conversation in the real window, offscreen, then exit.

The window, controller, session factory and tools are the app's own (`desktop.app.composition.Root`, the same
objects `desktop.app.launch` runs); only the sound devices are synthetic (a paced microphone and a speaker
that records what it hears), so it passes on a machine without a sound card. Everything it touches is
private to this run: a temporary data folder (calendar, knowledge index, log), a temporary settings
file and keyring's null backend, so neither the person's calendar nor their keychain is read or
written. The conversation: connect to the built-in demo server, hear the greeting, ask (with a tone:
the demo server's voice detection hears energy, and its script "hears" the booking request) for a
meeting, confirm the real meeting dialog as a person would, and find the meeting in the calendar
store and in the calendar pane.

With VOICE_ASSISTANT_MEMORY_PROBE=<seconds> it also prints `rss-idle <MB>` (connected, nobody
talking) and `rss-after-call <MB>` (after that many more seconds of conversation), for
`python -m benchmarks`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.session import SessionState
from desktop.storage import DATA_DIR_ENV

if TYPE_CHECKING:
    from desktop.app.composition import Root
    from desktop.audio import RecordingSpeaker, SyntheticMicrophone
    from desktop.settings import Preferences
    from desktop.ui import MeetingDialog

PROBE_ENV = "VOICE_ASSISTANT_MEMORY_PROBE"
STEP_LIMIT_S = 30.0  # generous: a cold start of the packaged app on a busy CI machine
GREETING_HEARD_S = 1.0  # of audible speech before the person speaks up (and cuts the greeting short)
IDLE_S = 3.0
ASK_EVERY_S = 8.0  # during the memory probe: a new request this often, so audio flows both ways


class SelfTestFailed(Exception):
    """Which step did not happen, as one sentence."""


class SyntheticDevices:
    """The session factory's audio factory: a synthetic pair for each call; the last pair stays reachable."""

    def __init__(self) -> None:
        self.microphone: SyntheticMicrophone | None = None
        self.speaker: RecordingSpeaker | None = None

    def __call__(self, _prefs: Preferences) -> tuple[SyntheticMicrophone, RecordingSpeaker]:
        from desktop.audio import RecordingSpeaker, SyntheticMicrophone

        self.microphone, self.speaker = SyntheticMicrophone(), RecordingSpeaker()
        return self.microphone, self.speaker

    def pair(self) -> tuple[SyntheticMicrophone, RecordingSpeaker]:
        if self.microphone is None or self.speaker is None:
            raise SelfTestFailed("the call opened no audio devices")
        return self.microphone, self.speaker


def self_test_main() -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt loads: nothing appears on the screen
    folder = Path(tempfile.mkdtemp(prefix="voice-assistant-self-test-"))
    os.environ[DATA_DIR_ENV] = str(folder)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"  # never the person's keychain
    started = time.perf_counter()
    try:
        summary = _run_app(folder)
    except Exception as failure:  # whatever it is, it is the answer: one line, details in the log
        reason = str(failure) if isinstance(failure, SelfTestFailed) else f"the app failed: {failure!r}"
        print(f"self-test failed: {reason} (log: {folder / 'voice-assistant.log'})", file=sys.stderr)
        return 1
    print(f"self-test passed: {summary}, {time.perf_counter() - started:.1f} s", flush=True)
    shutil.rmtree(folder, ignore_errors=True)
    return 0


def _run_app(folder: Path) -> str:
    """Builds the app as `desktop.app.launch.run_window` does, with a private settings file and
    synthetic audio."""
    from PySide6.QtCore import QLocale, QSettings
    from PySide6.QtWidgets import QApplication

    from desktop.app.composition import Root
    from desktop.app.launch import GuiThreadCollector, install_translators
    from desktop.app.log_file import start_log_file
    from desktop.app.session_factory import AppSessionFactory
    from desktop.ui import BatchingQEventLoop, MainWindow

    start_log_file(folder, console=False)  # the app's own log set-up, in the private folder
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    install_translators(app, QLocale.system())
    window = MainWindow()
    window.show()
    store = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    devices = SyntheticDevices()
    # No environment overrides: a VOICE_ASSISTANT_PROVIDER in the shell must not redirect the test.
    root = Root(app, window, store, AppSessionFactory(audio=devices, environ={}))
    GuiThreadCollector(app)
    loop = BatchingQEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return loop.run_until_complete(_alongside(root, devices))


async def _alongside(root: Root, devices: SyntheticDevices) -> str:
    """Runs the app's root and the conversation side by side; the app always shuts down in order."""
    app_run = asyncio.ensure_future(root.run())
    try:
        return await ScriptedConversation(root, devices, app_run).run(_probe_seconds())
    finally:
        root.quit_requested.set()
        await app_run


def _probe_seconds() -> float | None:
    raw = os.environ.get(PROBE_ENV, "").strip()
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise SelfTestFailed(f"{PROBE_ENV} must be a number of seconds, not '{raw}'") from None


def visible_dialogs(root: Root) -> list[MeetingDialog]:
    from desktop.ui import MeetingDialog

    return [dialog for dialog in root.window.findChildren(MeetingDialog) if dialog.isVisible()]


def rss_mb() -> float:
    """This process's resident memory in MB (10^6 bytes)."""
    try:
        import psutil
    except ImportError:  # psutil is a test dependency only; Linux tells without it
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    return float(psutil.Process().memory_info().rss) / 1e6


def native_audio() -> str:
    """Loads what a call with real devices needs besides the media stack: PortAudio and the echo
    canceller (a bundle must carry both; a source install may go without the canceller, the optional
    `echo` extra, and says so). A machine without a sound card simply lists no devices."""
    from desktop.audio import canceller, list_devices, portaudio_version

    try:
        version = portaudio_version()
        microphones = len(list_devices("input"))
        if not canceller.installed() and not getattr(sys, "frozen", False):
            return f"{version} ({microphones} microphones), no echo canceller (half duplex on speakers)"
        from aec_audio_processing import AudioProcessor

        AudioProcessor(enable_aec=True, enable_ns=True, enable_agc=False, enable_vad=False)
    except Exception as error:  # PortAudio or the canceller missing or broken: the reason is the point
        raise SelfTestFailed(f"the sound system did not load: {error}") from error
    return f"{version} ({microphones} microphones) and the echo canceller loaded"


def tone(seconds: float) -> bytes:
    """A 440 Hz tone (mono s16 48 kHz), well above the demo server's voice-detection threshold."""
    from desktop.audio import pcm  # the media stack loads after the window, as in the app

    return pcm.tone(440, seconds, 0.3)


class ScriptedConversation:
    """The steps a person takes, each waiting for what the person would see or hear."""

    def __init__(self, root: Root, devices: SyntheticDevices, app_run: asyncio.Future[int]) -> None:
        self.root = root
        self.devices = devices
        self.app_run = app_run

    async def run(self, probe_seconds: float | None) -> str:
        await self.until(
            lambda: self.root.session_factory.tools is not None, "the calendar and tools did not open"
        )
        await self.until(self.root.window.notice.isVisible, "the demo notice (no API key) was not shown")
        sound = await asyncio.get_running_loop().run_in_executor(None, native_audio)
        connect_ms = await self.connect()
        microphone, speaker = self.devices.pair()
        await self.until(lambda: speaker.audible_seconds >= GREETING_HEARD_S, "no greeting was heard")
        await self.until(self.root.window.transcript.bubble_texts, "the greeting's words were not shown")
        if probe_seconds is not None:
            await self.idle()
            print(f"rss-idle {rss_mb():.0f}", flush=True)
        title, start = await self.book(microphone, speaker)
        if probe_seconds is not None:
            await self.keep_talking(microphone, probe_seconds)
            print(f"rss-after-call {rss_mb():.0f}", flush=True)
        return (
            f"{sound}; connected in {connect_ms:.0f} ms, greeting heard, meeting '{title}' booked for "
            f"{start} and confirmed aloud"
        )

    async def until(self, condition: Callable[[], object], failure: str, limit: float = STEP_LIMIT_S) -> None:
        """Polls what the window shows (widget state has no event to await); a failed call or a
        stopped app ends the wait at once, with the sentence the window shows or the app's error."""
        deadline = time.monotonic() + limit
        while not condition():
            if self.app_run.done():
                error = None if self.app_run.cancelled() else self.app_run.exception()
                raise SelfTestFailed(f"{failure}: the app stopped ({error!r})")
            if self.root.controller.state is SessionState.FAILED:
                shown = self.root.window.banner.message.text()
                raise SelfTestFailed(f"{failure}: {shown or 'the call failed'}")
            if time.monotonic() > deadline:
                raise SelfTestFailed(f"{failure} within {limit:.0f} s")
            await asyncio.sleep(0.02)

    async def connect(self) -> float:
        """Clicks Start, as a person does; returns the milliseconds until the assistant is ready.
        The demo server is started first so that the figure is the connection alone."""
        await self.root.session_factory.demo_endpoint()
        started = time.perf_counter()
        self.root.window.start.click()
        ready = (SessionState.READY, SessionState.LISTENING, SessionState.ASSISTANT_SPEAKING)
        await self.until(lambda: self.root.controller.state in ready, "the call did not connect")
        return (time.perf_counter() - started) * 1000

    async def idle(self) -> None:
        """Waits for the greeting to end, then a few quiet seconds: the call is up, nobody talks."""
        listening = (SessionState.LISTENING, SessionState.READY)
        await self.until(lambda: self.root.controller.state in listening, "the greeting did not end")
        await asyncio.sleep(IDLE_S)

    async def book(self, microphone: SyntheticMicrophone, speaker: RecordingSpeaker) -> tuple[str, str]:
        """Asks for the meeting, confirms the dialog unchanged, finds the meeting stored and shown,
        and hears the assistant say it is booked."""
        microphone.say(tone(0.8))
        await self.until(lambda: visible_dialogs(self.root), "the assistant did not ask to confirm a meeting")
        dialog = visible_dialogs(self.root)[0]
        values = dialog.values()
        heard_before = speaker.audible_seconds
        dialog.accept_button.click()
        title, start = str(values["title"]), str(values["start_time"])[:16]
        pane, toolbox = self.root.pane, self.root.toolbox
        assert pane is not None and toolbox is not None  # the tools are open: checked first
        await self.until(
            lambda: any(meeting.title == title for meeting in pane.meetings()),
            f"the meeting '{title}' did not appear in the calendar pane",
        )
        stored = await toolbox.meeting_worker.run(toolbox.store.all)
        if not any(meeting.title == title for meeting in stored):
            raise SelfTestFailed(f"the confirmed meeting '{title}' is not in the calendar store")
        await self.until(
            lambda: speaker.audible_seconds >= heard_before + 0.5, "the assistant did not confirm the booking"
        )
        return title, start

    async def keep_talking(self, microphone: SyntheticMicrophone, seconds: float) -> None:
        """The call goes on: a request every few seconds, each declined in its dialog, so the
        assistant answers with speech and audio flows both ways."""
        end = time.monotonic() + seconds
        asked = 0.0
        while (now := time.monotonic()) < end:
            if now - asked >= ASK_EVERY_S:
                microphone.say(tone(0.8))
                asked = now
            for dialog in visible_dialogs(self.root):
                dialog.reject_button.click()
            await asyncio.sleep(0.1)
