"""What the demo server's assistant can say: one table of phrase keys with their Chinese and English text.

The bundled clips in `resources/speech/` are these exact texts spoken by espeak-ng
(`python -m scripts.make_speech_clips` makes them again), so a reply that is one of these phrases
sounds right even on a machine without espeak-ng.
"""

from __future__ import annotations

import enum
import re


class Phrase(enum.Enum):
    GREETING = "greeting"
    CONFIRM = "confirm"
    BOOKED = "booked"
    DECLINED = "declined"
    FOUND = "found"
    MEETINGS = "meetings"
    CANCELLED = "cancelled"
    SORRY = "sorry"
    OKAY = "okay"
    NOTHING = "nothing"
    NOT_FOUND = "not_found"


class Language(enum.Enum):
    ZH = "zh"
    EN = "en"


TEXTS: dict[Phrase, dict[Language, str]] = {
    Phrase.GREETING: {
        Language.ZH: "您好，我是会议助理小爱，请问有什么可以帮您？",
        Language.EN: "Hello, I am your meeting assistant. How can I help?",
    },
    Phrase.CONFIRM: {
        Language.ZH: "请确认一下会议信息。",
        Language.EN: "Please confirm the meeting.",
    },
    Phrase.BOOKED: {
        Language.ZH: "会议已经预约好了。",
        Language.EN: "Your meeting is booked.",
    },
    Phrase.DECLINED: {
        Language.ZH: "好的，没有预约。需要修改什么？",
        Language.EN: "All right, not booked. What should change?",
    },
    Phrase.FOUND: {
        Language.ZH: "这是我找到的信息。",
        Language.EN: "Here is what I found.",
    },
    Phrase.MEETINGS: {
        Language.ZH: "这是您的会议安排。",
        Language.EN: "Here are your meetings.",
    },
    Phrase.CANCELLED: {
        Language.ZH: "会议已经取消了。",
        Language.EN: "The meeting is cancelled.",
    },
    Phrase.SORRY: {
        Language.ZH: "抱歉，我没有听清楚，请再说一遍。",
        Language.EN: "Sorry, I didn't catch that. Please say it again.",
    },
    Phrase.OKAY: {
        Language.ZH: "好的，我明白了。",
        Language.EN: "All right, I understand.",
    },
    Phrase.NOTHING: {
        Language.ZH: "抱歉，知识库里没有相关信息。",
        Language.EN: "Sorry, the knowledge base has nothing on that.",
    },
    Phrase.NOT_FOUND: {
        Language.ZH: "抱歉，我没有找到这个会议。",
        Language.EN: "Sorry, I could not find that meeting.",
    },
}

ESPEAK_VOICES: dict[Language, str] = {Language.ZH: "cmn", Language.EN: "en-us"}

_CJK = re.compile(r"[\u4e00-\u9fff]")


def language_of(text: str) -> Language:
    return Language.ZH if _CJK.search(text) else Language.EN


def clip_name(phrase: Phrase, language: Language) -> str:
    return f"{phrase.value}.{language.value}.ogg"
