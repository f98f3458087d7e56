"""`python -m desktop.demo --port 8765 --key KEY --deployment NAME`: the demo server until Ctrl+C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from desktop.audio import aiortc_patches
from desktop.demo.server import DemoServer


async def serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Explicit handlers, set before anything is printed: a process started in the background
        # inherits SIGINT ignored. Windows has none; Ctrl+C arrives there as KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    server = DemoServer(api_key=args.key, deployment=args.deployment)
    try:
        base = await server.start(args.host, args.port)
        print(f"Demo server on {base} (deployment {args.deployment!r})")
        for provider, urls in server.urls().items():
            print(f"  {provider.value:14} mint {urls['mint']}")
            print(f"  {'':14} SDP  {urls['sdp']}")
            print(f"  {'':14} WebSocket {urls['websocket']}")
        print(f"  token service  {base}/token (OpenAI), {base}/token/azure, {base}/token/azure-preview")
        print("Ctrl+C stops it.", flush=True)  # at once, also when the output is a pipe
        await stop.wait()
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m desktop.demo", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--key", default="demo-key", help="the API key clients must mint with")
    parser.add_argument("--deployment", default="gpt-realtime", help="the deployment / model name")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    aiortc_patches.install()  # its calls as in the app, where the demo server runs inside it
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
