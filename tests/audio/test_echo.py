"""Echo cancellation: on a simulated room, and with the virtual speaker looped into the virtual mic."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.audio import pcm
from desktop.audio.block_track import BLOCK_FRAMES, SILENCE
from desktop.audio.echo import (
    LATE_WINDOW,
    RESTART_SECONDS,
    Cadence,
    EchoGate,
    HalfDuplex,
    PassThrough,
    PlayedChunk,
    WebRtcProcessor,
    make_processor,
)
from desktop.audio.microphone import Microphone
from desktop.audio.speaker import Speaker
from desktop.audio.synthetic import SyntheticMicrophone, load_pcm
from tests.audio.conftest import VirtualAudio, wait_until


class Played:
    """A speaker stand-in: the chunks it 'played' are queued by the test."""

    def __init__(self) -> None:
        self.chunks: list[PlayedChunk] = []
        self.playing = False

    @property
    def output_format(self) -> tuple[int, int]:
        return 48000, 2

    def take_played(self) -> list[PlayedChunk]:
        taken, self.chunks = self.chunks, []
        return taken


def db(samples: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(samples.astype(np.float64) ** 2) + 1e-9))


@pytest.mark.canceller
def test_the_canceller_removes_a_simulated_room_echo(speech_wav: Path) -> None:
    far = np.frombuffer(load_pcm(speech_wav), dtype=np.int16)
    room = np.zeros(2400)
    room[[0, 480, 1500]] = [0.5, 0.2, 0.1]  # direct path and two reflections
    echo = np.convolve(far, room)[: len(far)]
    echo = np.concatenate([np.zeros(1440), echo])[: len(far)].astype(np.int16)  # 30 ms acoustic delay
    played = Played()
    canceller = WebRtcProcessor(played)
    out = []
    for start in range(0, len(far) - BLOCK_FRAMES, BLOCK_FRAMES):
        block = far[start : start + BLOCK_FRAMES]
        played.chunks.append(PlayedChunk(0.0, np.repeat(block, 2).tobytes()))
        out.append(np.frombuffer(canceller.process(echo[start : start + BLOCK_FRAMES].tobytes()), np.int16))
    cleaned = np.concatenate(out)
    later = slice(len(cleaned) // 2, len(cleaned))
    assert db(echo[: len(cleaned)][later]) - db(cleaned[later]) > 10


class ModuleRecorder:
    """Stands in for the audio-processing module: notes the order of what it is fed."""

    def __init__(self) -> None:
        self.fed: list[tuple[str, bytes]] = []

    def set_reverse_stream_format(self, rate: int, channels: int) -> None:
        pass

    def process_reverse_stream(self, frame: bytes) -> None:
        self.fed.append(("played", frame))

    def process_stream(self, frame: bytes) -> bytes:
        self.fed.append(("captured", frame))
        return frame


@pytest.mark.canceller
def test_chunks_the_speaker_dropped_before_they_were_taken_are_fed_as_silence_in_their_place() -> None:
    """10 ms chunks 3-5 fell out of the speaker's history (a stalled loop): silence takes their place,
    so the reference keeps the card's sample count and the cadence its frame count, and the capture
    frame that follows chunk 7's still comes after exactly the reference frames played before it."""
    played, recorder = Played(), ModuleRecorder()
    processor = WebRtcProcessor(played)
    processor._apm = recorder
    tone = pcm.tone(440, 0.01, 0.3)
    stereo = np.repeat(np.frombuffer(tone, np.int16), 2).tobytes()
    kept = [n for n in range(10) if not 3 <= n <= 5]
    played.chunks = [PlayedChunk(100 + n * 0.01, stereo, n * 480) for n in kept]
    processor.process(SILENCE, captured_at=100 + 0.075)  # the frames due by 100.065 and 100.075
    reference = [frame for kind, frame in recorder.fed if kind == "played"]
    assert reference == [stereo] * 3 + [bytes(len(stereo))] * 3 + [stereo] * 2
    assert [kind for kind, _ in recorder.fed] == ["played"] * 7 + ["captured", "played", "captured"]


