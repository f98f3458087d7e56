"""The connection check: mint (or the token service's key), call setup, media, event channel and
session.updated, step by step.

Used by `voice-assistant --check` and by the settings dialog's "Test connection". It speaks no audio
and starts no conversation: it proves that the configured provider would accept a session with the
configured tools, and says which step failed in one sentence. "Automatic" runs the call's own race
(desktop/realtime/transport_race.py): WebRTC, and the WebSocket when WebRTC's media does not come up;
its steps are both transports' as they happen, and the result says which one the call would use.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from desktop.audio import SyntheticMicrophone, aiortc_patches
from desktop.realtime import (
    DEMO_API_KEY,
    DEMO_MODEL,
    PROVIDER,
    Connection,
    Masker,
    Provider,
    ProviderKind,
    SessionConfig,
    SessionError,
    TransportChoice,
    auto_connector,
    build_instructions,
    mints_for_websocket,
    parse_provider,
    provider_for,
    proxy_in_use,
    transport_override,
    websocket_connector,
)
from desktop.realtime import client_events as ce
from desktop.session import ModelCall
from desktop.settings import KeyStore, Target, resolve_target

STEP_LABELS = {
    "mint": "session key minted",
    "sdp": "call set up (SDP answer received)",
    "ice": "media connected (ICE/DTLS)",
    "data_channel": "event channel open",
    "websocket": "WebSocket open",
    "session": "session settings confirmed (session.updated)",
}
STEP_ORDER = ("mint", "sdp", "ice", "data_channel", "session")  # WebRTC's
WEBSOCKET_STEP_ORDER = ("mint", "websocket", "session")
# In the token-service mode its key stands in for the mint: the step says where the key came from.
STEP_LABELS["token"] = "session key from the token service"
TOKEN_STEP_ORDER = ("token", *STEP_ORDER[1:])  # over WebRTC
# `--check --transport`: one of the app's choices, or "both" (WebRTC, then the WebSocket).
TRANSPORT_NAMES = {"webrtc": "WebRTC", "websocket": "WebSocket"}


@dataclass(frozen=True, slots=True)
class CheckStep:
    name: str
    label: str
    ok: bool
    seconds: float  # time this step took
    detail: str = ""


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    steps: tuple[CheckStep, ...] = ()
    error: str = ""
    retryable: bool = True
    session: dict[str, Any] = field(default_factory=dict)
    transport: str = ""  # the one that worked: "webrtc" or "websocket"


StepHandler = Callable[[CheckStep], None]


class _Check:
    def __init__(self, config: SessionConfig, provider: Provider, on_step: StepHandler | None) -> None:
        self.config = config
        self.provider = provider
        self.on_step = on_step or (lambda _step: None)
        self.steps: list[CheckStep] = []
        self.last = time.monotonic()
        self.transport: str = "" if config.transport == "auto" else config.transport
        self.websocket_tried = config.transport == "websocket"

    @property
    def order(self) -> tuple[str, ...]:
        """The steps this check goes through, by transport; the token service's key stands in for the
        mint."""
        steps: tuple[str, ...] = WEBSOCKET_STEP_ORDER if self.websocket_tried else STEP_ORDER
        if self.websocket_tried and not mints_for_websocket(self.provider):
            steps = steps[1:]  # Azure preview with a resource key: no key is minted for the socket
        return ("token", *steps[1:]) if self.provider.token_service is not None else steps

    def record(self, name: str, ok: bool = True, detail: str = "") -> None:
        if name == "mint" and self.provider.token_service is not None:
            name, detail = "token", detail or f"from {self.provider.token_service.host}"
        if name in ("mint", "token", "websocket") and any(step.name == "sdp" for step in self.steps):
            self.websocket_tried = True  # auto: a key (or the socket) after WebRTC's SDP is the WebSocket's
        now = time.monotonic()
        step = CheckStep(name, STEP_LABELS[name], ok, now - self.last, detail)
        self.last = now
        self.steps.append(step)
        self.on_step(step)

    async def run(self) -> dict[str, Any]:
        provider = self.provider
        microphone = SyntheticMicrophone()
        microphone.set_open(False)
        # The session's own handshake, with nobody listening to the conversation: only the steps count.
        model_call = ModelCall(
            self.config,
            provider,
            microphone.track,
            on_event=lambda _event: None,
            on_raw=lambda _event: None,
            on_lost=lambda _call, _error: None,
            expecting_media=lambda: False,
            connect=self._connector(),
        )
        settings = ce.SessionSettings.from_config(
            self.config, build_instructions(self.config.instructions), self.config.tools
        )
        try:
            update = ce.session_update(provider.dialect, settings)
            session = await model_call.open(update, on_step=self.record)
            _require_tools(self.config.tools, session)
            names = ", ".join(str(tool.get("name")) for tool in self.config.tools) or "none"
            self.record("session", detail=f"tools confirmed: {names}")
            return session
        finally:
            await model_call.close()
            await microphone.stop()

    def _connector(self) -> Any:
        if self.config.transport == "websocket":
            return websocket_connector(None)
        if self.config.transport == "auto":
            return auto_connector(None, self._chosen)
        return Connection

    def _chosen(self, transport: str) -> None:
        self.transport = transport


def _require_tools(tools: tuple[dict[str, Any], ...], session: dict[str, Any]) -> None:
    echoed = session.get("tools")
    names = (
        {str(tool.get("name")) for tool in echoed if isinstance(tool, dict)}
        if isinstance(echoed, list)
        else set()
    )
    missing = [str(tool.get("name")) for tool in tools if str(tool.get("name")) not in names]
    if missing:
        raise SessionError(
            f"The service confirmed the session without the tools {', '.join(missing)}.", retryable=False
        )


async def run_check(config: SessionConfig, on_step: StepHandler | None = None) -> CheckResult:
    """Run every step; a failed step is reported through `on_step` too, and ends the check. A
    configuration that cannot work (a malformed endpoint, a missing deployment) fails before any step:
    nothing is sent."""
    masker = Masker([config.api_key, config.token_bearer])
    try:
        provider = provider_for(config)
    except SessionError as error:
        return CheckResult(False, (), masker.text(error.message), error.retryable)
    check = _Check(config, provider, on_step)
    try:
        session = await check.run()
    except SessionError as error:
        done = {step.name for step in check.steps}
        failed = next((name for name in check.order if name not in done), "session")
        message = masker.text(error.message)
        check.record(failed, ok=False, detail=message)
        return CheckResult(False, tuple(check.steps), message, error.retryable)
    return CheckResult(True, tuple(check.steps), session=session, transport=check.transport)


def _print_step(step: CheckStep) -> None:
    mark = "ok  " if step.ok else "FAIL"
    line = f"[{mark}] {step.label} ({step.seconds * 1000:.0f} ms)"
    print(f"{line}: {step.detail}" if step.detail else line, flush=True)


async def _check_with_demo(config: SessionConfig) -> CheckResult:
    """The demo provider needs the built-in server running; start one for the check."""
    from desktop.demo import DemoServer

    server = DemoServer(api_key=DEMO_API_KEY, deployment=config.deployment or DEMO_MODEL)
    endpoint = await server.start()
    try:
        return await run_check(dataclasses.replace(config, endpoint=endpoint), _print_step)
    finally:
        await server.stop()


def check_main(
    config: SessionConfig | None = None,
    provider: str | None = None,
    target: Target | None = None,
    transport: str | None = None,
) -> int:
    """Print where the check goes, then each step with its time; exit 0, or 1 with the one-sentence
    reason (never a key). Without `config`: the defaults, with the environment and key resolved as
    for the app (`desktop.settings.target`); `target` says where `config` came from. `transport`:
    "webrtc", "websocket", "auto" or "both"; by default VOICE_ASSISTANT_TRANSPORT, else the setting."""
    try:
        kind = parse_provider(provider) if provider else None
        if config is None:
            # The chosen provider goes in before the environment, so that its variables (its key) apply.
            env = {**os.environ, PROVIDER: kind.value} if kind else dict(os.environ)
            target = asyncio.run(resolve_target(SessionConfig(), KeyStore(env)))
            config = target.apply(SessionConfig(), stand_in=False)
        elif kind is not None:
            config = dataclasses.replace(config, provider=kind)
            target = None
        transport = transport or transport_override(os.environ) or config.transport
    except SessionError as error:
        print(error.message, file=sys.stderr)
        return 2
    about = target.describe(stand_in=False) if target is not None else config.provider.value
    masker = Masker([config.api_key, config.token_bearer])
    print(f"Checking the connection to {masker.text(about)}…", flush=True)
    if target is not None and target.environment:
        print(f"Set by the environment: {', '.join(target.environment)}.", flush=True)
    _print_proxy(config)
    aiortc_patches.install()  # this run's start-up, as the app's
    choices = ("webrtc", "websocket") if transport == "both" else (transport,)
    worked = [_check_transport(config, choice) for choice in choices]
    return 0 if all(worked) else 1


def _print_proxy(config: SessionConfig) -> None:
    """Which proxy the check goes through (the system's: HTTPS_PROXY and the like), never its password."""
    try:
        provider = provider_for(config)
    except SessionError:
        return  # the check itself says what is wrong with the configuration
    url = provider.token_service.url if provider.token_service is not None else provider.mint_url
    proxy = proxy_in_use(url)
    if proxy:
        print(f"Through the proxy {proxy}.", flush=True)


def _check_transport(config: SessionConfig, choice: str) -> bool:
    """Checks over one transport ("auto": the call's race of WebRTC and the WebSocket, whose steps are
    both transports' as they happen), and says which one worked."""
    transport: TransportChoice = (
        "webrtc" if choice == "webrtc" else "websocket" if choice == "websocket" else "auto"
    )
    how = "automatic: WebRTC, else the WebSocket" if transport == "auto" else TRANSPORT_NAMES[transport]
    print(f"Transport: {how}", flush=True)
    result = _run_check(dataclasses.replace(config, transport=transport))
    if result.ok:
        print(f"The connection works over {TRANSPORT_NAMES[result.transport]}.", flush=True)
        return True
    print(result.error, file=sys.stderr, flush=True)
    return False


def _run_check(config: SessionConfig) -> CheckResult:
    if config.provider is ProviderKind.DEMO and not config.endpoint:
        return asyncio.run(_check_with_demo(config))
    return asyncio.run(run_check(config, _print_step))
