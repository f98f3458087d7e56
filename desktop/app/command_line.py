"""Command line: open the window (no mode given), run the connection check, or run the self-test.

A plain launch (the desktop's icon) builds no parser, nor imports what the parser needs: the window
must be on screen within half a second. Every other branch imports only what it needs.

Each mode is a name in `MODES` and a function that takes the parsed arguments. The modes are options
of the one parser because the window is what runs without any. The tools' commands (`voice-assistant
meetings list`, `knowledge search`) are sub-commands: `_add_commands` declares them (`dest="command"`
names the command, `action` its action), `_parse` makes the command the mode, and its function in `MODES`
imports the command's module (`meetings_command.py`, `knowledge_command.py`) only when it runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from desktop import __version__

PROG = "voice-assistant"
Subparsers = argparse._SubParsersAction  # argparse's own name for what add_subparsers() returns
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
        "Without a mode it opens the window; a second launch brings the open window to the front. "
        "The meetings and knowledge commands use the assistant's calendar and documents without the "
        "window (and can run beside it).",
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
    parser.add_argument(
        "--transport", type=_provider_name, choices=["auto", "webrtc", "websocket", "both"],
        help="with --check: check over this transport (both: WebRTC, then the WebSocket) instead of "
        "VOICE_ASSISTANT_TRANSPORT or the setting",
    )  # fmt: skip
    qt = parser.add_argument_group("Qt options (for the window only)")
    for option, value, text in QT_OPTIONS:
        if value is None:
            qt.add_argument(option, action="store_true", help=text)
        else:
            qt.add_argument(option, metavar=value, help=text)
    parser.set_defaults(mode="window")
    _add_commands(parser)
    return parser


def _add_commands(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    _add_meetings(commands)
    _add_knowledge(commands)


def _add_meetings(commands: Subparsers) -> None:
    meetings = _command(commands, "meetings", "list the calendar's meetings, import or export an .ics file",
                        "The assistant's calendar, in the person's data folder.")  # fmt: skip
    listing = meetings.add_parser(
        "list", help="list the meetings, by default from today to 30 days ahead",
        description="Each meeting (each occurrence of a series) from --from to --to, both days included, "
        "in local time. By default from today to 30 days ahead.",
    )  # fmt: skip
    listing.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="the first day (default: today)")
    listing.add_argument(
        "--to", dest="last", metavar="YYYY-MM-DD", help="the last day (default: 30 days after --from)"
    )
    _json_option(listing, "title, start (ISO 8601 with its offset), duration (minutes), all_day, series")
    importing = meetings.add_parser("import", help="add the events of an iCalendar file")
    importing.add_argument(
        "file", metavar="FILE.ics", help="the file to import; events already in the calendar are skipped"
    )
    exporting = meetings.add_parser("export", help="write every meeting to an iCalendar file")
    exporting.add_argument("file", metavar="FILE.ics", help="the file to write (replaced if it exists)")


def _add_knowledge(commands: Subparsers) -> None:
    knowledge = _command(commands, "knowledge", "search the documents the assistant answers from",
                         "The assistant's knowledge base, the documents it answers from.")  # fmt: skip
    search = knowledge.add_parser(
        "search", help="index the folder (only what changed), then show what the assistant would be given",
        description="Index the folder (only new and changed files are read), then print the passages the "
        "assistant's queryKnowledgeBase tool would hand the model, each with its file name.",
    )  # fmt: skip
    search.add_argument("question", metavar="QUESTION", help="the question, as the person would ask it")
    search.add_argument(
        "--folder", metavar="DIR", help="the folder to search (default: the one chosen in the app's "
        "settings, else the bundled sample documents)",
    )  # fmt: skip
    search.add_argument(
        "--words-only", action="store_true", help="search the words alone (default: as the app searches, "
        "with the configured service's embeddings where it has them)",
    )  # fmt: skip
    _json_option(search, "what the tool returns to the model")


def _command(commands: Subparsers, name: str, summary: str, description: str) -> Subparsers:
    """A command (`meetings`) and the parsers of its actions (`list`, `import`)."""
    command = commands.add_parser(name, help=summary, description=description)
    return command.add_subparsers(title="actions", dest="action", metavar="ACTION", required=True)


def _json_option(parser: argparse.ArgumentParser, shape: str) -> None:
    parser.add_argument("--json", action="store_true", help=f"print JSON: {shape}")


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
    if args.command:
        if args.mode != "window" or args.provider or _qt_arguments(args):
            options = "--check, --self-test, --provider and Qt's options"
            parser.error(f"{options} do not apply to the {args.command} command")
        args.mode = args.command
    if args.mode != "window" and _qt_arguments(args):
        parser.error("Qt's options apply to the window only")
    if args.transport and args.mode != "check":
        parser.error("--transport applies to --check only (VOICE_ASSISTANT_TRANSPORT to the window)")
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
    return check_main(config, target=target, transport=args.transport)


def _self_test(_args: argparse.Namespace) -> int:
    from desktop.app.self_test import self_test_main

    return self_test_main()


def _meetings(args: argparse.Namespace) -> int:
    from desktop.app.meetings_command import meetings_main

    return meetings_main(args)


def _knowledge(args: argparse.Namespace) -> int:
    from desktop.app.knowledge_command import knowledge_main

    return knowledge_main(args)


MODES: dict[str, Callable[[argparse.Namespace], int]] = {
    "window": _window,
    "check": _check,
    "self-test": _self_test,
    "meetings": _meetings,
    "knowledge": _knowledge,
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