def test_callbacks_flagged_after_the_device_ran_dry_are_not_part_of_the_reference() -> None:
    """After an underflow PortAudio's ALSA host calls the callback in a burst (up to two seconds of
    audio in 150 ms on PulseAudio) whose audio does not reach the device in order: handing it to the
    canceller as played put the reference that far ahead of its echo (docs/measurements.md, Speaker
    blocks of 10 ms). Such a callback plays silence, takes nothing from the buffer and is not kept."""
    speaker, tone = Speaker(), pcm.tone(440, 0.06, 0.3)
    speaker._write(np.repeat(np.frombuffer(tone, np.int16), 2).tobytes())
    ran_dry, steady = SimpleNamespace(output_underflow=True), SimpleNamespace(output_underflow=False)
    out = bytearray(b"\x01" * 480 * 4)
    speaker._callback(out, 480, None, ran_dry)
    assert out == bytes(len(out)) and speaker.take_played() == [] and speaker.device_underflows == 1
    speaker._callback(out, 480, None, steady)
    (chunk,) = speaker.take_played()
    assert chunk.first_frame == 0 and pcm.rms(chunk.pcm) > 0.1  # the tone, from its start


def test_the_cadence_recovers_the_cards_timing_from_late_bursty_callbacks() -> None:
    cadence = Cadence(0.01)
    due = []
    for n in range(200):
        late = 0.15 - (n % 50 - 20) * 0.01 if 20 <= n % 50 < 35 else 0.0  # a 150 ms stall, a burst
        due.append(cadence.due(100 + n * 0.01 + late + 0.002 * (n % 3)))
    assert due == pytest.approx([100 + n * 0.01 for n in range(200)])
    assert cadence.due(100 + 200 * 0.01 + 2.0) == pytest.approx(104.0)  # reopened: starts over


@given(st.lists(st.floats(0.0, 0.8), min_size=1, max_size=400))
def test_the_cadence_takes_the_earliest_phase_of_the_last_second(lateness: list[float]) -> None:
    """Against the plain reading of its rule: the minimum of the last LATE_WINDOW phases, started over
    after a stamp RESTART_SECONDS later than that."""
    cadence, phases = Cadence(0.01), deque[float](maxlen=LATE_WINDOW)
    for n, late in enumerate(lateness):
        phase = 100 + late  # stamp 100 + n * period + late, less the block's nominal offset
        if phases and phase - min(phases) > RESTART_SECONDS:
            phases.clear()
        phases.append(phase)
        assert cadence.due(100 + n * 0.01 + late) == pytest.approx(min(phases) + n * 0.01)


def test_the_gate_silences_echo_and_passes_the_person_talking_over_it() -> None:
    gate = EchoGate()
    played = pcm.tone(440, 0.01, 0.3)
    echo, cancelled_echo = pcm.gain(pcm.tone(440, 0.02, 0.3), 0.5), pcm.tone(440, 0.02, 0.001)
    voice = pcm.tone(300, 0.02, 0.8)
    assert gate.admit(voice, voice) == voice  # nothing played: open
    gate.played(played)
    assert gate.admit(voice, voice) == SILENCE  # the canceller is settling: closed
    for _ in range(99):  # meanwhile it suppresses the person's voice; that is no evidence of echo
        gate.admit(voice, pcm.gain(voice, 0.01))
    assert gate.admit(voice, voice) == voice  # settled, no echo seen (a headset): open
    for _ in range(50):
        gate.admit(echo, cancelled_echo)  # a second the canceller took out: echo, its level known
    assert gate.admit(echo, echo) == SILENCE  # echo the canceller let through
    assert gate.admit(voice, voice) == voice
    quiet_voice = pcm.tone(300, 0.02, 0.15)  # no louder than the echo was
    assert gate.admit(quiet_voice, quiet_voice) == SILENCE  # while the assistant is heard: echo-like
    for _ in range(40):  # the assistant stopped 0.4 s ago: the speaker hands over silence
        gate.played(bytes(960))
    assert gate.admit(quiet_voice, quiet_voice) == quiet_voice  # no echo can come now: open


