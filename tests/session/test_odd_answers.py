"""Answers the demo server never gives: silent media, an unusable SDP answer, a body that is no SDP.

A tiny behaving service (real aiohttp, a real aiortc answerer). For silent media it closes its peer
connection right after answering, so its candidates go quiet, the way a firewall that drops UDP looks
to the client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.realtime import SessionError
from desktop.realtime.config import ProviderKind, SessionConfig, Timeouts
from desktop.session import VoiceSession
from desktop.session.events import SessionState
from tests.session.harness import assert_nothing_left


class OddService:
    def __init__(self) -> None:
        self.answer = "silent_media"
        self.runner: web.AppRunner | None = None

    async def mint(self, _request: web.Request) -> web.Response:
        return web.json_response({"value": "ek_unreachable_test_key", "expires_at": 0})

    async def calls(self, request: web.Request) -> web.Response:
        if self.answer == "not_sdp":
            return web.Response(status=201, text="<html>Welcome to the captive portal</html>")
        if self.answer == "bad_sdp":
            return web.Response(status=201, text="v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n")
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        await pc.setRemoteDescription(RTCSessionDescription(await request.text(), "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        answer = pc.localDescription.sdp
        await pc.close()  # its ports close: the client's connectivity checks go unanswered
        return web.Response(status=201, text=answer, content_type="application/sdp")

    async def start(self) -> str:
        app = web.Application()
        app.add_routes(
            [web.post("/v1/realtime/client_secrets", self.mint), web.post("/v1/realtime/calls", self.calls)]
        )
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@pytest.fixture
async def service() -> AsyncIterator[OddService]:
    running = OddService()
    yield running
    await running.stop()


async def test_media_that_never_connects_times_out(service: OddService) -> None:
    timeouts = Timeouts(mint=1.0, sdp=1.0, ice=0.5, data_channel=0.5, session_updated=0.5)
    config = SessionConfig(provider=ProviderKind.OPENAI, endpoint=await service.start(), deployment="m",
                           api_key="sk-test", timeouts=timeouts)  # fmt: skip
    session = VoiceSession(config, SyntheticMicrophone(), RecordingSpeaker())
    with pytest.raises(SessionError, match=r"media connection \(ICE/DTLS\) was not established within 0.5 s"):
        await session.connect()
    assert session.state is SessionState.FAILED
    await assert_nothing_left(session, service.stop)


@pytest.mark.parametrize(
    ("answer", "sentence"),
    [("not_sdp", "was not a session description"), ("bad_sdp", "session description could not be used")],
)
async def test_unusable_answers_are_one_sentence(service: OddService, answer: str, sentence: str) -> None:
    service.answer = answer
    config = SessionConfig(
        provider=ProviderKind.OPENAI, endpoint=await service.start(), deployment="m", api_key="sk-test"
    )
    session = VoiceSession(config, SyntheticMicrophone(), RecordingSpeaker())
    with pytest.raises(SessionError, match=sentence):
        await session.connect()
    await assert_nothing_left(session, service.stop)
