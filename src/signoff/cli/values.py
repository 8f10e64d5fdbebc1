"""What a number on the command line may be: one rule per kind, for every command and flag.

Each is an ``argparse`` type: a value out of range is refused while the
command line is read, before a worker starts or the store is touched, with
one line naming the flag (``SignoffParser.error``).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from signoff.inputs import MAX_SECONDS, SEED_LIMIT


def seconds(text: str) -> float:
    """A time: seconds > 0 and at most MAX_SECONDS (``inf``, ``nan``, 0 and negatives are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds > 0, not {text!r}")
    if value > MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_SECONDS} seconds (a week), not {text!r}")
    return value


def whole(minimum: int) -> Callable[[str], int]:
    """A count: a whole number >= ``minimum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    parse.__name__ = f"whole number >= {minimum}"  # argparse names the type in its own messages
    return parse


def seed(text: str) -> int:
    """A seed: a whole number from 0 to 2**32 - 1 (what numpy, Hypothesis and the store all take)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"must be from 0 to {SEED_LIMIT - 1}, not {value}")
    return value


class SignoffParser(argparse.ArgumentParser):
    """An argument parser whose mistakes are one line on stderr and exit status 2, as every other
    bad input is (argparse's own prints the whole usage first)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")
