"""Hypothesis as signoff drives it: quiet, seeded, no database, no deadline.

Checks use Hypothesis in two passes: one that only draws inputs (they are
then run in batches, in worker processes), and, when one of them shows a
difference, a second with the same seed that shrinks it. ``run_quietly`` is
both passes; the body raises ``Differs`` to mark an input as failing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis.reporting import with_reporter
from hypothesis.strategies import SearchStrategy

T = TypeVar("T")
F = TypeVar("F")

# No explain phase: it calls the test on variants after shrinking, which would
# cost a slow candidate dearly and make the last failure not the minimal one.
SHRINK_PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]
DRAW_PHASES = [Phase.generate]


class Differs(Exception):
    """Raised inside the Hypothesis test so that it shrinks the input."""


def run_quietly(strategy: SearchStrategy[T], seed: int, examples: int, phases: list[Phase],
                body: Callable[[T], None]) -> str | None:
    """Run ``body`` under Hypothesis; an error message if Hypothesis or the strategy failed."""

    def each(value: T) -> None:  # a plain function: Hypothesis cannot wrap a builtin such as list.append
        body(value)

    test = settings(
        max_examples=examples, deadline=None, database=None,
        suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
        report_multiple_bugs=False, phases=phases,
    )(given(strategy)(each))
    with with_reporter(lambda _text: None):
        try:
            hypothesis.seed(seed)(test)()
        except Differs:
            pass
        except Unsatisfiable:
            return "the strategy could not generate any input (too many filtered out)"
        except hypothesis.errors.HypothesisException as exception:
            # Flaky: the candidate changed its mind on a replayed input. The
            # differences already seen are real; the caller reports them.
            return f"Hypothesis stopped: {type(exception).__name__}: {exception}"
        except Exception as exception:  # the user's strategy raised
            return f"generating inputs failed: {type(exception).__name__}: {exception}"
    return None


def draw_until(strategy: SearchStrategy[T], seed: int, examples: int,
               stop_at: float) -> tuple[list[T], str | None]:
    """Up to ``examples`` values, in the order ``run_quietly`` with this seed draws them.

    Drawing stops at ``stop_at`` (a ``time.monotonic()`` moment) with what it
    has: Hypothesis draws tens of values a second for rich strategies, and a
    check's budget must cover running them too. The values are a prefix of the
    seeded sequence, so a shrinking pass with the same seed meets them again.
    """
    drawn: list[T] = []
    stopped = False

    def take(value: T) -> None:
        nonlocal stopped
        if not stopped:
            drawn.append(value)
            stopped = time.monotonic() > stop_at
        if stopped:  # one raise for every call: Hypothesis replays the last failure
            raise Differs

    error = run_quietly(strategy, seed, examples, DRAW_PHASES, take)
    return drawn, error


def shrink_seeded(strategy: SearchStrategy[T], seed: int, examples: int, judged: Sequence[T],
                  known: Callable[[int], F | None], judge: Callable[[T], F | None],
                  deadline: float) -> tuple[list[tuple[T, F]], str | None]:
    """Every failing value Hypothesis meets while it shrinks (the smallest last), and its error.

    ``judged`` are the values a ``draw_until`` pass with this seed drew and the
    caller already ran: Hypothesis meets them again in the same order, and
    ``known(index)`` answers for them without running them again. Any other
    value is run by ``judge`` until ``deadline``; after it every value passes,
    so shrinking stops with the smallest failure found so far.
    """
    found: list[tuple[T, F]] = []
    seen = 0

    def one(value: T) -> None:
        nonlocal seen
        index, seen = seen, seen + 1
        failure: F | None = None
        if index < len(judged) and value == judged[index]:
            failure = known(index)
        elif time.monotonic() < deadline:
            failure = judge(value)
        if failure is not None:
            found.append((value, failure))
            raise Differs  # from one line only: Hypothesis tells failures apart by where they were raised

    error = run_quietly(strategy, seed, examples, SHRINK_PHASES, one)
    return found, error
