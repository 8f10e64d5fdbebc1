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
from collections.abc import Sequence

from rich.console import Console

from signoff.cli.batch import add_batch_parser
from signoff.cli.check import add_check_parser
from signoff.cli.history import add_history_parsers
from signoff.cli.replay import add_replay_parser
from signoff.cli.sql import add_sql_parser
from signoff.errors import SignoffError

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    options = _parser().parse_args(arguments)
    options.command_line = shlex.join(["signoff", *arguments])  # recorded with the run
    no_color = bool(os.environ.get("NO_COLOR")) or None
    console = Console(stderr=False, no_color=no_color)
    errors = Console(stderr=True, no_color=no_color)
    try:
        return int(options.handler(options, console, errors))
    except SignoffError as error:
        errors.print(f"[bold red]signoff: error:[/] {error}", highlight=False, markup=True,
                     soft_wrap=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        errors.print("signoff: interrupted")
        return EXIT_INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signoff",
        description="Decide, with evidence, whether a candidate may replace a trusted reference.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    add_check_parser(commands)
    add_history_parsers(commands)
    add_sql_parser(commands)
    add_batch_parser(commands)
    add_replay_parser(commands)
    return parser


if __name__ == "__main__":
    sys.exit(main())
