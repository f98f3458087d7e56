"""Command line: launch the window, run the connection check, or run the self-test.

Imports are deferred to the branch that needs them so that launching the window does not pay for
the media stack first (the window must be shown within half a second).
"""

from __future__ import annotations

import argparse
import sys


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="voice-assistant",
        description="A desktop voice assistant for Azure OpenAI Realtime and OpenAI realtime models.",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "--check",
        action="store_true",
        help="test the connection to the configured provider step by step and exit",
    )
    action.add_argument(
        "--self-test",
        action="store_true",
        help="run a whole conversation offscreen against the built-in demo server and exit",
    )
    parser.add_argument("--provider", help="override the configured provider for this run")
    return parser.parse_known_args(argv)[0]


def _check(provider: str | None) -> int:
    import asyncio

    from desktop.check import check_main
    from desktop.configured import configured_session
    from desktop.realtime.errors import SessionError

    try:
        target, config = asyncio.run(configured_session(provider))
    except SessionError as error:
        print(error.message, file=sys.stderr)
        return 2
    return check_main(config, target=target)


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    if not given:  # a plain launch (the desktop's icon): argparse and its imports cost 10-40 ms
        return _launch(argv)
    args = _parse(given)
    if args.check:
        return _check(args.provider)
    if args.self_test:
        from desktop.selftest import self_test_main

        return self_test_main()
    return _launch(argv)


def _launch(argv: list[str] | None) -> int:
    from desktop.app import main as launch

    return launch(sys.argv if argv is None else [sys.argv[0], *argv])


if __name__ == "__main__":
    sys.exit(main())
