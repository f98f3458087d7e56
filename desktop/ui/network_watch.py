"""Notices network changes (Wi-Fi switched, cable plugged back, VPN up) through Qt's
QNetworkInformation, so a call that silently died with the old network is checked at once instead
of when the liveness timeout runs out.

Imported after the window is shown: QtNetwork is not needed to put the window on screen.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QNetworkInformation

log = logging.getLogger(__name__)

Reachability = QNetworkInformation.Reachability


class NetworkWatch(QObject):
    """Emits `changed` when the network becomes usable again or changes while usable. Going offline
    emits nothing: reconnecting then would only spend its attempts before the network is back.
    Without a backend (some systems have none) it never emits."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._last: Reachability | None = None
        if not QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability):
            log.info("No network information backend: network changes are not watched")
            return
        info = QNetworkInformation.instance()
        if info is None:
            return
        self._last = info.reachability()
        info.reachabilityChanged.connect(self.reachability_changed)
        log.info("Watching the network through %s", info.backendName())

    def reachability_changed(self, reachability: Reachability) -> None:
        previous, self._last = self._last, reachability
        log.info("Network reachability: %s", reachability.name)
        if reachability != previous and reachability not in (Reachability.Disconnected, Reachability.Unknown):
            self.changed.emit()  # back online, or a different network: is the call still alive?
