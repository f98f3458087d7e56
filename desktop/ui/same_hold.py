"""One hold of a key, whatever the key's auto-repeat sends: a release followed within `SAME_HOLD_MS` by
a press of the same key continues the hold. Space in the window and the global shortcut both use it.

X11's auto-repeat arrives as a release and a press of the held key, sent as a pair. Qt flags the pair
by looking for the press right behind the release, but under load the press has not arrived yet, and
an X11 key grab sees the pairs unflagged: read plainly, they are the person letting go and pressing
again, a toggle in the middle of a sentence. So a release is held back for `SAME_HOLD_MS`. When the
loop was busy for longer than that, the wait ends late, with the press that continues the hold perhaps
still queued behind it: it then waits once more, for no time, so that queued input comes first.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal

SAME_HOLD_MS = 50  # a release followed this soon by a press is auto-repeat, not the person


class SameHold(QObject):
    """Feed it the key's presses and releases; it emits `pressed` once a hold and `released` once
    `SAME_HOLD_MS` after the hold's last release."""

    pressed = Signal()
    released = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.held = False
        self._letting_go = QTimer(self)  # a release waits here for a press that would continue the hold
        self._letting_go.setSingleShot(True)
        self._letting_go.setInterval(SAME_HOLD_MS)
        self._letting_go.timeout.connect(self._waited)
        self._since_release = QElapsedTimer()

    def press(self) -> None:
        if self._letting_go.isActive():  # auto-repeat: the same hold goes on
            self._letting_go.stop()
        elif not self.held:
            self.held = True
            self.pressed.emit()

    def release(self) -> None:
        if self.held:
            self._since_release.start()
            self._letting_go.start(SAME_HOLD_MS)

    def _waited(self) -> None:
        late = self._since_release.elapsed() > 2 * SAME_HOLD_MS
        if late and self._letting_go.interval() != 0:  # the loop was busy: queued input first
            self._letting_go.start(0)
            return
        self._let_go()

    def end(self) -> None:
        """The hold ends now, whatever comes (the key's release will go to another application)."""
        if self.held:
            self._letting_go.stop()
            self._let_go()

    def stop(self) -> None:
        """Forget a hold without a word (the key is no longer watched)."""
        self._letting_go.stop()
        self.held = False

    def _let_go(self) -> None:
        self.held = False
        self.released.emit()
