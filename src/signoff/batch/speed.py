"""A correct sample's speed against the reference, for tasks with a workload.

It is ``signoff check``'s ``speed`` criterion (``signoff.criteria.speed``) as it is:
the same answers checked on the workload's input first, the same calibrated
pairs in random order on fresh inputs, the same interval of the paired
log-ratio and the same evidence. It runs inside ``judge_task``, on the
task's reference worker and the sample's worker, so all the pairs of a sample
run on one node (on Ray, inside the sample's one Ray task).

Only a sample that passed every correctness check is timed: the speed of a
wrong answer means nothing. With a ``speed`` criterion on the task the check
is judged as ``check`` judges it (fail above the bound with 95% confidence,
inconclusive when the budget ends first). Without one it is informational:
INFORMATIONAL_PAIRS pairs give the ratio and its interval, and the verdict is
a pass, because a benchmark's pass@k should not move with a bound nobody set.
It still fails a sample whose answer on the workload differs from the
reference's or that crashes or times out there: those are not speeds.
"""

from __future__ import annotations

import math
from typing import Any

from signoff.batch.task import Task
from signoff.criteria.cost import CostContext
from signoff.criteria.speed import Speed, check_speed
from signoff.measure.rules import MIN_PAIRS
from signoff.runner.process import Worker
from signoff.verdict import CheckResult

INFORMATIONAL_PAIRS = MIN_PAIRS  # the sequential test's first look: enough for a 95% interval
INFORMATIONAL_BUDGET_S = 30.0
# No bound: the first look always "passes", so exactly INFORMATIONAL_PAIRS pairs are timed.
INFORMATIONAL = Speed(at_most=math.inf, budget_s=INFORMATIONAL_BUDGET_S, max_pairs=INFORMATIONAL_PAIRS)


def check_sample_speed(task: Task, reference: Worker, candidate: Worker, seed: int) -> CheckResult:
    """The ``speed`` check of one sample that passed the correctness checks."""
    assert task.workload is not None
    context = CostContext(reference, candidate, task.workload, task.equal, "type", seed)
    try:
        result = check_speed(task.speed or INFORMATIONAL, context)
    except Exception as error:  # the task's make() (trusted code) failed: no fault of the sample
        return CheckResult(Speed.name, "error",
                           f"could not time the workload: {type(error).__name__}: {error}")
    if task.speed is not None or result.verdict not in ("pass", "inconclusive"):
        return result
    return _informational(result)


def _informational(result: CheckResult) -> CheckResult:
    """Without a bound: the ratio measured so far, as a pass (a fail or an error stays one)."""
    evidence: dict[str, Any] = {**result.evidence, "at_most": None, "informational": True}
    if "ratio" not in evidence:  # the budget ended before two pairs: a very slow call
        return CheckResult(Speed.name, "pass", f"not timed: {result.summary} (no bound set)",
                           evidence | {"ratio": None})
    low, high = evidence["ci95"]
    text = (f"{evidence['ratio']:.3g}x the reference's time at size {evidence['size']} "
            f"(95% CI {low:.3g}-{high:.3g}, {evidence['pairs']} pairs; no bound set)")
    return CheckResult(Speed.name, "pass", text, evidence)
