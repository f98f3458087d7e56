"""The person's preferences: one typed dataclass, persisted field by field with QSettings.

The dataclass *is* the declaration: each field's name is its QSettings key, its annotation says how a
stored string is read back, its default is what a fresh install uses. The API key is not here (it
lives in the keychain, see `desktop.settings.keychain`). What a call connects to (these settings, environment
overrides, the key) is decided in one place, `desktop.settings.target`.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import sys
import typing
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from PySide6.QtCore import QSettings

from desktop.realtime import (
    KeyFrom,
    ProviderKind,
    SessionConfig,
    TransportChoice,
    TurnDetection,
    TurnMode,
    default_instructions,
)

log = logging.getLogger(__name__)

TurnChoice = Literal["server_vad", "semantic_vad", "push_to_talk"]
Eagerness = Literal["low", "medium", "high", "auto"]

VOICES: tuple[str, ...] = (
    "alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar",
)  # fmt: skip
GA_ONLY_VOICES = frozenset({"marin", "cedar"})
_WIRE_TURN_MODE: dict[TurnChoice, TurnMode] = {
    "server_vad": "server_vad",
    "semantic_vad": "semantic_vad",
    "push_to_talk": "none",
}


@dataclass(frozen=True, slots=True)
class Preferences:
    provider: ProviderKind = ProviderKind.DEMO
    endpoint: str = ""
    webrtc_url: str = ""
    deployment: str = ""
    # Azure: the embeddings deployment beside the realtime one ("" = none); OpenAI: the model ("" = default)
    embeddings_deployment: str = ""
    # "token_service": the session key comes from the organisation's token service at token_url (its
    # bearer token is in the keychain) instead of being minted with the API key.
    key_from: KeyFrom = "api_key"
    token_url: str = ""
    voice: str = "sage"
    instructions: str = ""  # empty: the bundled meeting-assistant prompt
    turn_mode: TurnChoice = "server_vad"
    vad_threshold: float = 0.5
    prefix_padding_ms: int = 300
    silence_duration_ms: int = 500
    eagerness: Eagerness = "auto"
    transcription_model: str = "whisper-1"
    transcription_language: str = ""
    input_device: str = ""  # empty: the system default
    output_device: str = ""
    headset: bool = False  # True: no echo cancellation needed
    noise_suppression: bool = True
    # Battery saver: the microphone leaves in 40 ms Opus packets instead of 20 ms ones, half as many
    # (desktop/audio/block_track.py), for 20 ms more delay on every other block.
    battery_saver: bool = False
    knowledge_folder: str = ""  # empty: the bundled sample documents
    # How calls travel: "auto" (WebRTC, else the WebSocket where UDP never flows), "webrtc" or "websocket";
    # VOICE_ASSISTANT_TRANSPORT overrides it (desktop/app/session_factory.py applies both).
    transport: TransportChoice = "auto"
    ice_servers: str = ""  # one STUN/TURN URL a line; empty: none (the credential is in the keychain)
    ice_username: str = ""
    # The person's prices, US dollars per million tokens of each kind (0: not priced), for the usage
    # estimate in the status bar: they differ by model, provider and contract.
    price_text_in: float = 0.0
    price_audio_in: float = 0.0
    price_cached_in: float = 0.0
    price_text_out: float = 0.0
    price_audio_out: float = 0.0
    # Minutes before each meeting its reminder is due, unless the meeting has its own; -1: none
    # (desktop.storage's DEFAULT_REMINDER_MINUTES and NO_REMINDER: settings does not import storage).
    default_reminder_minutes: int = 10
    # Closing the window leaves the app running in the system tray (where the desktop has one).
    close_to_tray: bool = True
    # Held while another application has focus, it talks as the talk button does (QKeySequence's
    # portable text; empty: off). Where the platform allows it: desktop.ui.global_shortcut.
    talk_shortcut: str = dataclasses.field(default_factory=lambda: default_talk_shortcut(sys.platform))


def default_talk_shortcut(platform: str) -> str:
    """Ctrl+Alt+Space; on macOS, where Qt's Ctrl is ⌘ and ⌥⌘Space is Finder's search out of the box,
    ⌃⌥⌘Space, which macOS leaves free."""
    return "Meta+Ctrl+Alt+Space" if platform == "darwin" else "Ctrl+Alt+Space"


_HINTS = typing.get_type_hints(Preferences)


def _coerce(hint: Any, raw: Any) -> Any:
    """Read one stored value back as its declared type; anything unreadable becomes the default."""
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(raw)
    if get_origin(hint) is Literal:
        if raw not in get_args(hint):
            raise ValueError(raw)
        return raw
    if hint is bool:
        # INI files hand back the strings "true"/"false"; other formats hand back bools.
        return raw if isinstance(raw, bool) else str(raw).strip().lower() in {"true", "1", "yes"}
    return hint(raw)


def _stored(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def load_preferences(store: QSettings) -> Preferences:
    values: dict[str, Any] = {}
    for field in dataclasses.fields(Preferences):
        if not store.contains(field.name):
            continue
        raw = store.value(field.name)
        try:
            values[field.name] = _coerce(_HINTS[field.name], raw)
        except (TypeError, ValueError):
            log.warning("Ignoring an unreadable stored value for %s", field.name)
    return Preferences(**values)


def save_preferences(store: QSettings, prefs: Preferences) -> None:
    for field in dataclasses.fields(Preferences):
        store.setValue(field.name, _stored(getattr(prefs, field.name)))
    store.sync()


def ice_urls(text: str) -> tuple[str, ...]:
    """The ICE server field: one URL a line, blank lines ignored."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def session_config(prefs: Preferences, *, ice_credential: str = "") -> SessionConfig:
    """The preferences as a SessionConfig. Its connection (provider, endpoint, deployment; no key yet)
    is the settings' own: `desktop.settings.target` decides what the call connects to from it, the environment
    and the key, and points this config there (`Target.apply`)."""
    turn = TurnDetection(
        mode=_WIRE_TURN_MODE[prefs.turn_mode],
        threshold=prefs.vad_threshold,
        prefix_padding_ms=prefs.prefix_padding_ms,
        silence_duration_ms=prefs.silence_duration_ms,
        eagerness=prefs.eagerness,
    )
    return SessionConfig(
        provider=prefs.provider,
        endpoint=prefs.endpoint.strip(),
        webrtc_url=prefs.webrtc_url.strip(),
        deployment=prefs.deployment.strip(),
        embeddings_deployment=prefs.embeddings_deployment.strip(),
        key_from=prefs.key_from,
        token_url=prefs.token_url.strip() if prefs.key_from == "token_service" else "",
        voice=prefs.voice,
        instructions=prefs.instructions or default_instructions(),
        turn_detection=turn,
        push_to_talk=prefs.turn_mode == "push_to_talk",
        transcription_model=prefs.transcription_model.strip(),
        transcription_language=prefs.transcription_language.strip(),
        transport=prefs.transport,
        ice_servers=ice_urls(prefs.ice_servers),
        ice_username=prefs.ice_username.strip(),
        ice_credential=ice_credential,
    )
