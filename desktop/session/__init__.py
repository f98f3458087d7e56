"""The conversation engine: the voice session, its calls to the model and their hand-over,
turn-taking, tool calls, history replay, renewal and wake. Qt-free; the window sees it only through
`VoiceSession.events()` and the events defined here.

Other packages import only the names below; modules inside the package import each other directly.
"""

from typing import TYPE_CHECKING

from desktop import lazy_exports

if TYPE_CHECKING:
    from desktop.session.events import (
        AssistantTranscript,
        AudioLevel,
        ConnectionRenewed,
        ErrorRaised,
        RawEvent,
        RetryScheduled,
        SessionState,
        StateChanged,
        ToolActivity,
        Usage,
        UserTranscript,
    )
    from desktop.session.model_call import ConnectionFactory, ModelCall
    from desktop.session.reconnect import ReconnectPolicy
    from desktop.session.voice_session import VoiceSession

__all__ = [
    "AssistantTranscript",
    "AudioLevel",
    "ConnectionFactory",
    "ConnectionRenewed",
    "ErrorRaised",
    "ModelCall",
    "RawEvent",
    "ReconnectPolicy",
    "RetryScheduled",
    "SessionState",
    "StateChanged",
    "ToolActivity",
    "Usage",
    "UserTranscript",
    "VoiceSession",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "events": (
            "AssistantTranscript",
            "AudioLevel",
            "ConnectionRenewed",
            "ErrorRaised",
            "RawEvent",
            "RetryScheduled",
            "SessionState",
            "StateChanged",
            "ToolActivity",
            "Usage",
            "UserTranscript",
        ),
        "model_call": (
            "ConnectionFactory",
            "ModelCall",
        ),
        "reconnect": ("ReconnectPolicy",),
        "voice_session": ("VoiceSession",),
    },
)
