"""The built-in demo server: a real aiohttp + aiortc peer on 127.0.0.1 that speaks the services'
HTTP, WebRTC and data-channel protocol in both dialects (the no-account provider; tests use it too).

Other packages import only the names below; modules inside the package import each other directly.
"""

from typing import TYPE_CHECKING

from desktop import lazy_exports

if TYPE_CHECKING:
    from desktop.demo.server import DemoServer
    from desktop.demo.thread import DemoServerThread

__all__ = [
    "DemoServer",
    "DemoServerThread",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "server": ("DemoServer",),
        "thread": ("DemoServerThread",),
    },
)
