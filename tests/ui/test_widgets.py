"""The small widgets on their own: the talk button's label and look per state, the meter, the banner,
the Chinese translation, and that launching imports no media stack before the window shows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.app import install_translators
from desktop.events import SessionState
from desktop.paths import resource
from desktop.ui.banner import Banner
from desktop.ui.level_meter import LevelMeter
from desktop.ui.talk_button import TalkButton

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("push_to_talk", [True, False])
def test_every_state_has_its_own_label_and_look(qtbot: QtBot, push_to_talk: bool) -> None:
    button = TalkButton()
    qtbot.addWidget(button)
    button.set_push_to_talk(push_to_talk)
    labels = {}
    for state in SessionState:
        button.set_state(state)
        assert button.property("state") == state.value
        labels[state] = button.text()
    distinct = set(labels.values())
    # Not connected and closed read the same; every other state reads differently.
    assert len(distinct) == len(SessionState) - 1
    assert labels[SessionState.READY] == ("Hold to talk (Space)" if push_to_talk else "Click to listen")


def test_the_meter_rises_at_once_and_falls_slowly(qtbot: QtBot) -> None:
    meter = LevelMeter()
    qtbot.addWidget(meter)
    meter.set_level(0.3)
    loud = meter.shown_level
    assert loud > 0.8
    meter.set_level(0.0)
    assert 0 < meter.shown_level < loud
    meter.grab()  # paints without error


def test_the_banner_offers_only_what_helps(qtbot: QtBot) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    retried: list[bool] = []
    banner.retryRequested.connect(lambda: retried.append(True))
    banner.show_message("The connection was lost.", retry=True)
    assert banner.isVisibleTo(banner.parentWidget() or banner) and banner.retry.isVisibleTo(banner)
    assert not banner.settings.isVisibleTo(banner)
    banner.retry.click()
    assert retried and banner.isHidden()


def test_the_chinese_translation_loads(qapp: QApplication, qtbot: QtBot) -> None:
    assert resource("translations", "voice_assistant_zh_CN.qm").is_file()
    installed = install_translators(qapp, QLocale("zh_CN"))
    try:
        assert installed
        assert QCoreApplication.translate("TalkButton", "Hold to talk (Space)") == "按住说话（空格键）"
        button = TalkButton()
        qtbot.addWidget(button)
        button.set_state(SessionState.ASSISTANT_SPEAKING)
        assert "助理" in button.text()
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)


def test_english_reads_as_written(qapp: QApplication) -> None:
    installed = install_translators(qapp, QLocale("en_US"))
    try:
        assert installed  # voice_assistant_en.qm
        assert QCoreApplication.translate("TalkButton", "Hold to talk (Space)") == "Hold to talk (Space)"
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)


def test_launching_imports_no_media_stack_before_the_window_shows() -> None:
    script = (
        "import sys\n"
        "import desktop.app\n"
        "heavy = [m for m in ('aiortc', 'av', 'aiohttp', 'sounddevice', 'keyring', 'desktop.session',"
        " 'asyncio') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
