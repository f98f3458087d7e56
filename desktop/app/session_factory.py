"""How the window's controller gets its sessions: configuration, audio, tools, the demo server.

Everything heavy (aiortc, av, aiohttp, sounddevice, the session) is imported here on first use, and
`preload` imports it on a worker thread right after the window is shown, and `start_audio` starts
PortAudio there once the tools are open, so launching stays quick, the GUI thread never waits for an
import and the first call does not wait for PortAudio. aiortc's patches (desktop/audio/aiortc_patches)
are installed there once, first; a configuration waits for them, so no call or check starts before
they are in.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import logging
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from desktop.realtime import ProviderKind, SessionConfig, transport_override
from desktop.settings import KeyStore, Preferences, Target, resolve_target, session_config
from desktop.ui import SessionHandle

if TYPE_CHECKING:
    from desktop.audio import AudioInput, AudioOutput, ProblemHandler
    from desktop.demo import DemoServerThread
    from desktop.session import ConnectionFactory, ReconnectPolicy
    from desktop.storage import TransportMemory
    from desktop.tools import Embedder, FallbackReason, ToolExecutor

log = logging.getLogger(__name__)

AudioFactory = Callable[[Preferences], "tuple[AudioInput, AudioOutput]"]
_HEAVY_MODULES = (
    "desktop.session.voice_session",
    "desktop.app.connection_check",
    "desktop.demo.thread",
    "desktop.audio.devices",
    "desktop.audio.microphone",  # the first call's devices are made on the GUI thread: not their imports
    "desktop.audio.speaker",
    "desktop.tools.toolbox",
    "desktop.ui.calendar_pane",
    "desktop.ui.qt_confirmer",
    "desktop.ui.settings_dialog",
)


def device_audio(prefs: Preferences) -> tuple[AudioInput, AudioOutput]:
    """The person's real microphone and speaker, as chosen in the settings."""
    from desktop.audio import Microphone, Speaker, make_processor

    speaker = Speaker(prefs.output_device or None)
    # Echo cancellation needs what the speaker played as its reference.
    processor = make_processor(speaker, headset=prefs.headset, noise_suppression=prefs.noise_suppression)
    blocks_per_packet = 2 if prefs.battery_saver else 1  # 40 ms packets (desktop/audio/block_track.py)
    microphone = Microphone(
        prefs.input_device or None, processor=processor, blocks_per_packet=blocks_per_packet
    )
    return microphone, speaker


def _install_aiortc_patches() -> None:
    from desktop.audio import aiortc_patches

    aiortc_patches.install()


def _start_portaudio() -> None:
    """PortAudio starts on first use (it lists the sound server's devices: tens of ms of CPU). Started
    here, ahead of the first call, it no longer competes with that call's connect; asking for its
    version is enough. A missing PortAudio is said when a call opens a device, as before."""
    from desktop.audio import AudioUnavailable, portaudio_version

    with contextlib.suppress(AudioUnavailable):
        portaudio_version()


def _device_names() -> tuple[list[str], list[str]]:
    from desktop.audio import AudioUnavailable, list_devices

    try:
        return [d.name for d in list_devices("input")], [d.name for d in list_devices("output")]
    except AudioUnavailable:
        return [], []


TRANSPORT_NAMES = {"webrtc": "WebRTC", "websocket": "WebSocket"}


def transport_key(config: SessionConfig) -> str:
    """What a remembered transport is kept under: the service and its endpoint."""
    return f"{config.provider.value} {config.endpoint}"


def connection_factory(
    config: SessionConfig, speaker: AudioOutput, on_chosen: Callable[[str], None] = lambda _t: None
) -> ConnectionFactory:
    """How each call of the session reaches the service: the configured transport, or for "auto"
    WebRTC with the WebSocket as its fallback (the session never knows which); `on_chosen` hears the
    transport each call connected over."""
    from desktop.realtime import Connection, auto_connector, websocket_connector

    played = lambda: speaker.played_seconds  # noqa: E731  truncation on barge-in needs what was really played
    if config.transport == "websocket":
        return websocket_connector(played)
    if config.transport == "auto":
        return auto_connector(played, on_chosen)
    return Connection


