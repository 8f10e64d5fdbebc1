"""``speed``: candidate time / reference time, as a paired ratio with an interval.

Reference and candidate are timed in pairs, back to back on equal fresh
inputs, in a random order within each pair, each in calibrated batches of at
least 10 ms with the garbage collector run before and off during a batch.
The verdict rests on the interval of the mean paired log-ratio
(``signoff.measure.paired``, the procedure every ratio check shares),
examined as pairs arrive, so a clear case ends after a few dozen pairs and
only a close one uses the whole budget. With ``measure="instructions"`` each
side's instructions per call are counted under Callgrind instead
(``criteria.cost``), and the same procedure judges their ratio.
"""

from __future__ import annotations

import time
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
from signoff.inputs import require_positive, require_seconds
from signoff.measure.paired import measure_ratio
from signoff.measure.rules import MAX_PAIRS, MIN_PAIRS
from signoff.runner.measure import forged_clock
from signoff.verdict import CheckResult

DEFAULT_AT_MOST = 1.2  # 20% slower than the reference is still a pass
DEFAULT_BUDGET_S = 60.0  # sampling stops here; undecided by then is inconclusive
DEFAULT_MAX_PAIRS = MAX_PAIRS


@dataclass(frozen=True)
class Speed(Criterion):
    name: ClassVar[str] = "speed"
    run_order: ClassVar[int] = 3  # the longest: after growth, which stops early on an explosion
    needs_workload: ClassVar[bool] = True
    view: ClassVar[EvidenceView] = EvidenceView(
        figures=("ratio", "ci95", "at_most", "measure", "pairs", "size", "decided_by", "calls_per_batch",
                 "clock_forged", "noise", "decision_interval", "decision_confidence", "fault"),
        layouts=(("ratio_pairs", ("pair_seconds", "pair_instructions")),),
    )
    at_most: float = DEFAULT_AT_MOST
    size: int | None = None  # the workload size to time at; None for the largest
    budget_s: float = DEFAULT_BUDGET_S
    max_pairs: int = DEFAULT_MAX_PAIRS
    measure: Measure = "time"

    def check(self, context: CheckContext) -> CheckResult:
        return check_speed(self, context.costs)


def speed(at_most: float = DEFAULT_AT_MOST, *, size: int | None = None,
          budget: float = DEFAULT_BUDGET_S, max_pairs: int = DEFAULT_MAX_PAIRS,
          measure: str = "time") -> Speed:
    """Candidate time / reference time is at most ``at_most``, with 95% confidence.

    Timed in interleaved pairs on the same fresh input of the workload at
    ``size`` (default: its largest size), until the interval decides or
    ``budget`` seconds or ``max_pairs`` pairs are spent (then inconclusive).
    ``measure="instructions"``: instructions per call, counted under Valgrind's
    Callgrind, instead of time (unmoved by the machine's load; needs Valgrind).
    """
    require_positive(at_most, "speed(at_most=...)")
    require_seconds(budget, "speed(budget=...)")
    if not isinstance(max_pairs, int) or max_pairs < MIN_PAIRS:
        raise SpecError(f"speed(max_pairs=...) must be an int >= {MIN_PAIRS}, not {max_pairs!r}")
    return Speed(float(at_most), size, float(budget), max_pairs,
                 require_measure(measure, "speed(measure=...)"))


def check_speed(criterion: Speed, context: CostContext) -> CheckResult:
    started = time.monotonic()
    size = criterion.size if criterion.size is not None else max(context.workload.sizes)
    case = context.fresh_input(size)
    unequal = context.unequal_work(Speed.name, size, case)
    if unequal:
        return unequal
    workers = context.workers(Speed.name, criterion.measure)
    if isinstance(workers, CheckResult):
        return workers
    reference, candidate = Side(workers[0]), Side(workers[1])
    calibrated = calibrate_pair(reference, candidate, case, size)
    if isinstance(calibrated, SideFault):
        return calibrated.result(Speed.name)

    def measure_pair() -> tuple[float, float] | SideFault:
        return time_pair(reference, candidate, context.fresh_input(size), size, context.rng)

    def progress(done: int, total: int, left: float) -> None:
        if context.progress:
            context.progress(f"{Speed.name} pairs", done, total, left)

    run = measure_ratio(measure_pair, at_most=criterion.at_most, budget_s=criterion.budget_s,
                        started=started, seed=context.seed, max_pairs=criterion.max_pairs, progress=progress)
    if run.fault is not None:
        return run.fault.result(Speed.name)
    evidence: dict[str, Any] = {
        "size": size, "measure": criterion.measure,
        "calls_per_batch": {"reference": reference.calls, "candidate": candidate.calls},
    }
    if criterion.measure == "instructions":
        evidence["pair_instructions"] = [[round(r, 1), round(c, 1)] for r, c in run.pairs]
        what = "instructions"
    else:
        evidence["pair_seconds"] = [[r, c] for r, c in run.pairs]
        what = "time"
        forged = forged_clock(reference.timings, candidate.timings)
        if forged:
            evidence["clock_forged"] = forged
    return run.result(Speed.name, lambda ratio: f"{ratio:.3g}x the reference's {what} at size {size}",
                      "pair", evidence)
