"""aiortc's patches (desktop/audio/aiortc_patches): installed once, and still fitting the pinned aiortc.

Each patch names the aiortc code it replaces or relies on. A digest of that code's source, as aiortc 1.16
wrote it, is recorded here: a release that changes any of it fails the test with the patch to re-check.
After re-checking (and adapting) the patch, record the new digests printed in the failure.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import re
from pathlib import Path

import aiortc
import pytest

from desktop.audio import aiortc_patches
from desktop.audio.aiortc_patches import PATCHES, Patch

ROOT = Path(__file__).resolve().parents[2]
RECORDED = {
    "aiortc.jitterbuffer:JitterBuffer": "7ac35d8598136274",
    "aiortc.jitterbuffer:JitterFrame": "b53f01cfaca3b726",
    "aiortc.rtcrtpreceiver:RTCRtpReceiver.__init__": "6dbdf3870580045b",
    "aiortc.rtcrtpreceiver:RTCRtpReceiver._handle_rtp_packet": "fa16b7580887aea0",
    "aiortc.rtp:compute_audio_level_dbov": "efa68f4bc5ccd854",
    "aiortc.rtcrtpsender:RTCRtpSender._next_encoded_frame": "3952848650ecdde6",
    "aiortc.rtcrtpreceiver:RTCRtpReceiver": "39c5730211cf7be9",
    "aiortc.rtcrtpreceiver:decoder_worker": "d4d16e2781aa52fa",
    "aiortc.rtcpeerconnection:RTCPeerConnection.__createTransceiver": "d36d4c8a41a9b1e7",
    "aiortc.rtcrtpreceiver:RemoteStreamTrack": "99c9190c9569a0d1",
    "aiortc.rtcpeerconnection:RTCPeerConnection.setRemoteDescription": "0d61404f62355b2d",
}
Definition = ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef


def source_digest(where: str) -> str:
    """A digest of the source of `module:Qualified.name`, read from aiortc's file (never the live
    object: some are replaced by then)."""
    module, qualified = where.split(":")
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, f"aiortc has no module {module}"
    source = Path(spec.origin).read_text(encoding="utf-8")
    node: ast.AST = ast.parse(source)
    for name in qualified.split("."):
        found = [n for n in ast.iter_child_nodes(node) if isinstance(n, Definition) and n.name == name]
        assert found, f"aiortc's {module} has no {qualified}"
        node = found[0]
    segment = ast.get_source_segment(source, node)
    assert segment is not None
    return hashlib.sha256(segment.encode()).hexdigest()[:16]


@pytest.mark.parametrize("patch", PATCHES, ids=lambda patch: patch.name)
def test_the_aiortc_code_each_patch_relies_on_is_unchanged(patch: Patch) -> None:
    changed = {where: source_digest(where) for where in patch.relies_on}
    changed = {where: digest for where, digest in changed.items() if RECORDED.get(where) != digest}
    assert not changed, (
        f"aiortc {aiortc.__version__} changed code the {patch.name!r} patch ({patch.replaced}) was written "
        f"against in aiortc {patch.written_against}: re-check that patch in desktop/audio/aiortc_patches/, "
        f"then record these digests in {Path(__file__).name}: {changed}"
    )


def test_every_recorded_digest_belongs_to_a_patch() -> None:
    assert set(RECORDED) == {where for patch in PATCHES for where in patch.relies_on}


def test_the_pin_is_the_release_the_patches_were_written_against() -> None:
    pin = re.search(r'"aiortc>=([\d.]+),<([\d.]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pin is not None, "pyproject.toml no longer pins aiortc to one minor release"
    assert {patch.written_against for patch in PATCHES} == {pin.group(1)}
    assert aiortc.__version__.startswith(pin.group(1) + ".")


def test_installed_once_at_start_up_and_again_changes_nothing() -> None:
    assert aiortc_patches.installed()  # by tests/conftest.py, as the app at start-up
    aiortc_patches.install()
    assert aiortc_patches.installed()
    for patch in PATCHES:
        assert getattr(patch.module, patch.attribute) is patch.replacement, patch.replaced
