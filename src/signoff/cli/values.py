"""What a number on the command line may be: one rule per kind, for every command and flag.

Each is an ``argparse`` type: a value out of range is refused while the
command line is read, before a worker starts or the store is touched, with
one line naming the flag (``SignoffParser.error``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from signoff.inputs import SEED_LIMIT, seconds_problem


def seconds(text: str) -> float:
    """A time limit or budget: ``inputs.seconds_problem`` says what may be one."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text!r}") from None
    problem = seconds_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(f"{problem}, not {text!r}")
    return value


def whole(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """A count (or a seed): a whole number from ``minimum`` to ``maximum``, when there is one."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
        if maximum is not None and not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"must be from {minimum} to {maximum}, not {value}")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    parse.__name__ = f"whole number >= {minimum}"  # argparse names the type in its own messages
    return parse


# A seed: what numpy, Hypothesis and the results store all take.
seed = whole(0, SEED_LIMIT - 1)


class SignoffParser(argparse.ArgumentParser):
    """An argument parser whose mistakes are one line on stderr and exit status 2, as every other
    bad input is (argparse's own prints the whole usage first)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")
