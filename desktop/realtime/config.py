"""The one configuration model every provider is built from.

Plain data: the settings layer fills it from what the app stores plus environment overrides, the
composition root hands it to the session. The API key travels in it only as far as the mint step.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Literal


class ProviderKind(enum.Enum):
    AZURE_PREVIEW = "azure-preview"
    AZURE = "azure"
    OPENAI = "openai"
    DEMO = "demo"


class Dialect(enum.Enum):
    PREVIEW = "preview"
    GA = "ga"


TurnMode = Literal["server_vad", "semantic_vad", "none"]
# Where the ephemeral key comes from: minted with the resource's API key, or handed out by the person's
# organisation's token service (desktop/realtime/token_service.py), which holds the resource key itself.
KeyFrom = Literal["api_key", "token_service"]
# How a call reaches the service: WebRTC (RTP audio + a data channel, desktop/realtime/connection.py) or
# one WebSocket carrying events and base64 audio (desktop/realtime/websocket_connection.py), for
# networks that block UDP.
Transport = Literal["webrtc", "websocket"]
# What the person chose: one of them, or "auto": WebRTC, falling back to the WebSocket for a call whose
# media never comes up (desktop/realtime/auto_connection.py), remembered per endpoint.
TransportChoice = Literal["auto", "webrtc", "websocket"]
TRANSPORT_CHOICES: tuple[TransportChoice, ...] = ("auto", "webrtc", "websocket")


@dataclass(frozen=True, slots=True)
class TurnDetection:
    mode: TurnMode = "server_vad"
    threshold: float = 0.5
    prefix_padding_ms: int = 300
    silence_duration_ms: int = 500
    eagerness: Literal["low", "medium", "high", "auto"] = "auto"
    create_response: bool = True
    interrupt_response: bool = True


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds allowed for each step of connecting; each one has its own error sentence."""

    mint: float = 10.0
    sdp: float = 10.0
    ice: float = 10.0
    data_channel: float = 10.0
    session_updated: float = 10.0
    embeddings: float = 10.0  # one embeddings request (a batch of passages or one question)
    # Silence longer than this means the call is dead; with the 0.5 s polls in between, a loss is
    # noticed within 5 s of the last packet.
    liveness: float = 4.0


@dataclass(frozen=True, slots=True)
class SessionConfig:
    provider: ProviderKind = ProviderKind.DEMO
    endpoint: str = ""  # Azure resource URL, OpenAI base URL, or http://127.0.0.1:PORT
    webrtc_url: str = ""  # Azure preview only: the regional .../v1/realtimertc URL
    deployment: str = ""  # Azure deployment name or OpenAI model id
    # Azure only: the embeddings deployment on the same resource ("" = no embeddings).
    embeddings_deployment: str = ""
    # OpenAI only: the embeddings model ("" = text-embedding-3-small), set by OPENAI_EMBEDDINGS_MODEL.
    # desktop/realtime/embeddings.py reads both.
    embeddings_model: str = ""
    api_key: str = field(default="", repr=False)
    key_from: KeyFrom = "api_key"
    token_url: str = ""  # key_from "token_service": where the key is asked for (a POST)
    token_bearer: str = field(default="", repr=False)  # sent to the token service only, when set
    voice: str = "sage"
    instructions: str = ""  # empty means the default meeting-assistant prompt
    turn_detection: TurnDetection = field(default_factory=TurnDetection)
    push_to_talk: bool = False  # True turns server detection off for the session
    transcription_model: str = "whisper-1"
    transcription_language: str = ""
    tools: tuple[dict[str, Any], ...] = ()  # function schemas, from the tool registry
    tool_choice: str = "auto"
    transport: TransportChoice = "webrtc"
    ice_servers: tuple[str, ...] = ()  # no STUN/TURN unless the person configured some
    ice_username: str = ""  # for the TURN servers above
    ice_credential: str = field(default="", repr=False)
    greet_first: bool = True
    timeouts: Timeouts = field(default_factory=Timeouts)
