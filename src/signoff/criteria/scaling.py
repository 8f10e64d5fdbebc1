"""``scaling``: how time grows with input size, as a fitted class, for both sides.

First a probe, smallest size first: each side is calibrated and timed once
per size. A candidate whose time explodes (far beyond the reference's at the
same size, and growing) is stopped there and judged on what was measured, so
a 20,000x candidate costs seconds. Then the remaining repetitions run in
rounds, each visiting the sizes in a new random order with a fresh input
timed on both sides; the typical time per size (``_typical``) is fitted by
``stats.classify_growth``.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from signoff.criteria.cost import CostContext, Side, calibrate_side, fault_result, out_of_time, time_side
from signoff.runner.measure import Fault
from signoff.spec import Scaling
from signoff.stats import (
    AMBIGUOUS,
    MIN_SIZES,
    GrowthFit,
    classify_growth,
    compare_growth,
    growth_rank,
    size_medians,
)
from signoff.verdict import CheckResult

# An explosion: the candidate is this many times slower than the reference at a
# size, the ratio has grown this much since the smallest size, and one call
# takes at least EXPLOSION_SECONDS, so larger sizes would only cost more time.
EXPLOSION_RATIO = 1000.0
EXPLOSION_GROWTH = 8.0
EXPLOSION_SECONDS = 0.02
# The probe may spend at most this share of the budget; repetitions get the rest.
PROBE_SHARE = 0.5


def check_scaling(criterion: Scaling, context: CostContext) -> CheckResult:
    sizes = sorted(context.workload.sizes)
    deadline = time.monotonic() + criterion.budget_s
    probe_deadline = time.monotonic() + criterion.budget_s * PROBE_SHARE
    unequal = context.unequal_work("scaling", sizes[0], context.fresh_input(sizes[0]))
    if unequal:
        return unequal

    samples: dict[str, dict[int, list[float]]] = {"reference": {}, "candidate": {}}
    sides: dict[int, dict[str, Side]] = {}
    measured: list[int] = []
    explosion: str | None = None
    for size in sizes:
        if out_of_time(probe_deadline) and len(measured) >= MIN_SIZES:
            break
        case = context.fresh_input(size)
        sides[size] = {"reference": Side(context.reference), "candidate": Side(context.candidate)}
        for role, side in sides[size].items():
            fault = calibrate_side(side, case)
            if fault:
                if role == "candidate" and measured:
                    explosion = f"the candidate {fault.description} at size {size}"
                    break
                return fault_result("scaling", role, size, fault)
            samples[role][size] = [side.timings[-1].per_call_s]
        if explosion:
            break
        measured.append(size)
        if context.progress:
            context.progress("scaling probe", len(measured), len(sizes), deadline - time.monotonic())
        explosion = _explosion(samples, measured)
        if explosion:
            break

    # Repetitions in rounds: each round visits every size once, in a new random
    # order; at each size one fresh input is timed on both sides, in random order.
    rounds = max(0, criterion.repeats - 1)
    for round_number in range(rounds):
        order = list(measured)
        context.rng.shuffle(order)
        for size in order:
            if out_of_time(deadline):
                break
            case = context.fresh_input(size)
            roles = ["reference", "candidate"]
            context.rng.shuffle(roles)
            for role in roles:
                result = time_side(sides[size][role], case)
                if isinstance(result, Fault):
                    return fault_result("scaling", role, size, result)
                samples[role][size].append(result.per_call_s)
        if context.progress:
            context.progress("scaling repetitions", round_number + 1, rounds, deadline - time.monotonic())
    return _verdict(criterion, samples, measured, explosion)


def _explosion(samples: dict[str, dict[int, list[float]]], measured: list[int]) -> str | None:
    first, last = measured[0], measured[-1]
    ratio = samples["candidate"][last][0] / samples["reference"][last][0]
    first_ratio = samples["candidate"][first][0] / samples["reference"][first][0]
    if (ratio >= EXPLOSION_RATIO and ratio >= EXPLOSION_GROWTH * first_ratio
            and samples["candidate"][last][0] >= EXPLOSION_SECONDS):
        return (f"the candidate's time explodes: {ratio:,.0f}x the reference's at size {last} "
                f"(was {first_ratio:,.1f}x at size {first}); larger sizes not run")
    return None


def _verdict(criterion: Scaling, samples: dict[str, dict[int, list[float]]], measured: list[int],
             explosion: str | None) -> CheckResult:
    medians = {role: _typical(samples[role], measured) for role in samples}
    evidence: dict[str, Any] = {
        "sizes": measured,
        "reference_seconds": medians["reference"],
        "candidate_seconds": medians["candidate"],
        "repeats": {role: [len(samples[role][n]) for n in measured] for role in samples},
        "no_worse_than": criterion.no_worse_than,
    }
    fits: dict[str, GrowthFit | None] = {
        role: classify_growth(measured, medians[role]) if len(measured) >= MIN_SIZES else None
        for role in medians
    }
    for role, fit in fits.items():
        evidence[f"{role}_class"] = fit.label if fit else AMBIGUOUS
        if fit:
            evidence[f"{role}_fit"] = {"best": fit.best, "runner_up": fit.runner_up,
                                       "coefficients": {k: list(v) for k, v in fit.coefficients.items()},
                                       "misfit": fit.misfit}
    cand = evidence["candidate_class"]
    classes = f"candidate {cand}, reference {evidence['reference_class']}"
    if explosion:
        evidence["explosion"] = explosion
        return CheckResult("scaling", "fail", f"{explosion} ({classes})", evidence)
    if len(measured) < MIN_SIZES:
        return CheckResult("scaling", "inconclusive",
                           f"only {len(measured)} sizes measured within the budget of "
                           f"{criterion.budget_s:g} s; at least {MIN_SIZES} are needed", evidence)
    # An ambiguous fit still narrows the class to its best two; judge on the
    # whole range: fail only if every plausible candidate class is worse than
    # every plausible bound, pass only if none is.
    cand_range = _plausible(fits["candidate"])
    if criterion.no_worse_than == "reference":
        bound_range = _plausible(fits["reference"])
    else:
        bound_range = (criterion.no_worse_than,)
    best_case = min(cand_range, key=growth_rank)
    worst_bound = max(bound_range, key=growth_rank)
    bound = " or ".join(bound_range)
    if compare_growth(best_case, worst_bound) > 0:
        grows = " or ".join(cand_range)
        return CheckResult("scaling", "fail", f"grows as {grows}, worse than {bound} ({classes})", evidence)
    if compare_growth(max(cand_range, key=growth_rank), min(bound_range, key=growth_rank)) <= 0:
        return CheckResult("scaling", "pass", f"grows as {cand}, no worse than {bound} ({classes})",
                           evidence)
    return CheckResult("scaling", "inconclusive",
                       f"the fitted classes overlap and do not decide ({classes}; plausible: "
                       f"candidate {' or '.join(cand_range)}, bound {bound})", evidence)


def _typical(samples: dict[int, list[float]], sizes: list[int]) -> list[float]:
    """Seconds per size: over the complete rounds, each round's common speed factor
    removed first (``stats.size_medians``: a slow spell on a shared machine must not
    bend the curve); the plain median of each size where no complete table exists."""
    complete = min((len(samples[n]) for n in sizes), default=0)
    if complete >= 3:
        table = [[samples[n][r] for n in sizes] for r in range(complete)]
        return [float(t) for t in size_medians(table)]
    return [statistics.median(samples[n]) for n in sizes]


def _plausible(fit: GrowthFit | None) -> tuple[str, ...]:
    """The class, or for an ambiguous fit the best two, best first."""
    assert fit is not None
    if fit.label != AMBIGUOUS or fit.runner_up is None:
        return (fit.best if fit.label == AMBIGUOUS else fit.label,)
    return (fit.best, fit.runner_up)
