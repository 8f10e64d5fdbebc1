"""``speed``: candidate time / reference time, as a paired ratio with an interval.

Reference and candidate are timed in pairs, back to back on equal fresh
inputs, in a random order within each pair, each in calibrated batches of at
least 10 ms with the garbage collector run before and off during a batch.
The verdict rests on the interval of the mean paired log-ratio
(``stats.SequentialRatioTest``), examined as pairs arrive, so a clear case
ends after a few dozen pairs and only a close one uses the whole budget.
"""

from __future__ import annotations

import time

import numpy as np

from signoff.criteria.cost import CostContext, Side, calibrate_side, fault_result, out_of_time, time_side
from signoff.runner.measure import Fault, Timing
from signoff.spec import Speed
from signoff.stats import SequentialRatioTest
from signoff.verdict import CheckResult

# Early verdicts for huge margins, so a 20,000x candidate is not timed for
# minutes. Sign test: when each of the first SIGN_PAIRS pairs is over 10x the
# bound, the chance of that under a true ratio at the bound is at most
# 0.5**SIGN_PAIRS (0.4%). Gross margin: back-to-back batches of the same code
# never differ by 100x on this kind of machine, so GROSS_PAIRS pairs each over
# 100x the bound are not noise.
# Overall confidence of the sequential decision, across all its looks: 98%
# two-sided, so a true ratio at the bound is judged wrongly either way at most
# 1% of the time (the A/A target), and a ratio well inside it far less often.
DECISION_CONFIDENCE = 0.98
SIGN_PAIRS = 8
SIGN_MARGIN = 10.0
GROSS_PAIRS = 4
GROSS_MARGIN = 100.0


def check_speed(criterion: Speed, context: CostContext) -> CheckResult:
    size = criterion.size if criterion.size is not None else max(context.workload.sizes)
    deadline = time.monotonic() + criterion.budget_s
    case = context.fresh_input(size)
    unequal = context.unequal_work("speed", size, case)
    if unequal:
        return unequal
    reference, candidate = Side(context.reference), Side(context.candidate)
    for role, side in (("reference", reference), ("candidate", candidate)):
        fault = calibrate_side(side, case)
        if fault:
            return fault_result("speed", role, size, fault)

    test = SequentialRatioTest(max_pairs=criterion.max_pairs, overall=DECISION_CONFIDENCE,
                               rng=np.random.default_rng(context.seed))
    pairs: list[tuple[float, float]] = []
    decided_by = "budget"
    while len(pairs) < criterion.max_pairs and not out_of_time(deadline):
        case = context.fresh_input(size)
        order = [("reference", reference), ("candidate", candidate)]
        context.rng.shuffle(order)
        timed: dict[str, Timing] = {}
        for role, side in order:
            result = time_side(side, case)
            if isinstance(result, Fault):
                return fault_result("speed", role, size, result)
            timed[role] = result
        pair = (timed["reference"].per_call_s, timed["candidate"].per_call_s)
        pairs.append(pair)
        test.add(*pair)
        if context.progress:
            context.progress("speed pairs", len(pairs), criterion.max_pairs, deadline - time.monotonic())
        if test.decision(criterion.at_most) != "undecided":
            decided_by = "interval"
            break
        if len(pairs) == GROSS_PAIRS and all(c > GROSS_MARGIN * criterion.at_most * r for r, c in pairs):
            decided_by = "gross margin"
            break
        if len(pairs) == SIGN_PAIRS and all(c > SIGN_MARGIN * criterion.at_most * r for r, c in pairs):
            decided_by = "sign test"
            break
    return _verdict(criterion, test, pairs, decided_by, size, reference, candidate)


def _verdict(criterion: Speed, test: SequentialRatioTest, pairs: list[tuple[float, float]],
             decided_by: str, size: int, reference: Side, candidate: Side) -> CheckResult:
    if len(pairs) < 2 and decided_by == "budget":
        return CheckResult("speed", "inconclusive",
                           f"budget of {criterion.budget_s:g} s ran out after {len(pairs)} pair(s)",
                           {"size": size, "pairs": len(pairs)})
    estimate = test.estimate(0.95)
    decision = test.decision(criterion.at_most)
    if decided_by in ("sign test", "gross margin"):
        decision = "fail"
    overridden = sum(t.clock_overridden for side in (reference, candidate) for t in side.timings)
    evidence = {
        "ratio": estimate.ratio,
        "ci95": [estimate.low, estimate.high],
        "pairs": len(pairs),
        "at_most": criterion.at_most,
        "size": size,
        "decided_by": decided_by,
        "calls_per_batch": {"reference": reference.calls, "candidate": candidate.calls},
        "pair_seconds": [[r, c] for r, c in pairs],
        "clock_overridden": overridden,
    }
    if test.last_look is not None:
        evidence["decision_interval"] = [test.last_look.low, test.last_look.high]
        evidence["decision_confidence"] = test.look_confidence
    text = (f"{estimate.ratio:.3g}x the reference's time at size {size} "
            f"(95% CI {estimate.low:.3g}-{estimate.high:.3g}, {len(pairs)} pairs)")
    if decision == "pass":
        return CheckResult("speed", "pass", f"{text} <= {criterion.at_most:g}x", evidence)
    if decision == "fail":
        how = {"sign test": f" (each of {SIGN_PAIRS} pairs over {SIGN_MARGIN:g}x the bound)",
               "gross margin": f" (each of {GROSS_PAIRS} pairs over {GROSS_MARGIN:g}x the bound)",
               }.get(decided_by, "")
        return CheckResult("speed", "fail", f"{text} > {criterion.at_most:g}x{how}", evidence)
    return CheckResult("speed", "inconclusive",
                       f"{text}: the interval still straddles {criterion.at_most:g}x "
                       f"when the budget ended", evidence)
