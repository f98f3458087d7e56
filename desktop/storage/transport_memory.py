"""Which transport worked for each endpoint, so the next "auto" call on a network that blocks UDP goes
straight to the WebSocket instead of waiting for WebRTC's timeouts again.

A small JSON file in the data folder: {endpoint: epoch seconds of the WebSocket fallback}. A remembered
WebSocket lasts a day (RETRY_WEBRTC_AFTER); after that "auto" tries WebRTC once more, since the
person may have moved to a network that lets UDP through. No WebRTC success is needed to forget it: a
call that connects over WebRTC forgets it at once. Endpoints only, never a key. Unreadable files are
treated as empty: forgetting costs one slower connect, nothing more.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

RETRY_WEBRTC_AFTER = 24 * 3600.0
FILE_NAME = "transports.json"


class TransportMemory:
    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self._path = path
        self._clock = clock

    def prefers_websocket(self, endpoint: str) -> bool:
        """True when the WebSocket was needed for `endpoint` less than a day ago."""
        since = self._read().get(endpoint)
        return since is not None and self._clock() - since < RETRY_WEBRTC_AFTER

    def remember(self, endpoint: str, transport: str) -> None:
        """What connected: "websocket" is remembered (from now), "webrtc" forgets the endpoint."""
        entries = self._read()
        if transport == "websocket":
            entries[endpoint] = self._clock()
        elif entries.pop(endpoint, None) is None:
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._path.write_text(json.dumps(entries, indent=1), encoding="utf-8")
        except OSError:
            log.warning("Could not save which transport worked to %s", self._path, exc_info=True)

    def _read(self) -> dict[str, float]:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: float(v) for k, v in data.items() if isinstance(k, str) and isinstance(v, (int, float))}
