"""What the person is told about a sound device, as data: one English template per kind and event.

A `Notice` is the English sentence itself (a `str`, for logs and the English interface) that also
keeps its template and the device's name, so that a translated interface can say it in its own
words (desktop/ui/error_text.py). The templates are marked for Qt's lupdate with a stand-in of
Qt's own marker: this package never imports Qt.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["input", "output"]
Event = Literal["lost", "lost_named", "moved", "back", "back_named", "missing", "missing_named"]
CONTEXT = "DeviceNotice"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # the name lupdate looks for
    return text


TEMPLATES: dict[tuple[Kind, Event], str] = {
    ("input", "lost"): QT_TRANSLATE_NOOP(
        "DeviceNotice", "The microphone was disconnected; the call goes on and will resume when it is back."
    ),
    ("input", "lost_named"): QT_TRANSLATE_NOOP(
        "DeviceNotice",
        "The microphone “{device}” was disconnected; the call goes on, but you are not heard until it "
        "is back.",
    ),
    ("input", "moved"): QT_TRANSLATE_NOOP(
        "DeviceNotice",
        "The microphone “{device}” was disconnected; the system's default microphone is used until it "
        "is back.",
    ),
    ("input", "back"): QT_TRANSLATE_NOOP("DeviceNotice", "The microphone is back."),
    ("input", "back_named"): QT_TRANSLATE_NOOP("DeviceNotice", "The microphone “{device}” is back."),
    ("input", "missing"): QT_TRANSLATE_NOOP("DeviceNotice", "No microphone was found."),
    ("input", "missing_named"): QT_TRANSLATE_NOOP(
        "DeviceNotice", "The microphone “{device}” is not connected."
    ),
    ("output", "lost"): QT_TRANSLATE_NOOP(
        "DeviceNotice", "The speaker was disconnected; the call goes on and will resume when it is back."
    ),
    ("output", "lost_named"): QT_TRANSLATE_NOOP(
        "DeviceNotice",
        "The speaker “{device}” was disconnected; the call goes on, and you hear the assistant when it "
        "is back.",
    ),
    ("output", "moved"): QT_TRANSLATE_NOOP(
        "DeviceNotice",
        "The speaker “{device}” was disconnected; the system's default speaker is used until it is back.",
    ),
    ("output", "back"): QT_TRANSLATE_NOOP("DeviceNotice", "The speaker is back."),
    ("output", "back_named"): QT_TRANSLATE_NOOP("DeviceNotice", "The speaker “{device}” is back."),
    ("output", "missing"): QT_TRANSLATE_NOOP("DeviceNotice", "No speaker was found."),
    ("output", "missing_named"): QT_TRANSLATE_NOOP(
        "DeviceNotice", "The speaker “{device}” is not connected."
    ),
}


class Notice(str):
    template: str
    device: str

    def __new__(cls, template: str, device: str = "") -> Notice:
        sentence = super().__new__(cls, template.format(device=device))
        sentence.template = template
        sentence.device = device
        return sentence


_NAMED: dict[Event, Event] = {"lost": "lost_named", "back": "back_named", "missing": "missing_named"}


def notice(kind: Kind, event: Event, device: str | None = None) -> Notice:
    """The sentence for `event` on the `kind` of device; a named device gets the named variant."""
    if device is None:
        return Notice(TEMPLATES[kind, event])
    return Notice(TEMPLATES[kind, _NAMED.get(event, event)], device)
