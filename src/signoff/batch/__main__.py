"""``python -m signoff.batch ARGS``: the ``signoff batch`` command on its own.

The same as ``signoff batch ARGS`` (errors, exit status, output), usable
before and beside the ``signoff`` entry point.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from rich.console import Console

from signoff.batch.command import add_batch_parser
from signoff.errors import SignoffError

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="signoff")
    add_batch_parser(parser.add_subparsers(required=True, metavar="COMMAND"))
    options = parser.parse_args(["batch", *(sys.argv[1:] if argv is None else argv)])
    no_color = bool(os.environ.get("NO_COLOR")) or None
    console, errors = Console(no_color=no_color), Console(stderr=True, no_color=no_color)
    try:
        return int(options.handler(options, console, errors))
    except SignoffError as error:
        errors.print(f"[bold red]signoff: error:[/] {error}", highlight=False, soft_wrap=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        errors.print("signoff: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
