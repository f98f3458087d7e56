"""The calls of one session, and handing the conversation from one call to the next.

It owns the active call (a ModelCall), the replaced ones still closing, and the microphone fan-out they
share; it sets up a new call with the configuration as it is now, and on a switch it replays the
conversation into the new call, ends what was under way in the old one, and owes an answer only
when one was asked for (a tool's result, a question that got none): never a greeting. This is the
Reconnectable that desktop.session.reconnect.Reconnector drives; the session keeps the turn-taking.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Coroutine
from typing import Any, Protocol

from desktop.audio import AudioInput, AudioOutput
from desktop.realtime import (
    Dialect,
    Provider,
    ServerEvent,
    SessionConfig,
    SessionError,
    TrackFanout,
    TurnDetection,
    build_instructions,
    provider_for,
)
from desktop.realtime import client_events as ce
from desktop.session.events import AppEvent, ConnectionRenewed, SessionState
from desktop.session.history import ConversationHistory
from desktop.session.model_call import ModelCall
from desktop.session.tool_calls import ToolCalls
from desktop.session.turn_taking import TurnTaking
from desktop.tools import ToolExecutor

log = logging.getLogger(__name__)

_QUIET = (SessionState.READY, SessionState.LISTENING)


class HandoverSession(Protocol):
    """What the handover needs from the session."""

    @property
    def state(self) -> SessionState: ...

    @property
    def idle_state(self) -> SessionState: ...

    @property
    def hands_free(self) -> bool: ...

    @property
    def talking(self) -> bool:
        """The talk button is held."""
        ...

    def emit(self, event: AppEvent) -> None: ...

    def set_state(self, state: SessionState, detail: str = "") -> None: ...

    def dispatch(self, event: ServerEvent) -> None: ...

    def lost(self, link: ModelCall, error: SessionError) -> None: ...

    def call_ended(self) -> None:
        """The active call stops counting (a held talk button, for one, is let go)."""
        ...

    async def fail(self, error: SessionError) -> None: ...

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None: ...


def detection(config: SessionConfig, hands_free: bool) -> TurnDetection | None:
    if not hands_free:
        return None
    return config.turn_detection if config.turn_detection.mode != "none" else TurnDetection()


class CallHandover:
    def __init__(
        self,
        conversation: HandoverSession,
        config: SessionConfig,
        tools: ToolExecutor | None,
        audio: tuple[AudioInput, AudioOutput],
        parts: tuple[TurnTaking, ToolCalls, ConversationHistory],
    ) -> None:
        self._conversation = conversation
        self._config = config
        self._tools = tools
        self._audio_in, self._audio_out = audio
        self._turns, self._calls, self._record = parts
        self.link: ModelCall | None = None
        self.ready = False  # session.updated arrived on the active call
        self.answer_due = False  # a response is owed once a call is up again
        self.dialect = Dialect.GA
        self.changed = asyncio.Event()  # set by the session on every event: a quiet moment may have come
        self._provider: Provider | None = None
        self._fanout: TrackFanout | None = None
        self._retired: set[ModelCall] = set()  # replaced calls still closing

    def prepare(self) -> None:
        """Resolve the provider (SessionError when misconfigured) and share the started microphone."""
        self._provider = provider_for(self._config)
        self.dialect = self._provider.dialect
        self._fanout = TrackFanout(self._audio_in.track)

    async def open_first(self) -> None:
        link = self.link = self._new_link()
        link.activate(self._audio_out.attach)
        await link.open(self._session_update())
        self.ready = True

    def _new_link(self) -> ModelCall:
        assert self._provider is not None and self._fanout is not None
        return ModelCall(
            self._config,
            self._provider,
            self._fanout.branch(),
            on_event=self._conversation.dispatch,
            on_raw=self._conversation.emit,
            on_lost=self._conversation.lost,
            expecting_media=lambda: self._turns.audio_playing,
        )

    def _session_update(self) -> dict[str, Any]:
        """The configuration, as it is now (hands-free may have been switched since connecting)."""
        tools = self._config.tools or tuple(self._tools.schemas() if self._tools else ())
        settings = ce.SessionSettings.from_config(
            self._config, build_instructions(self._config.instructions), tools
        )
        hands_free = self._conversation.hands_free
        settings = dataclasses.replace(settings, turn_detection=detection(self._config, hands_free))
        return ce.session_update(self.dialect, settings)

    # The Reconnectable of desktop.session.reconnect.Reconnector.
    @property
    def quiet(self) -> bool:
        """Nobody speaking, nothing generating or playing, no tool call open: a call may be swapped."""
        return (
            self.ready
            and self._conversation.state in _QUIET
            and not self._conversation.talking
            and not self._turns.assistant_busy
            and not self._calls.pending
        )

    async def until_quiet(self) -> None:
        while not self.quiet:
            self.changed.clear()
            with contextlib.suppress(TimeoutError):  # quiet also depends on things that emit nothing
                async with asyncio.timeout(0.25):
                    await self.changed.wait()

    def set_state(self, state: SessionState, detail: str = "") -> None:
        self._conversation.set_state(state, detail)

    async def fail(self, error: SessionError) -> None:
        await self._conversation.fail(error)

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
        return self._conversation.spawn(work)

    async def open_link(self) -> ModelCall:
        link = self._new_link()
        await link.open(self._session_update())
        return link

    def take_over(self, link: ModelCall, reason: str) -> ModelCall | None:
        """Replay the conversation into `link` and make it the active call; returns the one it replaces."""
        old = self.detach() if self.link is not None else None
        replay = self._record.replay(self.dialect)
        sent = 0
        for event in replay:
            with contextlib.suppress(SessionError):  # an item too large to send is left out
                link.send(event)
                sent += 1
        held = len(self._record)  # before trimming to the budget
        log.info(
            "The call was renewed (%s): %d of %d conversation items replayed%s%s",
            reason,
            sent,
            held,
            f" (the oldest {held - len(replay)} left out to fit)" if len(replay) < held else "",
            ", an answer is owed" if self.answer_due else "",
        )
        self.link, self.ready = link, True
        link.activate(self._audio_out.attach)
        self._audio_in.set_open(self._conversation.hands_free)
        self._conversation.emit(ConnectionRenewed(reason))
        if self.answer_due:  # no greeting on a renewed call, but an owed answer (e.g. a tool's result)
            self.answer_due = False
            self._turns.request_response()
            self._conversation.set_state(SessionState.THINKING)
        else:
            self._conversation.set_state(self._conversation.idle_state)
        return old

    def detach(self) -> ModelCall | None:
        """The active call stops counting: what was under way in it ends here."""
        link, self.link, self.ready = self.link, None, False
        if link is not None:
            link.active = False
            self._retired.add(link)
        self._conversation.call_ended()
        self.answer_due = self._turns.reset() or self.answer_due
        self._calls.connection_lost()
        return link

    async def retire(self, link: ModelCall) -> None:
        await link.close()
        self._retired.discard(link)

    async def close(self) -> None:
        """Every call and the fan-out; the session stops the audio devices itself."""
        for link in [*self._retired, *([self.link] if self.link is not None else [])]:
            await link.close()
        self._retired.clear()
        if self._fanout is not None:
            await self._fanout.close()
