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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from signoff.criteria.base import CheckContext, Criterion, EvidenceView
from signoff.criteria.cost import CostContext, Side, SideFault, calibrate_pair, time_pair
from signoff.errors import SpecError
from signoff.inputs import require_seconds
from signoff.measure.fit import GROWTH_CLASSES
from signoff.measure.growth import judge_growth, measure_growth
from signoff.runner.measure import forged_clock
from signoff.verdict import CheckResult

DEFAULT_REPEATS = 5  # timings per size: the fastest of five shrugs off a slow spell
DEFAULT_BUDGET_S = 60.0  # probe and repetitions together; too few sizes by then is inconclusive


@dataclass(frozen=True)
class Scaling(Criterion):
    name: ClassVar[str] = "scaling"
    run_order: ClassVar[int] = 2  # before speed: it stops early when the candidate's time explodes
    needs_workload: ClassVar[bool] = True
    view: ClassVar[EvidenceView] = EvidenceView(
        figures=("ratio_growth", "ratio_growth_interval", "ratio_growth_limit", "reference_class",
                 "candidate_class", "no_worse_than", "repeats", "noise", "clock_forged", "size", "fault"),
        layouts=(("growth", ("sizes", "reference_seconds", "candidate_seconds", "reference_fit",
                             "candidate_fit", "explosion")),),
    )
    no_worse_than: str = "reference"
    repeats: int = DEFAULT_REPEATS
    budget_s: float = DEFAULT_BUDGET_S

    def check(self, context: CheckContext) -> CheckResult:
        return check_scaling(self, context.costs)


def scaling(no_worse_than: str = "reference", *, repeats: int = DEFAULT_REPEATS,
            budget: float = DEFAULT_BUDGET_S) -> Scaling:
    """The candidate's time grows no faster than the reference's (or than a named class).

    ``no_worse_than`` is ``"reference"`` (the candidate/reference ratio, paired
    per size, must not grow more than 2x over the sizes) or one of ``O(1)``,
    ``O(log n)``, ``O(n)``, ``O(n log n)``, ``O(n^2)``, ``O(n^3)``, ``O(2^n)``
    (the fitted class). Each size is timed ``repeats`` times, in rounds over
    the sizes in random order (``signoff.measure.growth``).
    """
    if no_worse_than != "reference" and no_worse_than not in GROWTH_CLASSES:
        raise SpecError(
            f"scaling(no_worse_than=...) must be 'reference' or one of {', '.join(GROWTH_CLASSES)}, "
            f"not {no_worse_than!r}"
        )
    if not isinstance(repeats, int) or repeats < 1:
        raise SpecError(f"scaling(repeats=...) must be an int >= 1, not {repeats!r}")
    require_seconds(budget, "scaling(budget=...)")
    return Scaling(no_worse_than, repeats, float(budget))


def check_scaling(criterion: Scaling, context: CostContext) -> CheckResult:
    sizes = sorted(context.workload.sizes)
    unequal = context.unequal_work(Scaling.name, sizes[0], context.fresh_input(sizes[0]))
    if unequal:
        return unequal
    sides: dict[int, tuple[Side, Side]] = {}

    def measure_at(size: int, first: bool) -> tuple[float, float] | SideFault:
        case = context.fresh_input(size)
        if first:
            sides[size] = (Side(context.reference), Side(context.candidate))
            return calibrate_pair(*sides[size], case, size)
        return time_pair(*sides[size], case, size, context.rng)

    def progress(phase: str, done: int, total: int, left: float) -> None:
        if context.progress:
            context.progress(f"{Scaling.name} {phase}", done, total, left)

    run = measure_growth(sizes, measure_at, repeats=criterion.repeats, budget_s=criterion.budget_s,
                         revisit=True, rng=context.rng, progress=progress)
    if run.fault is not None:
        return run.fault.result(Scaling.name)
    judged = judge_growth(run, criterion.no_worse_than)
    forged = forged_clock([t for r, _ in sides.values() for t in r.timings],
                          [t for _, c in sides.values() for t in c.timings])
    if forged:
        judged.evidence["clock_forged"] = forged
    return CheckResult(Scaling.name, judged.verdict, judged.summary, judged.evidence)
