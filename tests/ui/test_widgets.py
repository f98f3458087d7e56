"""The small widgets on their own: the talk button's label and look per state, the meter, the banner,
the Chinese translation, and that launching imports no media stack before the window shows."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QLocale, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from desktop.app.launch import install_translators
from desktop.audio.notices import notice
from desktop.session.events import AssistantTranscript, ErrorRaised, RawEvent, SessionState, ToolActivity
from desktop.storage.paths import resource
from desktop.ui.banner import Banner
from desktop.ui.error_text import localized, localized_notice
from desktop.ui.inspector import InspectorDock
from desktop.ui.level_meter import LevelMeter
from desktop.ui.meeting_dialog import MeetingDialog
from desktop.ui.space_key import SpaceKey
from desktop.ui.talk_button import TalkButton
from desktop.ui.transcript import TranscriptPane

ROOT = Path(__file__).resolve().parents[2]
# The files whose tr() strings make up resources/translations/voice_assistant_*.ts.
TRANSLATED_SOURCES = (
    "app/launch.py", "app/composition.py", "audio/notices.py", "ui/banner.py", "ui/calendar_files.py",
    "ui/calendar_pane.py",
    "ui/controller.py", "ui/error_text.py",
    "ui/folder_picker.py", "ui/global_shortcut.py", "ui/indexing_progress.py", "ui/inspector.py",
    "ui/knowledge_page.py",
    "ui/level_meter.py",
    "ui/main_window.py",
    "ui/window_menus.py",
    "ui/meeting_dialog.py", "ui/qt_confirmer.py", "ui/recurrence_editor.py", "ui/recurrence_words.py",
    "ui/reminder_picker.py", "ui/reminder_popup.py", "ui/reminder_presenter.py",
    "ui/settings_actions.py",
    "ui/settings_dialog.py", "ui/settings_pages.py", "ui/shortcut_backend.py", "ui/shortcut_field.py",
    "ui/shortcut_macos.py", "ui/shortcut_portal.py", "ui/shortcut_windows.py",
    "ui/shortcut_x11.py", "ui/single_instance.py",
    "ui/talk_button.py", "ui/transcript.py", "ui/usage_label.py", "ui/usage_page.py", "ui/about_dialog.py",
    "ui/target_notice.py", "ui/token_fields.py", "ui/tray.py", "ui/tray_icons.py",
)  # fmt: skip


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


def test_a_narrow_talk_button_puts_its_hint_on_a_second_line(qtbot: QtBot) -> None:
    """Beside the calendar in a small window the sentence would be cut off at both ends."""
    button = TalkButton()
    qtbot.addWidget(button)
    button.set_push_to_talk(True)
    button.set_state(SessionState.THINKING)
    button.show()
    button.resize(900, 64)
    assert button.text() == button.label() == "Assistant is thinking — press to interrupt"
    button.resize(240, 64)
    assert button.text() == "Assistant is thinking\npress to interrupt"
    assert button.label() == "Assistant is thinking — press to interrupt"  # the status bar's form
    button.set_state(SessionState.READY)  # no hint to move: left as it is
    assert button.text() == "Hold to talk (Space)"


def test_space_talks_except_while_typing(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    box, button = QLineEdit(window), QPushButton("Send", window)
    QVBoxLayout(window).addWidget(box)
    space = SpaceKey(window)
    heard: list[str] = []
    space.pressed.connect(lambda: heard.append("pressed"))
    space.released.connect(lambda: heard.append("released"))
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.text() == " " and heard == []
    button.setFocus()
    qtbot.keyPress(button, Qt.Key.Key_Space)
    qtbot.keyRelease(button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: heard == ["pressed", "released"])
    space.stop()


def test_space_with_ctrl_or_alt_is_a_shortcut_not_a_talk_press(qtbot: QtBot) -> None:
    """Wayland's portal may also hand Ctrl+Alt+Space (the global talk shortcut) to the window: that
    press stays the global shortcut's, not a second one from Space."""
    window = QWidget()
    qtbot.addWidget(window)
    button = QPushButton("Talk", window)
    space = SpaceKey(window)
    heard: list[str] = []
    space.pressed.connect(lambda: heard.append("pressed"))
    space.released.connect(lambda: heard.append("released"))
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    button.setFocus()
    chord = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    qtbot.keyPress(button, Qt.Key.Key_Space, chord)
    qtbot.keyRelease(button, Qt.Key.Key_Space, chord)
    qtbot.wait(80)  # longer than a release's same-hold wait: nothing is on its way
    assert heard == []
    space.stop()


