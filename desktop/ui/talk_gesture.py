"""What a press and a release of the talk button (or Space) mean: one press is one turn.

- Not connected: the press starts the conversation (or tries again after a failure). In push-to-talk,
  a hold that started it talks as soon as the call is up, until the release.
- Push-to-talk: the press opens the microphone (cutting an answer short), the release sends the turn.
- Hands-free: the service hears the turns by itself. A tap is a click: it cuts an answer short, or
  else switches listening off or on. A hold is the person talking: its press cuts an answer short,
  and its release does nothing more; it must not cancel the answer that the person's words just
  asked for, nor switch listening off under them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from desktop.session import SessionState

TAP_SECONDS = 0.5  # a press released sooner is a click; held longer, it is the person talking
_OFF = frozenset({SessionState.IDLE, SessionState.CLOSED, SessionState.FAILED})
_WAITING = _OFF | {SessionState.CONNECTING}
_TALKING_BACK = frozenset({SessionState.THINKING, SessionState.ASSISTANT_SPEAKING})


class TalkActions(Protocol):
    """The controller's side of the gestures (desktop.ui.controller.Controller)."""

    state: SessionState
    push_to_talk: bool

    def click_talk(self) -> None: ...
    def press_talk(self) -> None: ...
    def release_talk(self) -> None: ...
    def interrupt(self) -> None: ...


class TalkGesture:
    def __init__(self, actions: TalkActions, clock: Callable[[], float] = time.monotonic) -> None:
        self._actions = actions
        self._clock = clock
        self._pressed_at: float | None = None  # while held
        self._acted = False  # the press did what this hold means; its release adds nothing
        self._talking = False  # a push-to-talk turn is open

    def pressed(self) -> None:
        a = self._actions
        self._pressed_at, self._acted = self._clock(), False
        if a.state in _OFF:
            a.click_talk()  # start, or try again
            self._acted = True
        elif a.state is SessionState.CONNECTING:
            self._acted = True  # in push-to-talk, `state_changed` opens the turn once the call is up
        elif a.push_to_talk:
            self._push()
        elif a.state in _TALKING_BACK:
            a.interrupt()
            self._acted = True

    def released(self) -> None:
        a = self._actions
        if self._pressed_at is None:
            return
        held, self._pressed_at = self._clock() - self._pressed_at, None
        if self._talking:
            self._talking = False
            a.release_talk()
        elif not (self._acted or a.push_to_talk or a.state in _OFF) and held < TAP_SECONDS:
            a.click_talk()

    def state_changed(self, state: SessionState) -> None:
        """A push-to-talk hold that began before the call was up talks once the call takes intent."""
        held = self._pressed_at is not None
        if held and self._actions.push_to_talk and not self._talking and state not in _WAITING:
            self._push()

    def _push(self) -> None:
        self._talking = True
        self._actions.press_talk()
