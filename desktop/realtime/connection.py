"""One WebRTC call to a realtime model: mint, SDP exchange, media and the event data channel.

The audio transceiver and the data channel exist before the offer (no renegotiation later); the
offer's HTTP exchange is sdp_offer.py's.
Every failure becomes a SessionError with one sentence; the keys never appear in one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.exceptions import InvalidStateError
from aiortc.mediastreams import MediaStreamTrack

from desktop.realtime.config import SessionConfig
from desktop.realtime.errors import SessionError
from desktop.realtime.liveness import Liveness, still_receiving
from desktop.realtime.masking import Masker
from desktop.realtime.message_size import DEFAULT_MAX_MESSAGE_SIZE, encoded_within, max_message_size
from desktop.realtime.providers import Provider
from desktop.realtime.sdp_offer import post_offer

log = logging.getLogger(__name__)

CLOSED_WHILE_CONNECTING = "The connection was closed while it was being set up."

MessageHandler = Callable[[str], None]
TrackHandler = Callable[[MediaStreamTrack], None]
LostHandler = Callable[[SessionError], None]


class Connection:
    def __init__(
        self,
        config: SessionConfig,
        provider: Provider,
        audio_track: MediaStreamTrack,
        *,
        on_message: MessageHandler,
        on_track: TrackHandler,
        on_lost: LostHandler,
        expecting_media: Callable[[], bool] = lambda: False,
    ) -> None:
        self._config = config
        self._provider = provider
        self._audio_track = audio_track
        self._on_message = on_message
        self._on_track = on_track
        self._on_lost = on_lost
        self._expecting_media = expecting_media
        self.masker = Masker([*provider.secrets, config.ice_credential])
        self.max_message_size = DEFAULT_MAX_MESSAGE_SIZE
        self._pc: RTCPeerConnection | None = None
        self._channel: Any = None
        self._pending: list[str] = []
        self._opened = asyncio.Event()
        self._progress = asyncio.Event()  # any state change while connecting
        self._closing = False
        self._lost_reported = False
        self._liveness: Liveness | None = None

    @property
    def peer_connection(self) -> RTCPeerConnection | None:
        return self._pc

    @property
    def is_open(self) -> bool:
        return self._channel is not None and self._channel.readyState == "open"

    async def open(self, on_step: Callable[[str], None] | None = None) -> None:
        """Mint, offer, answer, ICE/DTLS, data channel open; on failure everything is closed again."""
        step = on_step or (lambda _name: None)
        try:
            await self._open(step)
        except InvalidStateError:
            # Only a close from outside (hang_up) puts the peer connection in a state aiortc refuses.
            await self.close()
            raise SessionError(CLOSED_WHILE_CONNECTING, code="closed") from None
        except BaseException:
            await self.close()
            raise

    async def _open(self, step: Callable[[str], None]) -> None:
        timeouts = self._config.timeouts
        async with aiohttp.ClientSession() as http:
            ephemeral, offer_sdp = await self._mint_while_offering(http, step)
            limit = self._config.timeouts.sdp
            answer_sdp = await post_offer(http, self._provider, self.masker, ephemeral, offer_sdp, limit)
        del ephemeral  # the ephemeral key lives only as long as the SDP exchange needs it
        step("sdp")
        self._ensure_not_closing()
        await self._apply_answer(answer_sdp)
        assert self._pc is not None
        pc = self._pc
        await self._wait(
            self._until(lambda: pc.connectionState == "connected"),
            timeouts.ice,
            "ice_timeout",
            "The media connection (ICE/DTLS) was not established within {t} s.",
        )
        step("ice")
        await self._wait(
            self._until(self._opened.is_set),
            timeouts.data_channel,
            "channel_timeout",
            "The event channel did not open within {t} s.",
        )
        step("data_channel")
        self._ensure_not_closing()
        self._liveness = Liveness(pc, timeouts.liveness, self._lost, self._expecting_media)
        self._liveness.start()

    async def _mint_while_offering(
        self, http: aiohttp.ClientSession, step: Callable[[str], None]
    ) -> tuple[str, str]:
        """The key is minted while the peer connection makes its offer (ICE gathering included):
        neither needs the other. A failed mint is the failure, as when it came first; the offer
        under way is then cancelled (and its peer connection closed by `open`)."""
        minting = asyncio.create_task(self._provider.mint(http, self._config.timeouts.mint))
        offering = asyncio.create_task(self._make_offer())
        try:
            ephemeral = await minting
            self.masker.add(ephemeral)
            step("mint")
            return ephemeral, await offering
        finally:
            await _settled(offering)

    async def still_receiving(self, seconds: float) -> bool:
        """A quick check after a network change or a wake-up: does the service still reach us?"""
        if self._closing or self._pc is None or not self.is_open:
            return False
        return await still_receiving(self._pc, seconds)

    def _ensure_not_closing(self) -> None:
        # hang_up may close us while a step awaits: never create or keep anything after that.
        if self._closing:
            raise SessionError(CLOSED_WHILE_CONNECTING, code="closed")

    async def _make_offer(self) -> str:
        self._ensure_not_closing()
        servers = [
            RTCIceServer(  # None rather than "": a plain stun: URL takes no credentials
                urls=url,
                username=self._config.ice_username or None,
                credential=self._config.ice_credential or None,
            )
            for url in self._config.ice_servers
        ]
        pc = RTCPeerConnection(RTCConfiguration(iceServers=servers))
        self._pc = pc
        pc.addTransceiver(self._audio_track, direction="sendrecv")
        channel = pc.createDataChannel(self._provider.channel_label)
        self._channel = channel
        channel.on("open", self._channel_opened)
        channel.on("message", self._received)
        channel.on("close", self._channel_closed)
        pc.on("track", self._track)
        pc.on("connectionstatechange", self._state_changed)
        await pc.setLocalDescription(await pc.createOffer())
        return pc.localDescription.sdp

    async def _apply_answer(self, answer_sdp: str) -> None:
        assert self._pc is not None
        self.max_message_size = max_message_size(answer_sdp)
        try:
            await self._pc.setRemoteDescription(RTCSessionDescription(sdp=answer_sdp, type="answer"))
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            log.debug("unusable SDP answer: %s", exc)
            raise SessionError(
                "The service's session description could not be used.", code="sdp_invalid", retryable=False
            ) from None

    async def _until(self, reached: Callable[[], bool]) -> None:
        """Wait for `reached`, re-checked on every state change; a failed connection ends the wait."""
        assert self._pc is not None
        while not reached():
            self._ensure_not_closing()  # our own close is no ICE failure (auto would fall back)
            if self._pc.connectionState in ("failed", "closed"):
                raise SessionError(
                    "The media connection (ICE/DTLS) to the service failed.", code="ice_failed"
                )
            if self._channel.readyState == "closed":
                raise SessionError(
                    "The service closed the event channel while connecting.", code="channel_closed"
                )
            self._progress.clear()
            await self._progress.wait()

    @staticmethod
    async def _wait(awaitable: Any, limit: float, code: str, sentence: str) -> None:
        try:
            async with asyncio.timeout(limit):
                await awaitable
        except TimeoutError:
            raise SessionError(sentence.format(t=f"{limit:g}"), code=code) from None

    def send(self, event: dict[str, Any]) -> None:
        """Send now, or queue until the channel opens; refuse events over the remote's size limit."""
        text = encoded_within(event, self.max_message_size)
        if self.is_open:
            self._channel.send(text)
        else:
            self._pending.append(text)

    def _channel_closed(self) -> None:
        self._progress.set()
        self._lost("The connection to the service was lost (its event channel closed).")

    def _channel_opened(self) -> None:
        pending, self._pending = self._pending, []
        for text in pending:
            self._channel.send(text)
        self._opened.set()
        self._progress.set()

    def _received(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            message = message.decode("utf-8", errors="replace")
        try:
            self._on_message(message)
        except Exception:  # raised here, it would end aiortc's SCTP receive loop, and the call with it
            log.exception("handling a server event failed")

    def _track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            self._on_track(track)

    def _state_changed(self) -> None:
        self._progress.set()
        if self._pc is not None and self._pc.connectionState in ("failed", "closed"):
            self._lost("The connection to the service was lost.")

    def _lost(self, sentence: str) -> None:
        # Only a drop after the channel opened is a "lost" connection; earlier ones fail open().
        if self._closing or self._lost_reported or not self._opened.is_set():
            return
        self._lost_reported = True
        self._on_lost(SessionError(sentence, code="connection_lost"))

    async def close(self) -> None:
        """Close the data channel and the peer connection; safe to call twice."""
        self._closing = True
        if self._liveness is not None:
            await self._liveness.stop()
            self._liveness = None
        if self._channel is not None:
            with contextlib.suppress(Exception):
                self._channel.close()
        if self._pc is not None:
            await self._pc.close()


async def _settled(task: asyncio.Task[Any]) -> None:
    """`task` (the offer) finished, cancelled first if it was still running; its failure is not raised
    (the caller already has the one to report, the mint's) but logged at debug level, so asyncio does
    not call it never retrieved and the log still has it."""
    if not task.done():
        task.cancel()
        await asyncio.wait({task})
    if not task.cancelled() and (error := task.exception()) is not None:
        log.debug("Making the offer failed as well", exc_info=error)
