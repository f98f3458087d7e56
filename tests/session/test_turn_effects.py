"""Turn-taking on its own: server events and presses of the talk button in, effects out. No session,
no connection, no loop."""

from __future__ import annotations

from desktop.realtime import client_events as ce
from desktop.realtime import server_events as ev
from desktop.session.effects import (
    Emit,
    EndToolRound,
    FlushSpeaker,
    RunToolCall,
    SendClientEvent,
    SetMicrophone,
    SetState,
    SettleTurn,
)
from desktop.session.events import (
    AssistantTranscript,
    ConnectionRenewed,
    ErrorRaised,
    SessionState,
    UserTranscript,
)
from desktop.session.turn_taking import TOO_LITTLE_AUDIO, TurnInputs, TurnTaking

LISTENING = TurnInputs(SessionState.LISTENING, tools_pending=False)
SPEAKING = TurnInputs(SessionState.ASSISTANT_SPEAKING, tools_pending=False)
CREATE = SendClientEvent(ce.response_create())


def _speaking(turns: TurnTaking, response: str = "r1", item: str = "a1", words: str = "Hello") -> None:
    """An answer under way: created, its audio playing, some words said."""
    turns.handle(ev.ResponseCreated(response), LISTENING)
    turns.handle(ev.OutputAudioStarted(response), LISTENING)
    turns.handle(ev.AssistantTextDelta(response, item, words), SPEAKING)


def test_one_response_at_a_time_and_the_wanted_one_follows() -> None:
    turns = TurnTaking(hands_free=True)
    assert turns.request_response() == [CREATE]
    assert turns.request_response() == []  # the service refuses a second: it is wanted for later
    assert turns.handle(ev.ResponseCreated("r1"), LISTENING) == [SetState(SessionState.THINKING)]
    done = ev.ResponseDone("r1", "completed", {}, [], {"input_tokens": 3, "output_tokens": 4})
    effects = turns.handle(done, LISTENING)
    assert effects[-2:] == [EndToolRound("r1", []), SettleTurn()]
    assert turns.settle_turn(LISTENING) == [CREATE, SetState(SessionState.THINKING)]


def test_a_finished_answer_settles_only_once_its_audio_has_played() -> None:
    turns = TurnTaking(hands_free=True)
    turns.request_response()
    _speaking(turns)
    turns.handle(ev.ResponseDone("r1", "completed", {}, []), SPEAKING)
    assert turns.settle_turn(SPEAKING) == []  # still playing: no flicker to LISTENING
    assert turns.handle(ev.OutputAudioStopped("r1"), SPEAKING) == [SetState(SessionState.LISTENING)]
    busy = TurnInputs(SessionState.ASSISTANT_SPEAKING, tools_pending=True)
    turns.handle(ev.OutputAudioStarted("r2"), LISTENING)
    assert turns.handle(ev.OutputAudioStopped("r2"), busy) == [SetState(SessionState.THINKING)]


def test_barge_in_flushes_the_speaker_only_when_something_plays() -> None:
    turns = TurnTaking(hands_free=True)
    assert turns.handle(ev.SpeechStarted("u1"), LISTENING) == [SetState(SessionState.USER_SPEAKING)]
    _speaking(turns)
    assert turns.handle(ev.SpeechStarted("u2"), SPEAKING) == [
        FlushSpeaker(),
        SetState(SessionState.USER_SPEAKING),
    ]
    # The service cancels the answer itself: the words said so far are kept, marked interrupted.
    effects = turns.handle(ev.ResponseDone("r1", "cancelled", {}, []), SPEAKING)
    assert Emit(AssistantTranscript("a1", "r1", "Hello", True, interrupted=True)) in effects
    assert turns.handle(ev.OutputAudioCleared(), SPEAKING)[0] == FlushSpeaker()


def test_interrupting_cancels_only_an_answer_still_generating() -> None:
    turns = TurnTaking(hands_free=True)
    _speaking(turns)
    clear = [SendClientEvent(ce.output_audio_clear()), FlushSpeaker()]
    assert turns.cut_assistant() == [SendClientEvent(ce.response_cancel()), *clear]
    turns.handle(ev.ResponseDone("r1", "completed", {}, []), SPEAKING)
    assert turns.cut_assistant() == clear  # generated, still playing: nothing left to cancel


