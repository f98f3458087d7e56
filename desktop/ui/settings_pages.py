"""Three settings pages beside the connection and voice ones: the sound devices and their processing,
the calendar's default reminder (and whether closing the window keeps the app in the tray, for its
reminders), and the transport and the ICE (STUN/TURN) servers for networks that block direct UDP.
Each fills its part of a `Preferences`. The knowledge page is `knowledge_page.py`."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from desktop.settings import Preferences, ice_urls
from desktop.ui.reminder_picker import ReminderPicker


class AudioPage(QWidget):
    """Microphone, speaker, headset, noise suppression and the battery saver (40 ms uplink packets).
    Without the compiled echo canceller (an optional extra where it has no wheel) it says what that
    means, and noise suppression, which the same module does, cannot be switched on."""

    def __init__(
        self,
        prefs: Preferences,
        devices: tuple[list[str], list[str]],
        echo_canceller: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.input_device = self._device_box(devices[0], prefs.input_device)
        self.output_device = self._device_box(devices[1], prefs.output_device)
        self.headset = QCheckBox(self.tr("I use a headset (no echo cancellation needed)"))
        self.headset.setChecked(prefs.headset)
        self.noise_suppression = QCheckBox(self.tr("Suppress background noise"))
        # Without the module nothing suppresses noise: shown unticked, while the stored choice is kept
        # for when the module is installed.
        self._stored_noise_suppression = prefs.noise_suppression
        self.noise_suppression.setChecked(prefs.noise_suppression and echo_canceller)
        self.noise_suppression.setEnabled(echo_canceller)
        self.battery_saver = QCheckBox(
            self.tr("Battery saver: send the microphone in 40 ms packets (slightly more delay)")
        )
        self.battery_saver.setChecked(prefs.battery_saver)
        self.half_duplex_note = QLabel(
            self.tr(
                "Echo cancellation is not installed, so on speakers your microphone is muted while the "
                "assistant speaks: interrupt it with the talk button, or use a headset. The optional "
                "“echo” extra adds echo cancellation and noise suppression."
            )
        )
        self.half_duplex_note.setWordWrap(True)
        self.half_duplex_note.setVisible(not echo_canceller)
        form = QFormLayout(self)
        form.addRow(self.tr("Microphone"), self.input_device)
        form.addRow(self.tr("Speaker"), self.output_device)
        form.addRow("", self.headset)
        form.addRow("", self.noise_suppression)
        form.addRow("", self.battery_saver)
        form.addRow("", self.half_duplex_note)

    def values(self, prefs: Preferences) -> Preferences:
        return replace(
            prefs,
            input_device=self._device_value(self.input_device),
            output_device=self._device_value(self.output_device),
            headset=self.headset.isChecked(),
            battery_saver=self.battery_saver.isChecked(),
            noise_suppression=(
                self.noise_suppression.isChecked()
                if self.noise_suppression.isEnabled()
                else self._stored_noise_suppression
            ),
        )

    def _device_box(self, names: list[str], current: str) -> QComboBox:
        # Editable: a device missing from the list (unplugged right now) can still be named.
        box = QComboBox()
        box.setEditable(True)
        box.addItem(self.tr("System default"), "")
        for name in names:
            box.addItem(name, name)
        index = box.findData(current)
        if index >= 0:
            box.setCurrentIndex(index)
        else:
            box.setEditText(current)
        return box

    @staticmethod
    def _device_value(box: QComboBox) -> str:
        text = box.currentText().strip()
        index = box.findText(text)
        return str(box.itemData(index)) if index >= 0 else text


class CalendarPage(QWidget):
    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reminder = ReminderPicker()
        self.reminder.set_value(prefs.default_reminder_minutes)
        about = QLabel(
            self.tr(
                "A notification reminds you of each meeting, while the window is hidden too. A meeting "
                "can have its own reminder (in its dialog); the others use this one."
            )
        )
        about.setWordWrap(True)
        self.close_to_tray = QCheckBox(self.tr("Keep running in the tray when the window is closed"))
        self.close_to_tray.setChecked(prefs.close_to_tray)
        tray_here = QSystemTrayIcon.isSystemTrayAvailable()
        self.close_to_tray.setEnabled(tray_here)
        self.close_to_tray.setToolTip("" if tray_here else self.tr(
            "This desktop has no system tray, so closing the window quits the app."))
        form = QFormLayout(self)
        form.addRow(about)
        form.addRow(self.tr("Remind me"), self.reminder)
        form.addRow("", self.close_to_tray)

    def values(self, prefs: Preferences) -> Preferences:
        minutes = self.reminder.value()
        return replace(prefs, default_reminder_minutes=minutes if minutes is not None else -1,
                       close_to_tray=self.close_to_tray.isChecked())


class NetworkPage(QWidget):
    def __init__(self, prefs: Preferences, credential: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transport = QComboBox()
        choices = ((self.tr("Automatic"), "auto"), ("WebRTC", "webrtc"), ("WebSocket", "websocket"))
        for label, choice in choices:
            self.transport.addItem(label, choice)
        self.transport.setCurrentIndex(max(0, self.transport.findData(prefs.transport)))
        transport_about = QLabel(self.tr(
            "Automatic uses WebRTC and switches to a WebSocket where the network lets no media through."))
        transport_about.setWordWrap(True)
        self.urls = QPlainTextEdit(prefs.ice_servers)
        self.urls.setPlaceholderText("turn:turn.example.com:3478?transport=udp")
        self.urls.setTabChangesFocus(True)
        self.urls.setMaximumHeight(self.urls.fontMetrics().lineSpacing() * 6)  # a few servers at most
        self.username = QLineEdit(prefs.ice_username)
        self.credential = QLineEdit(credential)
        self.credential.setEchoMode(QLineEdit.EchoMode.Password)
        about = QLabel(
            self.tr(
                "Only needed on networks that block direct connections: one STUN or TURN server URL a "
                "line. Leave empty otherwise (connecting is quicker without). The credential is kept "
                "in the system keychain, like the API key."
            )
        )
        about.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Transport"), self.transport)
        form.addRow(transport_about)
        form.addRow(about)
        form.addRow(self.tr("ICE servers"), self.urls)
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Credential"), self.credential)
        page = QVBoxLayout(self)
        page.addLayout(form)
        page.addStretch(1)  # the fields stay together at the top

    def values(self, prefs: Preferences) -> Preferences:
        urls = "\n".join(ice_urls(self.urls.toPlainText()))
        username = self.username.text().strip()
        return replace(prefs, transport=self.transport.currentData(), ice_servers=urls, ice_username=username)

    def entered_credential(self) -> str:
        return self.credential.text().strip()
