"""What the `meetings` and `knowledge` commands share: how a failure reaches the person (one sentence
on stderr, status 1, never a traceback) and how JSON goes out.

Output may hold any script (Chinese titles and documents) while stdout may be a pipe in a narrow
encoding (a Windows console redirected to a file): what it cannot encode is escaped, not a crash.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable, Mapping

FAILED = 1


class CommandFailed(Exception):
    """One sentence saying what went wrong, for stderr."""


Action = Callable[[argparse.Namespace], int]


def run_action(actions: Mapping[str, Action], name: str, args: argparse.Namespace) -> int:
    """Runs one action; a CommandFailed, or anything unforeseen, becomes one sentence and status 1."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        status = actions[name](args)
        if sys.stdout is not None:
            sys.stdout.flush()
        return status
    except BrokenPipeError:  # `| head` took what it wanted and closed the pipe: not a failure to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except CommandFailed as failure:
        print(failure, file=sys.stderr)
    except Exception as error:  # one sentence, not a traceback, even for what nobody foresaw
        print(f"The command failed unexpectedly ({type(error).__name__}: {error}).", file=sys.stderr)
    return FAILED


def print_json(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))
