"""THIRD_PARTY_NOTICES: every distribution the app runs on, its licence and texts, and the native parts
under the LGPL and MIT with the files of theirs a bundle carries; the bundle's file where there is one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from desktop.app import notices
from desktop.app.notices import bundled_or_generated, third_party_notices

BUNDLED = ["PySide6/Qt/lib/libQt6Core.so.6", "av.libs/libavcodec-5e6b81c2.so.62", "libportaudio.so.2",
           "libpython3.11.so.1.0"]  # fmt: skip


@pytest.fixture(scope="module")
def text() -> str:
    return third_party_notices(BUNDLED)


@pytest.mark.parametrize("name", ["aiortc", "aiohttp", "av", "sounddevice", "keyring", "qasync", "icalendar",
                                  "platformdirs", "shiboken6"])
def test_every_distribution_the_app_runs_on_is_named_with_version_and_licence(text: str, name: str) -> None:
    from importlib.metadata import version

    heading = f"\n{name} {version(name)}\n"
    assert heading in text
    assert text.split(heading, 1)[1].split("\n", 2)[1].startswith("Licence: ")


def test_the_licence_texts_come_along(text: str) -> None:
    section = text.split("\naiortc ", 1)[1].split("\n\n\n", 1)[0]
    assert "--- LICENSE ---" in section and "Redistribution and use in source and binary forms" in section


def test_the_native_parts_carry_their_licence_and_the_files_bundled(text: str) -> None:
    qt = text.split("Qt 6 (through PySide6 and Shiboken6)", 1)[1]
    assert "Licence: LGPL-3.0-only" in qt and "  PySide6/Qt/lib/libQt6Core.so.6" in qt
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in qt and "Version 3, 29 June 2007" in qt
    ffmpeg = text.split("FFmpeg and the libraries bundled with PyAV", 1)[1]
    assert "LGPL-2.1-or-later" in ffmpeg and "  av.libs/libavcodec-5e6b81c2.so.62" in ffmpeg
    portaudio = text.split("\nPortAudio\n", 1)[1]
    assert "Licence: MIT" in portaudio and "  libportaudio.so.2" in portaudio and "Ross Bencina" in portaudio
    assert "libpython3.11" not in text  # a file is listed under the part it belongs to, or not at all


def test_the_app_s_own_distribution_is_not_a_third_party(text: str) -> None:
    assert "\nvoice-assistant " not in text


def test_a_bundle_reads_its_own_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "resources").mkdir()
    (tmp_path / notices.FILE_NAME).write_text("as built", encoding="utf-8")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert bundled_or_generated() == "as built"


def test_a_source_install_generates_it() -> None:
    assert bundled_or_generated().startswith("Third-party notices for Voice Assistant")
