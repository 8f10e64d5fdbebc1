"""The ``signoff`` command: its parser and ``main``; each command's handler lives in its own module.

- ``check``: judge candidates against a spec (``cli.check``);
- ``sql``: an SQL engine against SQLite (``cli.sql``);
- ``batch``: many generated samples per task (``cli.batch``);
- ``history``, ``compare``, ``report``: recorded runs (``cli.history``);
- ``replay``: a failing input again (``cli.replay``).

``check``, ``sql`` and ``batch`` run through the one run pipeline (``cli.run``).
A handler returns the exit status; a ``SignoffError`` it raises (bad input) is
one red line and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import traceback
from collections.abc import Sequence
from importlib import metadata

from rich.console import Console
from rich.text import Text

from signoff.cli.batch import add_batch_parser
from signoff.cli.check import add_check_parser
from signoff.cli.history import add_history_parsers
from signoff.cli.replay import add_replay_parser
from signoff.cli.sql import add_sql_parser
from signoff.cli.values import SignoffParser
from signoff.errors import SignoffError

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it
NO_WRAP_WIDTH = 100_000  # characters: "no wrapping" for a console that is not a terminal
EXIT_INTERNAL = 3  # signoff's own fault: nothing was judged, as for "could not run" (never 1, a fail)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    options = _parser().parse_args(arguments)
    options.command_line = shlex.join(["signoff", *arguments])  # recorded with the run
    no_color = bool(os.environ.get("NO_COLOR")) or None
    console, errors = _console(stderr=False, no_color=no_color), _console(stderr=True, no_color=no_color)
    try:
        return int(options.handler(options, console, errors))
    except SignoffError as error:
        errors.print(Text.assemble(("signoff: error:", "bold red"), f" {error}"), soft_wrap=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        errors.print("signoff: interrupted")
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug of signoff's own: never exit 1, which says a candidate failed
        errors.print(traceback.format_exc(), soft_wrap=True)
        errors.print(Text.assemble(("signoff: internal error:", "bold red"),
                                   f" {type(error).__name__}: {error} (a bug in signoff, not in the code "
                                   "it judged; the traceback above says where)"), soft_wrap=True)
        return EXIT_INTERNAL


class _Version(argparse.Action):
    """``--version``: the installed version, looked up only when asked (not on every command)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        try:
            version = metadata.version("signoff")
        except metadata.PackageNotFoundError:  # run from a source tree that was never installed
            version = "(not installed)"
        sys.stdout.write(f"signoff {version}\n")
        parser.exit(0)


def _console(*, stderr: bool, no_color: bool | None) -> Console:
    """A console that prints text as it is: a path, a target or a message from the user's own
    code is never read as Rich markup (``cand[/v2].py``) or emoji (``:smile:``), nor coloured by
    guesswork. Styles come only from ``Text`` and ``style=``: the one place this is decided.

    On a terminal, its width; piped (a CI log) with no COLUMNS set, no wrapping at all: a replay
    command, a run id or a path split over two lines cannot be copied."""
    stream = sys.stderr if stderr else sys.stdout
    unwrapped = not stream.isatty() and "COLUMNS" not in os.environ
    return Console(stderr=stderr, no_color=no_color, markup=False, emoji=False, highlight=False,
                   width=NO_WRAP_WIDTH if unwrapped else None)


def _parser() -> argparse.ArgumentParser:
    parser = SignoffParser(
        prog="signoff",
        description="Decide, with evidence, whether a candidate may replace a trusted reference.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show signoff's version and exit")
    commands = parser.add_subparsers(required=True, metavar="COMMAND", parser_class=SignoffParser)
    add_check_parser(commands)
    add_history_parsers(commands)
    add_sql_parser(commands)
    add_batch_parser(commands)
    add_replay_parser(commands)
    return parser


if __name__ == "__main__":
    sys.exit(main())
