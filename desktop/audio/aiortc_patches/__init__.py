"""Everything the app changes in aiortc, in one place: `install()` once at start-up, before any call.

aiortc looks each name below up in its module every time it uses it, so replacing the name there
changes every peer connection made afterwards, in the whole process (the built-in demo server's calls
too). Each entry point calls `install()` once: the app (`AppSessionFactory`, before its first call or
check; the self-test runs the app), `--check`, `python -m desktop.demo`, the tests (a session fixture
in tests/conftest.py) and the benchmarks. Calling it again changes nothing; nothing else in the app
replaces anything in aiortc. The modules of this package are its parts, used by nothing else.

patch                replaced in aiortc (module.name)             written against
jitter buffer        aiortc.rtcrtpreceiver.JitterBuffer            aiortc 1.16
audio level          aiortc.rtp.compute_audio_level_dbov           aiortc 1.16
inline decoding      aiortc.rtcpeerconnection.RTCRtpReceiver       aiortc 1.16
pushed remote track  aiortc.rtcpeerconnection.RemoteStreamTrack    aiortc 1.16

- jitter buffer (jitter_buffer.py): audio receivers get `HoleSkippingJitterBuffer`, video keeps aiortc's.
  Why: aiortc's holds every frame until four newer ones have come and falls further behind after each
  lost packet; ours releases a packet as soon as it is next and conceals a loss at once, so the delay
  stays low under loss (wire-to-ear under loss: docs/measurements.md, Audio path).
- audio level (audio_level.py): the RFC 6465 level of every sent frame, the same values computed in C.
  Why: aiortc's per-sample Python loop was the largest Python cost of a call (its CPU share:
  docs/measurements.md, Audio path).
- inline decoding (inline_decoding.py): audio receivers decode on the event loop where the frame leaves
  the jitter buffer, instead of in aiortc's decoder thread; it sets the receiver's name-mangled
  `_RTCRtpReceiver__decoder_queue`. Why: each frame's hand-back from the thread to the loop costs more
  than decoding it (decode time per frame: docs/measurements.md, Audio path).
- pushed remote track (remote_track.py): the remote track hands each frame to its subscriber (the
  speaker) instead of being pulled by a task. Why: the pull costs a future, a task wake-up and, under
  qasync, a Qt wake-up 50 times a second, for nothing where both ends are ours (the client CPU of a
  call: docs/measurements.md, Audio path).

pyproject.toml pins aiortc to 1.16 (`>=1.16,<1.17`). Each patch names the aiortc code it replaces or
relies on (`relies_on`); tests/audio/test_aiortc_patches.py keeps a digest of that code's source and
fails, naming the patch to re-check, when an aiortc release changes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from aiortc import rtcpeerconnection, rtcrtpreceiver, rtp

from desktop.audio.aiortc_patches.audio_level import compute_audio_level_dbov
from desktop.audio.aiortc_patches.inline_decoding import InlineDecodingReceiver
from desktop.audio.aiortc_patches.jitter_buffer import buffer_for
from desktop.audio.aiortc_patches.remote_track import PushedRemoteTrack

WRITTEN_AGAINST = "1.16"  # the aiortc release every patch was written against (pyproject.toml's pin)


@dataclass(frozen=True)
class Patch:
    """One name in an aiortc module, replaced."""

    name: str
    module: ModuleType  # where aiortc looks the name up
    attribute: str
    replacement: object
    # The aiortc code the replacement stands in for or relies on, as "module:QualifiedName".
    relies_on: tuple[str, ...]
    written_against: str = WRITTEN_AGAINST

    @property
    def replaced(self) -> str:
        return f"{self.module.__name__}.{self.attribute}"

    def apply(self) -> None:
        setattr(self.module, self.attribute, self.replacement)

    def applied(self) -> bool:
        return getattr(self.module, self.attribute, None) is self.replacement


PATCHES = (
    Patch(
        "jitter buffer", rtcrtpreceiver, "JitterBuffer", buffer_for,
        relies_on=(
            "aiortc.jitterbuffer:JitterBuffer",
            "aiortc.jitterbuffer:JitterFrame",
            "aiortc.rtcrtpreceiver:RTCRtpReceiver.__init__",  # calls JitterBuffer(...) by that name
            "aiortc.rtcrtpreceiver:RTCRtpReceiver._handle_rtp_packet",  # add(), capacity, packet._data
        ),
    ),
    Patch(
        "audio level", rtp, "compute_audio_level_dbov", compute_audio_level_dbov,
        relies_on=(
            "aiortc.rtp:compute_audio_level_dbov",  # the values ours must equal
            "aiortc.rtcrtpsender:RTCRtpSender._next_encoded_frame",  # looks it up in aiortc.rtp
        ),
    ),
    Patch(
        "inline decoding", rtcpeerconnection, "RTCRtpReceiver", InlineDecodingReceiver,
        relies_on=(
            "aiortc.rtcrtpreceiver:RTCRtpReceiver",  # its private decoder queue, error flag and track
            "aiortc.rtcrtpreceiver:decoder_worker",  # what the idle thread does with the queue
            "aiortc.rtcpeerconnection:RTCPeerConnection.__createTransceiver",  # RTCRtpReceiver(...)
        ),
    ),
    Patch(
        "pushed remote track", rtcpeerconnection, "RemoteStreamTrack", PushedRemoteTrack,
        relies_on=(
            "aiortc.rtcrtpreceiver:RemoteStreamTrack",  # its _queue, recv() and stop()
            "aiortc.rtcrtpreceiver:decoder_worker",  # puts frames and the end on that queue
            "aiortc.rtcpeerconnection:RTCPeerConnection.setRemoteDescription",  # RemoteStreamTrack(...)
        ),
    ),
)  # fmt: skip


def install() -> None:
    for patch in PATCHES:
        patch.apply()


def installed() -> bool:
    return all(patch.applied() for patch in PATCHES)
