"""The playout buffer's rules, without a sound card: prebuffer, cap, drift trimming, flush."""

from __future__ import annotations

import pytest

from desktop.audio.playout import PlayoutBuffer

MS = 48 * 2 * 2  # bytes per millisecond, s16 stereo 48 kHz


def read(buffer: PlayoutBuffer, ms: int) -> int:
    out = memoryview(bytearray(ms * MS))
    return buffer.read_into(out) // MS


def test_nothing_plays_before_the_prebuffer_is_filled() -> None:
    buffer = PlayoutBuffer(48000, 2)
    buffer.write(bytes(20 * MS))
    assert read(buffer, 20) == 0
    buffer.write(bytes(20 * MS))
    assert read(buffer, 20) == 20


def test_an_underrun_rebuilds_the_prebuffer() -> None:
    buffer = PlayoutBuffer(48000, 2)
    buffer.write(bytes(40 * MS))
    assert read(buffer, 60) == 40
    buffer.write(bytes(20 * MS))
    assert read(buffer, 20) == 0


def test_running_dry_counts_once_per_gap_even_at_a_block_boundary() -> None:
    buffer = PlayoutBuffer(48000, 2)
    assert read(buffer, 20) == 0  # still priming: not a gap in playback
    buffer.write(bytes(40 * MS))
    assert (read(buffer, 20), read(buffer, 20)) == (20, 20)  # exactly empty, nothing missed yet
    assert buffer.underruns == 0
    assert read(buffer, 20) == 0  # the next block finds nothing: a gap
    assert read(buffer, 20) == 0  # rebuilding the prebuffer: the same gap
    assert buffer.underruns == 1


def test_the_cap_drops_the_oldest_audio() -> None:
    buffer = PlayoutBuffer(48000, 2)
    buffer.write(bytes(100 * MS))
    buffer.write(b"\x01" * (60 * MS))
    assert buffer.buffered_seconds == pytest.approx(0.12)
    assert buffer.dropped_seconds == pytest.approx(0.04)


def test_a_surplus_that_never_drains_is_trimmed() -> None:
    buffer = PlayoutBuffer(48000, 2, drift_window=0.0)
    buffer.write(bytes(100 * MS))
    read(buffer, 20)  # playing; 80 ms left before the next write, which is 60 ms more than needed
    buffer.write(bytes(20 * MS))
    assert buffer.buffered_seconds == pytest.approx(0.04)  # 20 ms trough + the new 20 ms


def test_a_surplus_in_the_middle_of_speech_waits_for_a_pause() -> None:
    buffer = PlayoutBuffer(48000, 2, drift_window=0.0)
    speech = b"\x00\x40" * (50 * MS // 2)  # loud: dropping any of it would be heard
    buffer.write(speech + speech)
    read(buffer, 20)
    buffer.write(speech[: 20 * MS])
    assert buffer.buffered_seconds == pytest.approx(0.1) and buffer.dropped_seconds == 0
    read(buffer, 80)  # the speech plays out; a pause follows it
    buffer.write(bytes(60 * MS))
    read(buffer, 20)
    buffer.write(bytes(20 * MS))
    assert buffer.buffered_seconds == pytest.approx(0.04)  # trimmed in the pause


def test_clear_empties_at_once() -> None:
    buffer = PlayoutBuffer(48000, 2)
    buffer.write(bytes(100 * MS))
    buffer.clear()
    assert buffer.buffered_seconds == 0
    assert read(buffer, 20) == 0