class AppSessionFactory:
    """The composition root's `SessionFactory`: builds a session from preferences and their target.

    `environ` is the environment this run takes its overrides from (the key store reads it too)."""

    def __init__(
        self,
        audio: AudioFactory = device_audio,
        tools: ToolExecutor | None = None,
        environ: Mapping[str, str] = os.environ,
        reconnect: ReconnectPolicy | None = None,
        transports: TransportMemory | None = None,
    ) -> None:
        """`transports`: what worked per endpoint (None: the data folder's, opened when first needed)."""
        self._audio = audio
        self._transports = transports
        self.tools = tools
        self.environ = environ
        self._reconnect = reconnect  # None: the session's own policy
        self._demo_server: DemoServerThread | None = None
        self._demo_endpoint = ""
        self._demo_lock = asyncio.Lock()
        self._aiortc_patched: asyncio.Future[None] | None = None

    async def _patch_aiortc(self) -> None:
        """Installs aiortc's patches on a worker thread, the first time; later calls wait for that."""
        if self._aiortc_patched is None:
            loop = asyncio.get_running_loop()
            self._aiortc_patched = loop.run_in_executor(None, _install_aiortc_patches)
        await asyncio.shield(self._aiortc_patched)

    async def preload(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            await self._patch_aiortc()
        except ImportError:
            log.warning("Could not load aiortc", exc_info=True)
        for name in _HEAVY_MODULES:
            try:
                await loop.run_in_executor(None, importlib.import_module, name)
            except ImportError:
                log.warning("Could not preload %s", name, exc_info=True)

    async def start_audio(self) -> None:
        """PortAudio started ahead of the first call, on a worker thread (after the tools have opened:
        a slow sound server must not hold up the calendar)."""
        await asyncio.get_running_loop().run_in_executor(None, _start_portaudio)

    async def config(
        self, prefs: Preferences, target: Target, ice_credential: str = "", *, stand_in: bool = True
    ) -> SessionConfig:
        await self._patch_aiortc()  # before any peer connection: the demo server's and the call's
        endpoint = await self.demo_endpoint() if target.demo_answers(stand_in=stand_in) else ""
        settings = session_config(prefs, ice_credential=ice_credential)
        return self._with_transport(target.apply(settings, demo_endpoint=endpoint, stand_in=stand_in))

    def _with_transport(self, config: SessionConfig) -> SessionConfig:
        """VOICE_ASSISTANT_TRANSPORT over the setting; "auto" goes straight to the WebSocket where that
        was needed lately (the demo's endpoint changes every run: nothing is remembered for it)."""
        choice = transport_override(self.environ) or config.transport
        remembered = choice == "auto" and config.provider is not ProviderKind.DEMO
        if remembered and self.transports.prefers_websocket(transport_key(config)):
            choice = "websocket"
        return dataclasses.replace(config, transport=choice)

    @property
    def transports(self) -> TransportMemory:
        if self._transports is None:
            from desktop.storage import TransportMemory, data_dir

            self._transports = TransportMemory(data_dir() / "transports.json")
        return self._transports

    async def embedder(self, prefs: Preferences, keys: KeyStore) -> tuple[Embedder | None, FallbackReason]:
        """The knowledge base's embedder, the configured service's embeddings, with "" for the reason; or
        None and why the search stays lexical: "demo" (the demo has no embeddings service: its stand-in
        vectors are not for the person's folder, and its server is not started for them),
        "not_configured" (no key, the demo standing in for it, or a malformed endpoint),
        "no_deployment" (Azure without an embeddings deployment). Never raises: the tools open either
        way."""
        from desktop.realtime import SessionError, embeddings_client_for

        try:
            target = await resolve_target(session_config(prefs), keys)
            if target.demo_answers():
                return None, "not_configured" if target.demo_stands_in else "demo"
            embedder = embeddings_client_for(target.apply(session_config(prefs)))
        except SessionError as error:
            log.info("The knowledge search stays lexical: %s", error.message)
            return None, "not_configured"
        return (embedder, "") if embedder is not None else (None, "no_deployment")  # only Azure has none

    async def demo_endpoint(self) -> str:
        """The built-in demo server's URL, started on its own thread the first time it is needed."""
        async with self._demo_lock:
            if not self._demo_endpoint:
                from desktop.demo import DemoServerThread

                server = self._demo_server = DemoServerThread()
                loop = asyncio.get_running_loop()
                self._demo_endpoint = await loop.run_in_executor(None, server.start)
        return self._demo_endpoint

    def open_session(
        self, config: SessionConfig, prefs: Preferences, on_problem: ProblemHandler
    ) -> SessionHandle:
        from desktop.audio import AudioUnavailable, Microphone
        from desktop.realtime import SessionError
        from desktop.session import VoiceSession

        try:
            microphone, speaker = self._audio(prefs)
        except AudioUnavailable as error:
            raise SessionError(error.sentence, code="audio", retryable=True) from error
        if config.transport == "websocket" and isinstance(microphone, Microphone):
            microphone.set_encoded(False)  # the WebSocket sends PCM: no Opus to encode and decode again
        microphone.set_problem_handler(on_problem)
        speaker.set_problem_handler(on_problem)
        in_use = [TRANSPORT_NAMES.get(config.transport, "")]  # "auto": known once a call connected

        def chosen(transport: str) -> None:
            in_use[0] = TRANSPORT_NAMES[transport]
            if config.provider is not ProviderKind.DEMO:
                self.transports.remember(transport_key(config), transport)

        connect = connection_factory(config, speaker, chosen)
        session = VoiceSession(
            config, microphone, speaker, tools=self.tools, reconnect=self._reconnect, connect=connect
        )
        return SessionHandle(session, lambda: microphone.level, lambda: in_use[0])

    async def check(self, config: SessionConfig, on_step: Callable[[str], None]) -> tuple[bool, str]:
        """Runs the step-by-step connection check; (worked, the sentence saying why not). Automatic
        runs the call's race: WebRTC, and the WebSocket where WebRTC's media does not come up."""
        from desktop.app.connection_check import CheckStep, run_check

        def show(step: CheckStep) -> None:
            mark = "✓" if step.ok else "✗"
            detail = f" — {step.detail}" if step.detail and not step.ok else ""
            on_step(f"{mark} {step.label} ({step.seconds * 1000:.0f} ms){detail}")

        result = await run_check(config, show)
        return result.ok, result.error

    async def devices(self) -> tuple[list[str], list[str]]:
        return await asyncio.get_running_loop().run_in_executor(None, _device_names)

    async def close(self) -> None:
        server, self._demo_server = self._demo_server, None
        if server is not None:
            self._demo_endpoint = ""
            await asyncio.get_running_loop().run_in_executor(None, server.stop)