def _talk_by_space(qtbot: QtBot) -> tuple[QPushButton, SpaceKey, list[str]]:
    """A focused button in an active window with Space as the talk key; `heard` lists its signals."""
    window = QWidget()
    qtbot.addWidget(window)
    button = QPushButton("Talk", window)
    space = SpaceKey(window)
    heard: list[str] = []
    space.pressed.connect(lambda: heard.append("pressed"))
    space.released.connect(lambda: heard.append("released"))
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    button.setFocus()
    return button, space, heard


def test_a_space_hold_ends_when_another_application_takes_the_keyboard(qtbot: QtBot) -> None:
    """Its release will go to the other application: the turn ends now, and the next Space is a new one."""
    button, space, heard = _talk_by_space(qtbot)
    qtbot.keyPress(button, Qt.Key.Key_Space)
    QApplication.sendEvent(QApplication.instance(), QEvent(QEvent.Type.ApplicationDeactivate))
    assert heard == ["pressed", "released"]
    qtbot.keyPress(button, Qt.Key.Key_Space)  # back again: a new hold
    assert heard == ["pressed", "released", "pressed"]
    qtbot.keyRelease(button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: heard[-1] == "released")
    space.stop()


def test_a_pair_split_by_a_busy_loop_is_still_the_same_hold(qtbot: QtBot) -> None:
    """The loop was blocked for longer than the wait between a release and the press behind it: when
    it wakes, the late wait and the queued press are both ready. The press still continues the hold."""
    import time

    from PySide6.QtCore import QTimer

    from desktop.ui.same_hold import SAME_HOLD_MS, SameHold

    hold = SameHold()
    heard: list[str] = []
    hold.pressed.connect(lambda: heard.append("pressed"))
    hold.released.connect(lambda: heard.append("released"))
    hold.press()
    hold.release()
    QTimer.singleShot(SAME_HOLD_MS + 20, hold.press)  # the auto-repeat press, due just after the wait
    time.sleep(3 * SAME_HOLD_MS / 1000)  # the GUI thread busy elsewhere: both are due when it wakes
    qtbot.wait(3 * SAME_HOLD_MS)
    assert heard == ["pressed"] and hold.held
    hold.release()
    qtbot.waitUntil(lambda: heard == ["pressed", "released"])


def test_a_release_and_press_pair_inside_one_hold_is_the_same_hold(qtbot: QtBot) -> None:
    """X11 auto-repeat that Qt did not flag (a loaded loop): the pairs continue the hold; one turn."""
    button, space, heard = _talk_by_space(qtbot)
    qtbot.keyPress(button, Qt.Key.Key_Space)
    for _pair in range(20):
        qtbot.keyRelease(button, Qt.Key.Key_Space)  # unflagged, as Qt delivers them under load
        qtbot.keyPress(button, Qt.Key.Key_Space)
        qtbot.wait(5)
    assert heard == ["pressed"]
    qtbot.keyRelease(button, Qt.Key.Key_Space)
    assert heard == ["pressed"]  # let go only once no press follows
    qtbot.waitUntil(lambda: heard == ["pressed", "released"])
    qtbot.keyPress(button, Qt.Key.Key_Space)  # a press after that is a new turn
    assert heard == ["pressed", "released", "pressed"]
    qtbot.keyRelease(button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: heard[-1] == "released")
    space.stop()


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


