"""The calls of one session, and handing the conversation from one call to the next.

It owns the active call (a ModelCall), the replaced ones still closing, and the microphone fan-out they
share; it sets up each new call with the configuration as it is now, and on a switch it replays the
conversation into the new call before that call becomes the active one. It is not handed the session:
what a switch means for the conversation (an answer cut short, an answer owed, the state) is the
session's to apply (VoiceSession._take_over), and when to switch is desktop.session.reconnect's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop.audio import AudioInput, AudioOutput, TrackFanout
from desktop.realtime import (
    Connection,
    Dialect,
    Masker,
    Provider,
    ServerError,
    SessionConfig,
    SessionError,
    TurnDetection,
    build_instructions,
    provider_for,
)
from desktop.realtime import client_events as ce
from desktop.session.effects import Effect
from desktop.session.history import ConversationHistory
from desktop.session.model_call import ConnectionFactory, EventHandler, ModelCall, RawHandler
from desktop.session.replay_record import ReplayRecord
from desktop.tools import ToolExecutor

log = logging.getLogger(__name__)


def detection(config: SessionConfig, hands_free: bool) -> TurnDetection | None:
    if not hands_free:
        return None
    return config.turn_detection if config.turn_detection.mode != "none" else TurnDetection()


@dataclass(frozen=True, slots=True)
class CallListeners:
    """Where the active call's server events, wire log and loss go, and what the session knows that
    setting up or watching a call needs."""

    on_event: EventHandler
    on_raw: RawHandler
    on_lost: Callable[[SessionError], None]  # the active call was lost (not a replaced or waiting one)
    expecting_media: Callable[[], bool]  # the assistant's answer is playing: audio must keep arriving
    hands_free: Callable[[], bool]  # server turn detection on, for the next call's session.update


class CallHandover:
    def __init__(
        self,
        config: SessionConfig,
        tools: ToolExecutor | None,
        audio: tuple[AudioInput, AudioOutput],
        listeners: CallListeners,
        *,
        connect: ConnectionFactory = Connection,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._tools = tools
        self._audio_in, self._audio_out = audio
        self._listeners = listeners
        self._connect = connect
        self._clock = clock
        self.model_call: ModelCall | None = None
        self.ready = False  # session.updated arrived on the active call
        self.dialect = Dialect.GA
        self._provider: Provider | None = None
        self._fanout: TrackFanout | None = None
        self._retired: set[ModelCall] = set()  # replaced calls still closing
        self._replayed = ReplayRecord()

    def prepare(self) -> None:
        """Resolve the provider (SessionError when misconfigured) and share the started microphone."""
        self._provider = provider_for(self._config)
        self.dialect = self._provider.dialect
        self._fanout = TrackFanout(self._audio_in.track)

    async def open_first(self) -> None:
        model_call = self.model_call = self._new_model_call()
        model_call.activate(self._audio_out.attach)
        await model_call.open(self._session_update())
        self.ready = True

    async def open_call(self) -> ModelCall:
        """A new call, connected and configured, not yet active (its events wait for `switch_to`)."""
        model_call = self._new_model_call()
        await model_call.open(self._session_update())
        return model_call

    def switch_to(
        self, model_call: ModelCall, history: ConversationHistory, reason: str, answer_owed: bool
    ) -> None:
        """Replay the conversation into `model_call` and make it the active call. The old one was
        detached first (`detach`): one call is active at a time. `reason` and `answer_owed` are for
        the log line."""
        assert self.model_call is None, "detach the active call before switching to another"
        replay = self._replayed.stamp(history.replay(self.dialect), self.dialect)
        sent = 0
        for event in replay:
            with contextlib.suppress(SessionError):  # an item too large to send is left out
                model_call.send(event)
                sent += 1
        held = len(history)  # before trimming to the budget
        log.info(
            "The call was renewed (%s): %d of %d conversation items replayed%s%s",
            reason,
            sent,
            held,
            f" (the oldest {held - len(replay)} left out to fit)" if len(replay) < held else "",
            ", an answer is owed" if answer_owed else "",
        )
        self.model_call, self.ready = model_call, True
        model_call.activate(self._audio_out.attach)

    def replay_refused(self, error: ServerError) -> list[Effect] | None:
        """What to do when `error` refuses part of the last replay (`ReplayRecord.refused`); None when
        it is about something else."""
        return self._replayed.refused(error)

    def detach(self) -> ModelCall | None:
        """The active call stops counting (it closes with `retire`); returns it."""
        model_call, self.model_call, self.ready = self.model_call, None, False
        if model_call is not None:
            model_call.active = False
            self._retired.add(model_call)
        return model_call

    def mask(self, text: str) -> str:
        """`text` without the keys of the active call (or, between calls, the configured key)."""
        model_call = self.model_call
        return model_call.mask(text) if model_call is not None else Masker([self._config.api_key]).text(text)

    async def retire(self, model_call: ModelCall) -> None:
        await model_call.close()
        self._retired.discard(model_call)

    async def close(self) -> None:
        """Every call and the fan-out; the session stops the audio devices itself."""
        for model_call in [*self._retired, *([self.model_call] if self.model_call is not None else [])]:
            await model_call.close()
        self._retired.clear()
        if self._fanout is not None:
            await self._fanout.close()

    def _new_model_call(self) -> ModelCall:
        assert self._provider is not None and self._fanout is not None
        listeners = self._listeners
        return ModelCall(
            self._config,
            self._provider,
            self._fanout.branch(),
            on_event=listeners.on_event,
            on_raw=listeners.on_raw,
            on_lost=self._lost,
            expecting_media=listeners.expecting_media,
            connect=self._connect,
            clock=self._clock,
        )

    def _lost(self, model_call: ModelCall, error: SessionError) -> None:
        if model_call is self.model_call:
            self._listeners.on_lost(error)

    def _session_update(self) -> dict[str, Any]:
        """The configuration, as it is now (hands-free may have been switched since connecting)."""
        tools = self._config.tools or tuple(self._tools.schemas() if self._tools else ())
        settings = ce.SessionSettings.from_config(
            self._config, build_instructions(self._config.instructions), tools
        )
        hands_free = detection(self._config, self._listeners.hands_free())
        return ce.session_update(self.dialect, dataclasses.replace(settings, turn_detection=hands_free))
