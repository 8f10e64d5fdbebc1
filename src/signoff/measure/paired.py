"""The paired sequential ratio procedure: time pairs until the interval decides.

One procedure for every ratio check (``speed``, the SQL invariants, batch
speed): the caller gives ``measure_pair()``, which times one unit of work on
each side (back to back, in a random order) and returns the pair
``(reference, candidate)``, or a fault of the caller's own type, which ends
the procedure and is handed back. This module owns everything else: the
sequential test (``intervals.SequentialRatioTest``), the most pairs, the
budget, the early exits for huge margins, progress, and the decision with
what decided it. ``RatioRun.result`` words it as a check result.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import numpy as np

from signoff.measure._numeric import Pair
from signoff.measure.intervals import Decision, RatioEstimate, SequentialRatioTest
from signoff.measure.rules import (
    DECISION_CONFIDENCE,
    GROSS_MARGIN,
    GROSS_PAIRS,
    MAX_PAIRS,
    REPORTED_CONFIDENCE,
    SIGN_MARGIN,
    SIGN_PAIRS,
)
from signoff.measure.trend import noise, too_noisy
from signoff.verdict import CheckResult, Verdict

F = TypeVar("F")
DecidedBy = Literal["interval", "gross margin", "sign test", "budget"]
Progress = Callable[[int, int, float], None]  # (pairs done, most pairs, seconds of budget left)


@dataclass(frozen=True, slots=True)
class RatioRun(Generic[F]):
    """What the procedure found: the pairs, the decision and what decided it, or a fault.

    ``estimate``: the nominal 95% interval over all pairs (None under two
    pairs); ``decision_interval``: the sequentially widened one the decision
    rests on (None before the first look).
    """

    at_most: float
    budget_s: float
    pairs: tuple[Pair, ...]
    decided_by: DecidedBy
    decision: Decision
    estimate: RatioEstimate | None
    decision_interval: RatioEstimate | None
    decision_confidence: float
    fault: F | None = None

    @property
    def verdict(self) -> Verdict:
        return "inconclusive" if self.decision == "undecided" else self.decision

    def evidence(self) -> dict[str, Any]:
        """The evidence every ratio check reports (a caller adds its own keys)."""
        evidence: dict[str, Any] = {"pairs": len(self.pairs), "at_most": self.at_most,
                                    "decided_by": self.decided_by}
        if self.estimate is not None:
            evidence.update(ratio=self.estimate.ratio, ci95=[self.estimate.low, self.estimate.high])
        if self.decision_interval is not None:
            evidence["decision_interval"] = [self.decision_interval.low, self.decision_interval.high]
            evidence["decision_confidence"] = self.decision_confidence
        machine = noise([[reference for reference, _ in self.pairs]])
        if machine is not None:
            evidence["noise"] = machine
        return evidence

    def result(self, criterion: str, measure: Callable[[float], str], unit: str, evidence: dict[str, Any],
               extra: str = "") -> CheckResult:
        """The check result. ``measure(ratio)`` says what the ratio is of ("2.1x the reference's
        time at size 1000"), ``unit`` what one pair is ("pair", "round"), ``extra`` is a phrase
        after the interval; ``evidence`` is the caller's, with ``evidence()`` added."""
        evidence = {**evidence, **self.evidence()}
        if self.estimate is None:
            return CheckResult(criterion, "inconclusive", f"the budget of {self.budget_s:g} s ran out "
                               f"after {_count(len(self.pairs), unit)}", evidence)
        low, high, pairs = self.estimate.low, self.estimate.high, _count(len(self.pairs), unit)
        text = f"{measure(self.estimate.ratio)} (95% CI {low:.3g}-{high:.3g}, {pairs}){extra}"
        if self.decision == "pass":
            return CheckResult(criterion, "pass", f"{text} <= {self.at_most:g}x", evidence)
        if self.decision == "fail":
            how = {"sign test": f" (each of {_count(SIGN_PAIRS, unit)} over {SIGN_MARGIN:g}x the bound)",
                   "gross margin": f" (each of {_count(GROSS_PAIRS, unit)} over {GROSS_MARGIN:g}x the bound)",
                   }.get(self.decided_by, "")
            return CheckResult(criterion, "fail", f"{text} > {self.at_most:g}x{how}", evidence)
        noisy = too_noisy(evidence.get("noise"), abs(math.log(self.at_most)))
        return CheckResult(criterion, "inconclusive", f"{text}: the interval still straddles "
                           f"{self.at_most:g}x when the budget ended{noisy}", evidence)


def measure_ratio(measure_pair: Callable[[], Pair | F], *, at_most: float, budget_s: float, seed: int,
                  started: float | None = None, max_pairs: int = MAX_PAIRS,
                  progress: Progress | None = None) -> RatioRun[F]:
    """Time pairs until the candidate/reference ratio is decided against ``at_most``.

    Pairs are taken until the sequential interval lies wholly on one side of
    ``at_most``, an early exit fires (each of the first GROSS_PAIRS pairs over
    GROSS_MARGIN times the bound, or each of the first SIGN_PAIRS over
    SIGN_MARGIN times), ``max_pairs`` are taken, or ``budget_s`` seconds from
    ``started`` (a ``time.monotonic()`` reading; default now) have passed.
    ``seed`` seeds the bootstrap.
    """
    deadline = (time.monotonic() if started is None else started) + budget_s
    test = SequentialRatioTest(max_pairs=max_pairs, overall=DECISION_CONFIDENCE,
                               rng=np.random.default_rng(seed))
    pairs: list[Pair] = []
    decided_by: DecidedBy = "budget"
    while len(pairs) < max_pairs and time.monotonic() < deadline:
        measured = measure_pair()
        if not isinstance(measured, tuple):
            return RatioRun(at_most, budget_s, tuple(pairs), "budget", "undecided", None, None,
                            test.look_confidence, measured)
        reference, candidate = measured
        pairs.append((reference, candidate))
        test.add(reference, candidate)
        if progress:
            progress(len(pairs), max_pairs, deadline - time.monotonic())
        early = _early_exit(test, pairs, at_most)
        if early:
            decided_by = early
            break
    decision = test.decision(at_most)
    if decided_by in ("sign test", "gross margin"):
        decision = "fail"
    estimate = test.estimate(REPORTED_CONFIDENCE) if len(pairs) >= 2 else None
    if estimate is None:
        decision = "undecided"
    return RatioRun(at_most, budget_s, tuple(pairs), decided_by, decision, estimate, test.last_look,
                    test.look_confidence)


def _early_exit(test: SequentialRatioTest, pairs: list[Pair], at_most: float) -> DecidedBy | None:
    if test.decision(at_most) != "undecided":
        return "interval"
    margins = [candidate / (at_most * reference) for reference, candidate in pairs]
    if len(pairs) == GROSS_PAIRS and min(margins) > GROSS_MARGIN:
        return "gross margin"
    if len(pairs) == SIGN_PAIRS and min(margins) > SIGN_MARGIN:
        return "sign test"
    return None


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"
