"""The talk button's and Space's press and release, as the controller hears them (an injected clock)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from desktop.session import SessionState
from desktop.ui.talk_gesture import TAP_SECONDS, TalkGesture

S = SessionState


@dataclass
class HeardActions:
    state: SessionState = S.LISTENING
    push_to_talk: bool = False
    heard: list[str] = field(default_factory=list)

    def click_talk(self) -> None:
        self.heard.append("click")

    def press_talk(self) -> None:
        self.heard.append("press")

    def release_talk(self) -> None:
        self.heard.append("release")

    def interrupt(self) -> None:
        self.heard.append("interrupt")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def hold(gesture: TalkGesture, clock: Clock, seconds: float) -> None:
    gesture.pressed()
    clock.now += seconds
    gesture.released()


@pytest.mark.parametrize("push_to_talk", [False, True])
def test_not_connected_the_press_starts_and_the_release_adds_nothing(push_to_talk: bool) -> None:
    actions, clock = HeardActions(S.IDLE, push_to_talk), Clock()
    hold(TalkGesture(actions, clock), clock, 0.1)
    assert actions.heard == ["click"]


def test_a_push_to_talk_hold_that_started_the_call_talks_once_it_is_up() -> None:
    actions, clock = HeardActions(S.IDLE, push_to_talk=True), Clock()
    gesture = TalkGesture(actions, clock)
    gesture.pressed()
    for state in (S.CONNECTING, S.READY, S.LISTENING):  # as the controller reports them
        actions.state = state
        gesture.state_changed(state)
    clock.now += 3
    gesture.released()
    assert actions.heard == ["click", "press", "release"]


def test_push_to_talk_press_opens_the_turn_and_release_sends_it() -> None:
    actions, clock = HeardActions(S.READY, push_to_talk=True), Clock()
    gesture = TalkGesture(actions, clock)
    hold(gesture, clock, 0.05)
    hold(gesture, clock, 6.0)
    assert actions.heard == ["press", "release"] * 2


def test_hands_free_a_tap_is_a_click_and_a_hold_is_talking() -> None:
    actions, clock = HeardActions(S.LISTENING), Clock()
    gesture = TalkGesture(actions, clock)
    hold(gesture, clock, TAP_SECONDS / 2)
    assert actions.heard == ["click"]
    hold(gesture, clock, 6.0)  # the person talked: listening stays on
    assert actions.heard == ["click"]


def test_hands_free_a_press_over_an_answer_cuts_it_and_its_release_adds_nothing() -> None:
    actions, clock = HeardActions(S.ASSISTANT_SPEAKING), Clock()
    gesture = TalkGesture(actions, clock)
    gesture.pressed()
    actions.state = S.LISTENING
    clock.now += 0.1
    gesture.released()
    assert actions.heard == ["interrupt"]


def test_hands_free_the_answer_a_hold_asked_for_is_not_cancelled_by_its_release() -> None:
    actions, clock = HeardActions(S.LISTENING), Clock()
    gesture = TalkGesture(actions, clock)
    gesture.pressed()
    actions.state = S.ASSISTANT_SPEAKING  # the service heard the turn and answers
    clock.now += 4
    gesture.released()
    assert actions.heard == []


def test_a_release_without_a_press_is_nothing() -> None:
    actions = HeardActions(S.READY, push_to_talk=True)
    TalkGesture(actions, Clock()).released()
    assert actions.heard == []
