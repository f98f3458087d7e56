"""What the controller needs from the composition root, and what it hands to the settings dialog.

A contract module: the controller builds calls through `SessionFactory` without importing the session,
audio or tools (they arrive after the window is shown); `desktop.app.session_factory.AppSessionFactory`
implements it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from desktop.realtime import SessionConfig
from desktop.settings import Preferences, Target

if TYPE_CHECKING:
    from desktop.audio import ProblemHandler
    from desktop.session import VoiceSession


@dataclass(frozen=True, slots=True)
class SessionHandle:
    session: VoiceSession
    microphone_level: Callable[[], float]
    transport: Callable[[], str] = lambda: ""  # "WebRTC" or "WebSocket" once known, for the status bar


@dataclass(frozen=True, slots=True)
class SettingsContext:
    """What the settings dialog opens with (the key had to be fetched from the keychain first)."""

    prefs: Preferences
    api_key: str
    keychain_works: bool
    devices: tuple[list[str], list[str]]
    ice_credential: str = ""
    environment: tuple[str, ...] = ()  # variables that override the settings in this run
    token_bearer: str = ""  # the token service's stored bearer token


@dataclass(frozen=True, slots=True)
class AboutContext:
    """What Help → About shows."""

    version: str
    service: str  # who answers the next call
    model: str  # its model or deployment; "" where the service picks it (the demo)
    data_dir: Path
    settings_file: Path | None
    log_dir: Path
    notices: str  # THIRD_PARTY_NOTICES; "" where it could not be read


class SessionFactory(Protocol):
    """What the composition root provides: configurations, sessions, checks and device lists."""

    async def config(
        self, prefs: Preferences, target: Target, ice_credential: str = "", *, stand_in: bool = True
    ) -> SessionConfig:
        """`prefs` pointed at `target` (`Target.apply`), the demo server started if it answers."""
        ...

    def open_session(
        self, config: SessionConfig, prefs: Preferences, on_problem: ProblemHandler
    ) -> SessionHandle: ...

    async def check(self, config: SessionConfig, on_step: Callable[[str], None]) -> tuple[bool, str]: ...

    async def devices(self) -> tuple[list[str], list[str]]: ...