def test_the_calendar_the_meeting_dialog_and_errors_speak_chinese(qapp: QApplication, qtbot: QtBot) -> None:
    installed = install_translators(qapp, QLocale("zh_CN"))
    try:
        dialog = MeetingDialog(None, "create", {"title": "周会", "start_time": "2025-09-09 15:30:00"})
        qtbot.addWidget(dialog)
        assert dialog.windowTitle() == "确认会议" and dialog.accept_button.text() == "确认"
        assert dialog.duration_edit.suffix() == " 分钟"
        long_ago = {"title": "复盘", "start_time": "2000-01-03 09:00:00"}
        past = MeetingDialog(None, "create", long_ago, others=[])
        qtbot.addWidget(past)
        assert past.warning_text() == "⚠ 开始时间 2000-01-03 09:00 已经过去。"
        rejected = ErrorRaised("The service rejected the key during the key request.", code="unauthorized")
        assert localized(rejected) == "服务拒绝了 API 密钥，请在设置中检查。"
        unknown = ErrorRaised("Something only the engine knows.", code="novel")
        assert localized(unknown) == unknown.message
        unplugged = notice("input", "lost", "USB Headset")
        said = "麦克风“USB Headset”已断开；通话继续，但在它重新连接之前对方听不到你。"
        assert localized_notice(unplugged) == said
        assert localized_notice(notice("output", "back")) == "扬声器已恢复。"
        assert localized_notice("A sentence from elsewhere.") == "A sentence from elsewhere."
        button = TalkButton()
        qtbot.addWidget(button)
        button.set_state(SessionState.RECONNECTING, "attempt 2 of 8")
        assert button.text() == "正在重新连接…（第 2 次，共 8 次）"
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)


def test_english_keeps_the_engine_sentence(qapp: QApplication) -> None:
    installed = install_translators(qapp, QLocale("en_US"))
    try:
        rejected = ErrorRaised("The service rejected the key during the key request.", code="unauthorized")
        assert localized(rejected) == rejected.message  # the English original has the specifics
        moved = notice("output", "moved", "Desk Speakers")
        assert localized_notice(moved) == moved
        assert moved.startswith("The speaker “Desk Speakers” was disconnected; the system's default")
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
        "import desktop.app.launch\n"
        "heavy = [m for m in ('aiortc', 'av', 'aiohttp', 'sounddevice', 'keyring',"
        " 'desktop.session.voice_session',"
        " 'asyncio') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_inspector_filters_pauses_and_clears(qtbot: QtBot) -> None:
    inspector = InspectorDock()
    qtbot.addWidget(inspector)
    inspector.add(RawEvent("sent", "session.update", {"type": "session.update"}, 1.0))
    inspector.add(RawEvent("received", "response.done", {"type": "response.done", "n": "二"}, 2.0))
    inspector.flush()
    inspector.filter.setText("response.")
    assert inspector.view.model().rowCount() == 1
    inspector.view.selectRow(0)
    assert '"n": "二"' in inspector.detail.toPlainText()  # pretty JSON, Chinese kept readable
    inspector.pause.setChecked(True)
    inspector.add(RawEvent("received", "response.created", {}, 3.0))
    inspector.flush()
    assert len(inspector.table.rows) == 2 and inspector.skipped == 1
    inspector.clear.click()
    assert not inspector.table.rows and inspector.skipped == 0


def test_every_interface_string_has_a_chinese_translation(tmp_path: Path) -> None:
    """lupdate over the sources against the shipped .ts: a new tr() string without Chinese fails here."""
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    if not lupdate.exists():
        pytest.skip("pyside6-lupdate is not installed")
    sources = [str(ROOT / "desktop" / name) for name in TRANSLATED_SOURCES]
    fresh = tmp_path / "fresh.ts"
    fresh.write_bytes(resource("translations", "voice_assistant_zh_CN.ts").read_bytes())
    command = [str(lupdate), *sources, "-ts", str(fresh), "-no-obsolete"]
    subprocess.run(command, check=True, capture_output=True)
    untranslated = []
    for message in ElementTree.parse(fresh).getroot().iter("message"):
        translation = message.find("translation")
        if translation is not None and translation.get("type") == "unfinished":
            untranslated.append(message.findtext("source"))
    assert untranslated == []


