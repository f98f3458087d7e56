"""A service whose SDP answer points at media addresses nobody listens on: the ICE step times out.

A tiny behaving service (real aiohttp, a real aiortc answerer) that closes its peer connection right
after answering, so its candidates go silent, the way a firewall that drops UDP looks to the client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from desktop.audio.synthetic import RecordingSpeaker, SyntheticMicrophone
from desktop.events import SessionState
from desktop.realtime.config import ProviderKind, SessionConfig, Timeouts
from desktop.session import SessionError, VoiceSession
from tests.session.harness import assert_nothing_left


class UnreachableMediaService:
    def __init__(self) -> None:
        self.runner: web.AppRunner | None = None

    async def mint(self, _request: web.Request) -> web.Response:
        return web.json_response({"value": "ek_unreachable_test_key", "expires_at": 0})

    async def calls(self, request: web.Request) -> web.Response:
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
async def service() -> AsyncIterator[UnreachableMediaService]:
    running = UnreachableMediaService()
    yield running
    await running.stop()


async def test_media_that_never_connects_times_out(service: UnreachableMediaService) -> None:
    timeouts = Timeouts(mint=1.0, sdp=1.0, ice=0.5, data_channel=0.5, session_updated=0.5)
    config = SessionConfig(provider=ProviderKind.OPENAI, endpoint=await service.start(), deployment="m",
                           api_key="sk-test", timeouts=timeouts)  # fmt: skip
    session = VoiceSession(config, SyntheticMicrophone(), RecordingSpeaker())
    with pytest.raises(SessionError, match=r"media connection \(ICE/DTLS\) was not established within 0.5 s"):
        await session.connect()
    assert session.state is SessionState.FAILED
    await assert_nothing_left(session, service.stop)