def test_a_late_user_transcript_is_placed_after_what_came_before_it() -> None:
    turns = TurnTaking(hands_free=True)
    turns.handle(ev.InputCommitted("u1", previous_item_id="a0"), LISTENING)
    _speaking(turns)  # the answer began before the words were transcribed
    effects = turns.handle(ev.UserTranscriptDone("u1", "Book a room."), SPEAKING)
    assert effects == [Emit(UserTranscript("u1", "Book a room.", True, "a0"))]


def test_the_end_of_a_call_cuts_the_answer_short_and_owes_the_asked_one() -> None:
    turns = TurnTaking(hands_free=True)
    _speaking(turns)
    turns.request_response()  # asked while the answer was under way
    assert turns.call_ended() == [
        Emit(AssistantTranscript("a1", "r1", "Hello", True, interrupted=True)),
        FlushSpeaker(),
    ]
    assert turns.answer_owed and not turns.assistant_busy
    renewed = [SetMicrophone(True), Emit(ConnectionRenewed("connection_lost"))]
    assert turns.call_renewed("connection_lost") == [*renewed, CREATE, SetState(SessionState.THINKING)]
    assert not turns.answer_owed


def test_a_call_renewed_with_nothing_owed_settles_without_a_greeting() -> None:
    turns = TurnTaking(hands_free=False)
    assert turns.call_ended() == []
    assert turns.call_renewed("renewal") == [
        SetMicrophone(False),
        Emit(ConnectionRenewed("renewal")),
        SetState(SessionState.READY),
    ]


def test_the_talk_button_stops_the_assistant_and_commits_what_was_said() -> None:
    turns = TurnTaking(hands_free=False)
    _speaking(turns)
    press = turns.press_talk_button(at=10.0)
    assert press[0] == SendClientEvent(ce.input_audio_clear())
    assert SendClientEvent(ce.response_cancel()) in press and FlushSpeaker() in press
    assert press[-2:] == [SetMicrophone(True), SetState(SessionState.LISTENING)]
    assert turns.talking and turns.idle_state is SessionState.LISTENING
    turns.handle(ev.ResponseDone("r1", "cancelled", {}, []), LISTENING)
    turns.handle(ev.OutputAudioCleared(), LISTENING)
    held = turns.release_talk_button(at=12.5)
    assert held == 2.5 and not turns.talking
    assert turns.push_finished(held) == [
        SetMicrophone(False),
        SendClientEvent(ce.input_audio_commit()),
        CREATE,
        SetState(SessionState.THINKING),
    ]


def test_a_press_too_short_to_commit_is_dropped_with_one_sentence() -> None:
    turns = TurnTaking(hands_free=False)
    turns.press_talk_button(at=10.0)
    effects = turns.push_finished(turns.release_talk_button(at=10.05))
    assert effects == [
        SetMicrophone(False),
        SendClientEvent(ce.input_audio_clear()),
        Emit(ErrorRaised(TOO_LITTLE_AUDIO, code="input_audio_buffer_commit_empty")),
        SetState(SessionState.READY),
    ]
    turns.press_talk_button(at=11.0)
    assert turns.push_finished(1.0) == []  # pressed again meanwhile: that press cleared the audio


def test_function_calls_run_and_refusals_are_one_sentence() -> None:
    turns = TurnTaking(hands_free=True)
    call = ev.FunctionCallDone("r1", "call_1", "createMeeting", "{}")
    assert turns.handle(call, LISTENING) == [RunToolCall("r1", "call_1", "createMeeting", "{}")]
    turns.request_response()
    refused = ev.ServerError("busy", "conversation_already_has_active_response", "invalid_request_error", "")
    [error] = turns.handle(refused, LISTENING)
    assert isinstance(error, Emit) and isinstance(error.event, ErrorRaised)
    assert turns.request_response() == [CREATE]  # the refused request is not waited for
    harmless = ev.ServerError("", "response_cancel_not_active", "invalid_request_error", "")
    assert turns.handle(harmless, LISTENING) == []
