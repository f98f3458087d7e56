"""The built-in demo server: a real aiohttp + aiortc peer on 127.0.0.1 that speaks the services'
HTTP, WebRTC and data-channel protocol in both dialects (the no-account provider; tests use it too).

Other packages import only the names below; modules inside the package import each other directly.
"""

from typing import TYPE_CHECKING

from desktop import lazy_exports

if TYPE_CHECKING:
    from desktop.demo.call import ServerCall
    from desktop.demo.phrases import TEXTS, clip_name
    from desktop.demo.server import DemoServer
    from desktop.demo.speech import SAMPLE_RATE, espeak, speech_dir, wav_to_pcm48k
    from desktop.demo.thread import DemoServerThread

__all__ = [
    "SAMPLE_RATE",
    "TEXTS",
    "DemoServer",
    "DemoServerThread",
    "ServerCall",
    "clip_name",
    "espeak",
    "speech_dir",
    "wav_to_pcm48k",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "call": ("ServerCall",),
        "phrases": (
            "TEXTS",
            "clip_name",
        ),
        "server": ("DemoServer",),
        "speech": (
            "SAMPLE_RATE",
            "espeak",
            "speech_dir",
            "wav_to_pcm48k",
        ),
        "thread": ("DemoServerThread",),
    },
)
