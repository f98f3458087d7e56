"""Command line: open the window (no mode given), run the connection check, or run the self-test.

A plain launch (the desktop's icon) builds no parser, nor imports what the parser needs: the window
must be on screen within half a second. Every other branch imports only what it needs.

Each mode is a name in `MODES` and a function that takes the parsed arguments. The modes are options
of the one parser because the window is what runs without any; a later sub-command (`voice-assistant
meetings list`) is added with `parser.add_subparsers()` and `set_defaults(mode=...)` on its own parser,
with its function in `MODES`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from desktop import __version__

PROG = "voice-assistant"
# Ctrl+C in a mode that runs in the terminal: stop quietly with the shell's status for it.
INTERRUPTED = 130

# The options of Qt itself that the window takes (Qt reads them; they mean nothing to --check):
# option, its value's name (None: a switch), what it does.
QT_OPTIONS: tuple[tuple[str, str | None, str], ...] = (
    ("-platform", "NAME", "Qt's platform plugin, e.g. wayland, xcb or offscreen"),
    ("-style", "NAME", "Qt's widget style, e.g. fusion"),
    ("-stylesheet", "FILE", "a Qt style sheet to apply"),
    ("-reverse", None, "lay the window out right to left"),
    ("-session", "ID", "restore a desktop session (the session manager passes it)"),
    ("-display", "DISPLAY", "the X11 display to open the window on"),
)

EPILOG = (
    "Other Qt settings go through Qt's environment variables, e.g. QT_SCALE_FACTOR=1.5. "
    "Environment variables that choose the service (VOICE_ASSISTANT_PROVIDER, AZURE_OPENAI_*, "
    "OPENAI_*) are described in the README."
)


def _provider_name(text: str) -> str:
    return text.strip().lower()


def build_parser() -> argparse.ArgumentParser:
    from desktop.realtime import ProviderKind

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A desktop voice assistant for Azure OpenAI Realtime and OpenAI realtime models. "
        "Without a mode it opens the window; a second launch brings the open window to the front.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    modes = parser.add_argument_group("modes (one at most; without one, the window opens)")
    exclusive = modes.add_mutually_exclusive_group()
    exclusive.add_argument(
        "--check", dest="mode", action="store_const", const="check",
        help="test the connection to the configured provider step by step and exit",
    )  # fmt: skip
    exclusive.add_argument(
        "--self-test", dest="mode", action="store_const", const="self-test",
        help="run a whole conversation offscreen against the built-in demo server and exit",
    )  # fmt: skip
    parser.add_argument(
        "--provider", type=_provider_name, choices=[kind.value for kind in ProviderKind],
        help="use this provider for this run (the window or --check) instead of the stored one "
        "and VOICE_ASSISTANT_PROVIDER",
    )  # fmt: skip
    qt = parser.add_argument_group("Qt options (for the window only)")
    for option, value, text in QT_OPTIONS:
        if value is None:
            qt.add_argument(option, action="store_true", help=text)
        else:
            qt.add_argument(option, metavar=value, help=text)
    parser.set_defaults(mode="window")
    return parser


def _qt_arguments(args: argparse.Namespace) -> list[str]:
    """The Qt options given, as Qt reads them."""
    given: list[str] = []
    for option, value, _text in QT_OPTIONS:
        chosen = getattr(args, option.lstrip("-"))
        if chosen and value is None:
            given.append(option)
        elif chosen is not None and value is not None:
            given += [option, chosen]
    return given


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.mode != "window" and _qt_arguments(args):
        parser.error("Qt's options apply to the window only")
    if args.mode == "self-test" and args.provider:
        parser.error("--self-test always talks to the built-in demo; --provider does not apply")
    return args


def _window(args: argparse.Namespace) -> int:
    if args.provider:
        from desktop.realtime import PROVIDER

        # This run's override, read where the environment's is (the call and the key).
        os.environ[PROVIDER] = args.provider
    return _launch(_qt_arguments(args))


def _check(args: argparse.Namespace) -> int:
    import asyncio

    from desktop.app.connection_check import check_main
    from desktop.app.stored_config import stored_session_config
    from desktop.realtime import SessionError

    try:
        target, config = asyncio.run(stored_session_config(args.provider))
    except SessionError as error:
        print(error.message, file=sys.stderr)
        return 2
    return check_main(config, target=target)


def _self_test(_args: argparse.Namespace) -> int:
    from desktop.app.self_test import self_test_main

    return self_test_main()


MODES: dict[str, Callable[[argparse.Namespace], int]] = {
    "window": _window,
    "check": _check,
    "self-test": _self_test,
}


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    try:
        if not given:  # a plain launch (the desktop's icon): no parser (docs/measurements.md, Launch)
            return _launch([])
        args = _parse(given)
        return MODES[args.mode](args)
    except KeyboardInterrupt:  # before the window's own handler, or in --check: no traceback
        return _interrupted()


def _interrupted() -> int:
    """Ctrl+C can land while asyncio is making or closing its loop; the half-made loop and the
    coroutine it never ran would complain as they are collected. The person asked to stop: quietly."""
    import warnings

    sys.unraisablehook = lambda _unraisable: None
    warnings.simplefilter("ignore")
    return INTERRUPTED


def _launch(qt_arguments: list[str]) -> int:
    from desktop.app.launch import run_window

    return run_window([sys.argv[0], *qt_arguments])

