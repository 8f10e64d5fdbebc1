"""``scaling``: how time grows with input size, for both sides, against the reference or a class.

The procedure and its rules are ``signoff.measure.growth``, shared with the
SQL scaling invariants: a probe, smallest size first (each side calibrated
on a fresh input, its calibration batch the first pair), stopped early when
the candidate's time explodes or it overruns a size (the sizes it did are
kept), so a 20,000x candidate costs seconds; then the remaining repetitions
in rounds, each visiting the sizes in a new random order with a fresh input
timed on both sides. Against the reference, how the paired ratio grows with
size decides, the fitted classes beside it as information; against a named
class, the fitted classes and the ratio decide together. This module only
says how a size is prepared and timed here.

With ``measure="instructions"`` each side's instructions per call are
counted under Callgrind instead (``criteria.cost``) and go through the same
procedure. Its rules in seconds (an explosion needs a call of 50 ms, a call
of 2 s stops the sizes) then read counts as seconds at
NOMINAL_INSTRUCTIONS_PER_SECOND; ratios, fits and trends do not depend on
the unit. The evidence and the summary give the counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from signoff.criteria.base import CheckContext, Criterion, EvidenceView
from signoff.criteria.cost import (
    CostContext,
    Measure,
    Side,
    SideFault,
    calibrate_pair,
    require_measure,
    time_pair,
)
from signoff.errors import SpecError
from signoff.inputs import require_seconds
from signoff.measure.fit import GROWTH_CLASSES
from signoff.measure.growth import judge_growth, measure_growth
from signoff.runner.measure import forged_clock
from signoff.verdict import CheckResult

DEFAULT_REPEATS = 5  # timings per size: the fastest of five shrugs off a slow spell
DEFAULT_BUDGET_S = 60.0  # probe and repetitions together; too few sizes by then is inconclusive
# Counted instructions reach the growth procedure as seconds at this rate, about what CPython
# runs natively (1-3 G instructions/s): its rules in seconds keep their sense (an explosion
# needs a call of 50 M instructions; a call of 2 G instructions, a minute under Callgrind,
# stops the sizes), and nothing else in it depends on the unit.
NOMINAL_INSTRUCTIONS_PER_SECOND = 1e9
# judge_growth words its summary for times; counted, the same sentences speak of instructions.
_COUNTED_WORDS = (("the candidate's time explodes", "the candidate's instruction count explodes"),
                  ("the reference's time at", "the reference's instructions at"),
                  ("its time grew", "its instruction count grew"))
_LONG_CALL = re.compile(r"one call took the candidate ([0-9.]+) s ")


@dataclass(frozen=True)
class Scaling(Criterion):
    name: ClassVar[str] = "scaling"
    run_order: ClassVar[int] = 2  # before speed: it stops early when the candidate's time explodes
    needs_workload: ClassVar[bool] = True
    view: ClassVar[EvidenceView] = EvidenceView(
        figures=("ratio_growth", "ratio_growth_interval", "ratio_growth_limit", "reference_class",
                 "candidate_class", "no_worse_than", "measure", "repeats", "noise", "clock_forged", "size",
                 "fault"),
        layouts=(("growth", ("sizes", "reference_seconds", "candidate_seconds", "reference_instructions",
                             "candidate_instructions", "reference_fit", "candidate_fit", "explosion")),),
    )
    no_worse_than: str = "reference"
    repeats: int = DEFAULT_REPEATS
    budget_s: float = DEFAULT_BUDGET_S
    measure: Measure = "time"

    def check(self, context: CheckContext) -> CheckResult:
        return check_scaling(self, context.costs)


def scaling(no_worse_than: str = "reference", *, repeats: int = DEFAULT_REPEATS,
            budget: float = DEFAULT_BUDGET_S, measure: str = "time") -> Scaling:
    """The candidate's time grows no faster than the reference's (or than a named class).

    ``no_worse_than`` is ``"reference"`` (the candidate/reference ratio, paired
    per size, must not grow more than 2x over the sizes) or one of ``O(1)``,
    ``O(log n)``, ``O(n)``, ``O(n log n)``, ``O(n^2)``, ``O(n^3)``, ``O(2^n)``
    (the fitted class). Each size is timed ``repeats`` times, in rounds over
    the sizes in random order (``signoff.measure.growth``). ``measure="instructions"``:
    instructions per call, counted under Valgrind's Callgrind, instead of time.
    """
    if no_worse_than != "reference" and no_worse_than not in GROWTH_CLASSES:
        raise SpecError(
            f"scaling(no_worse_than=...) must be 'reference' or one of {', '.join(GROWTH_CLASSES)}, "
            f"not {no_worse_than!r}"
        )
    if not isinstance(repeats, int) or repeats < 1:
        raise SpecError(f"scaling(repeats=...) must be an int >= 1, not {repeats!r}")
    require_seconds(budget, "scaling(budget=...)")
    return Scaling(no_worse_than, repeats, float(budget), require_measure(measure, "scaling(measure=...)"))


def check_scaling(criterion: Scaling, context: CostContext) -> CheckResult:
    sizes = sorted(context.workload.sizes)
    unequal = context.unequal_work(Scaling.name, sizes[0], context.fresh_input(sizes[0]))
    if unequal:
        return unequal
    workers = context.workers(Scaling.name, criterion.measure)
    if isinstance(workers, CheckResult):
        return workers
    sides: dict[int, tuple[Side, Side]] = {}
    unit = NOMINAL_INSTRUCTIONS_PER_SECOND if criterion.measure == "instructions" else 1.0

    def measure_at(size: int, first: bool) -> tuple[float, float] | SideFault:
        case = context.fresh_input(size)
        if first:
            sides[size] = (Side(workers[0]), Side(workers[1]))
            pair = calibrate_pair(*sides[size], case, size)
        else:
            pair = time_pair(*sides[size], case, size, context.rng)
        return pair if isinstance(pair, SideFault) else (pair[0] / unit, pair[1] / unit)

    def progress(phase: str, done: int, total: int, left: float) -> None:
        if context.progress:
            context.progress(f"{Scaling.name} {phase}", done, total, left)

    run = measure_growth(sizes, measure_at, repeats=criterion.repeats, budget_s=criterion.budget_s,
                         revisit=True, rng=context.rng, progress=progress)
    if run.fault is not None:
        return run.fault.result(Scaling.name)
    judged = judge_growth(run, criterion.no_worse_than)
    if criterion.measure == "instructions":
        return CheckResult(Scaling.name, judged.verdict, counted_summary(judged.summary),
                           counted_evidence(judged.evidence))
    forged = forged_clock([t for r, _ in sides.values() for t in r.timings],
                          [t for _, c in sides.values() for t in c.timings])
    if forged:
        judged.evidence["clock_forged"] = forged
    return CheckResult(Scaling.name, judged.verdict, judged.summary, {**judged.evidence, "measure": "time"})


def counted_summary(text: str) -> str:
    """A sentence of judge_growth's about times, said of counted instructions."""
    for said, meant in _COUNTED_WORDS:
        text = text.replace(said, meant)
    return _LONG_CALL.sub(lambda found: f"one call of the candidate counted "
                          f"{float(found[1]) * NOMINAL_INSTRUCTIONS_PER_SECOND:.3g} instructions ", text)


def counted_evidence(evidence: dict[str, Any]) -> dict[str, Any]:
    """judge_growth's evidence with the nominal seconds back as instructions per call."""
    unit = NOMINAL_INSTRUCTIONS_PER_SECOND
    counted: dict[str, Any] = {"measure": "instructions"}
    for key, value in evidence.items():
        if key in ("reference_seconds", "candidate_seconds"):
            counted[key.replace("seconds", "instructions")] = [round(v * unit, 1) for v in value]
        elif key in ("reference_fit", "candidate_fit"):
            coefficients = {c: [a * unit, b * unit] for c, (a, b) in value["coefficients"].items()}
            counted[key] = {**value, "coefficients": coefficients}
        elif key in ("stopped", "explosion"):
            counted[key] = counted_summary(value)
        else:
            counted[key] = value
    return counted
