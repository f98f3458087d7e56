"""The realtime services: providers, the typed protocol of both dialects (a parse table that never
raises), the WebRTC connection, and the masking that keeps keys out of sight. Knows nothing of tools.

Other packages import only the names below; modules inside the package import each other directly.
"""

from typing import TYPE_CHECKING

from desktop import lazy_exports

if TYPE_CHECKING:
    from desktop.realtime import client_events, server_events
    from desktop.realtime.auto_connection import auto_connector
    from desktop.realtime.config import (
        Dialect,
        KeyFrom,
        ProviderKind,
        SessionConfig,
        TransportChoice,
        TurnDetection,
        TurnMode,
    )
    from desktop.realtime.connection import CLOSED_WHILE_CONNECTING, Connection
    from desktop.realtime.embeddings import embeddings_client_for
    from desktop.realtime.endpoints import malformed_field, query_values, shown_url
    from desktop.realtime.environment import (
        AZURE_VARS,
        OPENAI_VARS,
        PROVIDER,
        TOKEN_BEARER,
        environment_overrides,
        key_variable,
        parse_provider,
        transport_override,
    )
    from desktop.realtime.errors import SessionError
    from desktop.realtime.instructions import build_instructions, default_instructions
    from desktop.realtime.masking import Masker, mask_secrets, remember_secrets
    from desktop.realtime.protocol import decode_message, parse_server_event
    from desktop.realtime.providers import (
        DEMO_API_KEY,
        DEMO_MODEL,
        OPENAI_DEFAULT_BASE,
        Provider,
        provider_for,
        provider_name,
    )
    from desktop.realtime.proxies import proxy_in_use
    from desktop.realtime.server_events import (
        ItemCreated,
        ServerError,
        ServerEvent,
        SessionCreated,
        SessionUpdated,
    )
    from desktop.realtime.token_service import token_url_problem
    from desktop.realtime.websocket_connection import websocket_connector
    from desktop.realtime.websocket_endpoints import mints_for_websocket

__all__ = [
    "AZURE_VARS",
    "CLOSED_WHILE_CONNECTING",
    "DEMO_API_KEY",
    "DEMO_MODEL",
    "OPENAI_DEFAULT_BASE",
    "OPENAI_VARS",
    "PROVIDER",
    "TOKEN_BEARER",
    "Connection",
    "Dialect",
    "ItemCreated",
    "KeyFrom",
    "Masker",
    "Provider",
    "ProviderKind",
    "ServerError",
    "ServerEvent",
    "SessionConfig",
    "SessionCreated",
    "SessionError",
    "SessionUpdated",
    "TransportChoice",
    "TurnDetection",
    "TurnMode",
    "auto_connector",
    "build_instructions",
    "client_events",
    "decode_message",
    "default_instructions",
    "embeddings_client_for",
    "environment_overrides",
    "key_variable",
    "malformed_field",
    "mask_secrets",
    "mints_for_websocket",
    "parse_provider",
    "parse_server_event",
    "provider_for",
    "provider_name",
    "proxy_in_use",
    "query_values",
    "remember_secrets",
    "server_events",
    "shown_url",
    "token_url_problem",
    "transport_override",
    "websocket_connector",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "auto_connection": ("auto_connector",),
        "config": (
            "Dialect",
            "KeyFrom",
            "ProviderKind",
            "SessionConfig",
            "TransportChoice",
            "TurnDetection",
            "TurnMode",
        ),
        "connection": (
            "CLOSED_WHILE_CONNECTING",
            "Connection",
        ),
        "embeddings": ("embeddings_client_for",),
        "endpoints": (
            "malformed_field",
            "query_values",
            "shown_url",
        ),
        "environment": (
            "AZURE_VARS",
            "environment_overrides",
            "key_variable",
            "OPENAI_VARS",
            "parse_provider",
            "PROVIDER",
            "TOKEN_BEARER",
            "transport_override",
        ),
        "errors": ("SessionError",),
        "instructions": (
            "build_instructions",
            "default_instructions",
        ),
        "masking": (
            "mask_secrets",
            "Masker",
            "remember_secrets",
        ),
        "protocol": (
            "decode_message",
            "parse_server_event",
        ),
        "providers": (
            "DEMO_API_KEY",
            "DEMO_MODEL",
            "OPENAI_DEFAULT_BASE",
            "Provider",
            "provider_for",
            "provider_name",
        ),
        "proxies": ("proxy_in_use",),
        "server_events": (
            "ItemCreated",
            "ServerError",
            "ServerEvent",
            "SessionCreated",
            "SessionUpdated",
        ),
        "token_service": ("token_url_problem",),
        "websocket_connection": ("websocket_connector",),
        "websocket_endpoints": ("mints_for_websocket",),
    },
)
