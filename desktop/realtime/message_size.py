"""How large an event a connection may send: the data channel's limit, which the WebSocket keeps too,
so that the same events fit both transports.
"""

from __future__ import annotations

import re
from typing import Any

from desktop.realtime.client_events import encode
from desktop.realtime.errors import SessionError

DEFAULT_MAX_MESSAGE_SIZE = 65536
# aiortc peers advertise 256 KiB, yet larger-than-64 KiB messages have silently closed channels of
# other clients: never send more than this, whatever the remote claims.
SAFE_MESSAGE_SIZE = 65536
_MAX_MESSAGE_SIZE = re.compile(r"^a=max-message-size:(\d+)\s*$", re.MULTILINE)


def max_message_size(answer_sdp: str) -> int:
    """What we may send: the remote's `a=max-message-size` (0 means "no limit", RFC 8841), capped."""
    match = _MAX_MESSAGE_SIZE.search(answer_sdp)
    if match is None:
        return DEFAULT_MAX_MESSAGE_SIZE
    size = int(match.group(1))
    return min(size, SAFE_MESSAGE_SIZE) if size > 0 else SAFE_MESSAGE_SIZE


def encoded_within(event: dict[str, Any], limit: int) -> str:
    """The event as sent, or SessionError when it is over `limit` bytes (whichever transport sends it)."""
    text = encode(event)
    size = len(text.encode())
    if size > limit:
        raise SessionError(
            f"The {event.get('type', 'event')} event is {size} bytes, over the connection's limit of "
            f"{limit} bytes; shorten the instructions or tool descriptions.",
            code="event_too_large",
            retryable=False,
        )
    return text