def test_half_duplex_mutes_the_microphone_while_the_assistant_speaks() -> None:
    played = Played()
    gate = HalfDuplex(played)
    speech = b"\x10\x00" * BLOCK_FRAMES
    assert gate.process(speech) == speech
    played.playing = True
    assert gate.process(speech) == SILENCE


def test_half_duplex_stays_muted_until_the_echo_of_the_last_sound_has_died_away() -> None:
    played = Played()
    gate = HalfDuplex(played)
    speech = b"\x10\x00" * BLOCK_FRAMES
    now = time.monotonic()
    played.chunks = [PlayedChunk(now - 1.0, pcm.tone(440, 0.02, 0.3)), PlayedChunk(now - 0.8, bytes(1920))]
    assert not played.playing  # the speaker's own notion: nothing audible for a while
    assert gate.process(speech, captured_at=now - 0.7) == SILENCE  # its echo may still be coming in
    assert gate.process(speech, captured_at=now - 0.55) == speech  # 0.45 s later: only the person
    assert gate.process(speech) == speech  # no time stamp: now


def test_a_headset_turns_processing_off() -> None:
    assert isinstance(make_processor(Played(), headset=True), PassThrough)


@pytest.mark.canceller
def test_on_speakers_or_for_noise_suppression_the_canceller_processes() -> None:
    played = Played()
    assert isinstance(make_processor(played, headset=True, noise_suppression=True), WebRtcProcessor)
    assert isinstance(make_processor(played, headset=False), WebRtcProcessor)


def test_without_the_canceller_speakers_go_half_duplex_and_the_log_says_so_once(
    no_canceller: None, caplog: pytest.LogCaptureFixture
) -> None:
    played = Played()
    with caplog.at_level(logging.WARNING, logger="desktop.audio.canceller"):
        assert isinstance(make_processor(played, headset=False), HalfDuplex)
        assert isinstance(make_processor(played, headset=False, noise_suppression=True), HalfDuplex)
        assert isinstance(make_processor(played, headset=True, noise_suppression=True), PassThrough)
    (record,) = caplog.records  # once, however many calls
    assert "Echo cancellation is unavailable" in record.getMessage() and "[echo]" in record.getMessage()


async def collect(track: object, into: list[np.ndarray], stop: asyncio.Event) -> None:
    while not stop.is_set():
        frame = await track.recv()  # type: ignore[attr-defined]
        into.append(frame.to_ndarray()[0].copy())


@pytest.mark.audio
@pytest.mark.canceller
async def test_the_speaker_looped_into_the_microphone_is_cancelled(
    devices: VirtualAudio, speech_wav: Path
) -> None:
    devices.pactl(
        "load-module", "module-loopback", "source=vspeaker.monitor", "sink=vmic_sink", "latency_msec=40"
    )
    speaker = Speaker()
    plain = Microphone(encoded=False)
    cancelled = Microphone(processor=make_processor(speaker, headset=False), encoded=False)
    voice = SyntheticMicrophone()
    speaker.attach(voice.track)
    for part in (speaker, plain, cancelled):
        await part.start()
    raw: list[np.ndarray] = []
    clean: list[np.ndarray] = []
    stop = asyncio.Event()
    pairs = ((plain, raw), (cancelled, clean))
    tasks = {asyncio.create_task(collect(m.track, into, stop)) for m, into in pairs}
    try:
        await wait_until(lambda: plain._keeper.alive and cancelled._keeper.alive)
        spoken = voice.say(speech_wav)
        start = len(raw), len(clean)
        await asyncio.sleep(spoken)
        heard = np.concatenate(raw[start[0] + len(raw[start[0] :]) // 2 :])
        left = np.concatenate(clean[start[1] + len(clean[start[1] :]) // 2 :])
        assert db(heard) > 40  # the loop really carried the assistant's voice into the microphone
        assert db(heard) - db(left) > 10  # measured about 44 dB here
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for part in (speaker, plain, cancelled):
            await part.stop()
        devices.unplug()  # takes the loopback module away too