def test_the_transcript_follows_new_words_unless_the_person_reads_back(qtbot: QtBot) -> None:
    pane = TranscriptPane()
    qtbot.addWidget(pane)
    pane.resize(420, 300)
    pane.show()
    for n in range(30):
        pane.show_event(AssistantTranscript(f"a{n}", f"r{n}", f"answer number {n}", True))
    bar = pane._scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    bar.setValue(0)  # reading back
    pane.show_event(AssistantTranscript("late", "r-late", "one more", True))
    qtbot.wait(50)
    assert bar.value() == 0


def test_saving_the_conversation_asks_without_a_nested_event_loop(qtbot: QtBot, tmp_path: Path) -> None:
    """The save dialog opens and returns at once (the conversation goes on); choosing a file saves."""
    pane = TranscriptPane()
    qtbot.addWidget(pane)
    pane.show_event(AssistantTranscript("a1", "r1", "您好，我是会议助理小爱", True))
    pane.save.click()  # returns: a static getSaveFileName would not until the person chose
    (dialog,) = pane.findChildren(QFileDialog)
    assert dialog.isVisible()
    target = tmp_path / "talk.md"
    dialog.fileSelected.emit(str(target))
    dialog.reject()
    assert "您好，我是会议助理小爱" in target.read_text(encoding="utf-8")


def test_a_tool_call_waiting_for_the_person_says_so(qtbot: QtBot) -> None:
    pane = TranscriptPane()
    qtbot.addWidget(pane)
    arguments = '{"title": "周会"}'
    pane.show_event(ToolActivity("c1", "createMeeting", arguments, "requested"))
    pane.mark_confirming("c1")  # the meeting dialog opened (QtConfirmer's on_asking)
    assert pane.tr("waiting for your confirmation") in pane.bubble_texts()[0]
    pane.show_event(ToolActivity("c1", "createMeeting", arguments, "declined", '{"status": "declined"}'))
    pane.mark_confirming("c1")  # too late: the answer is in and stays
    pane.mark_confirming("unknown")
    assert pane.tr("declined by you") in pane.bubble_texts()[0]
    assert "`createMeeting` — declined by you" in pane.markdown()  # the export uses the same words


def test_a_narrow_talk_button_breaks_a_long_sentence_without_a_hint_at_a_space(qtbot: QtBot) -> None:
    """"Waiting for your answer in the meeting dialog" has no hint to move: beside the calendar it was
    cut off at both ends; it now breaks at the space nearest its middle."""
    button = TalkButton()
    qtbot.addWidget(button)
    button.set_state(SessionState.THINKING)
    button.set_confirmations_open(1)
    button.show()
    button.resize(900, 64)
    assert button.text() == "Waiting for your answer in the meeting dialog"
    button.resize(300, 64)
    assert button.text() == "Waiting for your answer\nin the meeting dialog"
    assert button.label() == "Waiting for your answer in the meeting dialog"


@pytest.mark.parametrize("language", ["en_US", "zh_CN"])
def test_every_talk_label_fits_its_button_down_to_a_narrow_one(qapp: QApplication, qtbot: QtBot,
                                                               language: str) -> None:
    """At 150 % and 200 % the window beside the calendar leaves the button narrow: every state's label
    wraps, and elides only what still does not fit (the whole sentence is then its tooltip)."""
    installed = install_translators(qapp, QLocale(language))
    try:
        button = TalkButton()
        qtbot.addWidget(button)
        button.show()
        for push_to_talk, confirmations, state in itertools.product((True, False), (0, 1), SessionState):
            button.set_push_to_talk(push_to_talk)
            button.set_confirmations_open(confirmations)
            button.set_state(state, "attempt 2 of 6")
            for width in range(140, 420, 20):
                button.resize(width, 64)
                room = width - 2 * (18 + 2)
                lines = button.text().split("\n")
                widths = [button.fontMetrics().horizontalAdvance(line) for line in lines]
                assert len(lines) <= 2 and max(widths) <= room
                if "…" in button.text() and "…" not in button.label():
                    assert button.toolTip() == button.label()
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
