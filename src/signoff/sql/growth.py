"""Scaling invariants: how the time of a unit of work grows with the table, fitted to a class.

Sizes go from 1,000 rows up by a factor of sqrt(2) toward 1,024,000: each
engine grows its table to the next size (both at once, in their workers),
both answer the workload's queries alike, then each is calibrated and timed
``REPEATS`` times in random order; the fastest batch per size is fitted by
``stats.classify_growth`` (the fastest, not the median: on a shared machine
other work only ever adds time, and a size measured during a busy spell
would bend the curve). The sizes stop early when the budget is spent (once
at least ``MIN_SIZES`` are measured), and when the candidate explodes: a
call over ``EXPLOSION_SECONDS`` that is ``EXPLOSION_RATIO`` times the
reference's and ``EXPLOSION_GROWTH`` times its ratio at the first size, or any
call over ``MAX_CALL_SECONDS`` (larger sizes would only cost more time).

The bound is the threshold (``O(log n)``), or the reference's own class
where the reference clearly (not ambiguously) grows faster on this machine:
what SQLite does here is never held against a candidate. Two measures
decide, and must agree: the fitted class (or the best two classes of an
ambiguous fit), and the trend of the candidate/reference time ratio (its
geometric mean over the largest third of the sizes over that of the smallest
third: a candidate that is O(log n) where the reference is O(1) stays under
1.8 over these sizes; one that scans grows it a hundredfold). The candidate
fails when even its best class is worse than the bound and the trend is over
``TREND_LIMIT``; it passes when the trend is at most ``TREND_LIMIT`` and its
best class is within the bound or one the reference plausibly has (timing
noise and cache effects bend both curves alike); otherwise the check is
inconclusive.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from signoff.runner.measure import Fault
from signoff.sql.invariants import Invariant, Judge, sql_fault
from signoff.stats import AMBIGUOUS, MIN_SIZES, GrowthFit, classify_growth, growth_rank
from signoff.verdict import CheckResult, Verdict

SIZES = tuple(round(1000 * 2 ** (k / 2)) for k in range(21))  # 1,000 .. 1,024,000
REPEATS = 5
TREND_LIMIT = 2.0
EXPLOSION_RATIO = 100.0
EXPLOSION_GROWTH = 8.0
EXPLOSION_SECONDS = 0.05
MAX_CALL_SECONDS = 2.0
STEPS_UP_TO_SECONDS = 0.2  # steps are counted at the largest size only when a call is this quick


def check_growth(invariant: Invariant, judge: Judge, bound: str, budget_s: float) -> CheckResult:
    name, workload = invariant.name, invariant.workloads[0]
    deadline = time.monotonic() + budget_s
    evidence: dict[str, Any] = {"explanation": invariant.explanation, "no_worse_than": bound}
    fastest: dict[str, list[float]] = {"reference": [], "candidate": []}  # seconds per size
    measured: list[int] = []
    stopped = ""
    first_steps: dict[str, Any] | None = None
    for size in SIZES:
        if time.monotonic() >= deadline and len(measured) >= MIN_SIZES:
            stopped = f"the budget of {budget_s:g} s ran out before {size:,} rows"
            break
        problem = judge.prepare(name, [workload], [size], evidence)
        if problem:
            return problem
        samples: dict[str, list[float]] = {"reference": [], "candidate": []}
        calls: dict[str, int] = {}
        for sql in judge.sides:
            found = judge.calibrate(sql, workload, size)
            if isinstance(found, Fault):
                if sql.role == "candidate" and len(measured) >= 2:
                    stopped = f"the candidate {found.description} at {size:,} rows"
                    break
                return sql_fault(sql, f"timing {workload} at {size:,} rows", found.description, name)
            calls[sql.role] = found
        if stopped:
            break
        for _ in range(REPEATS):
            order = list(judge.sides)
            judge.rng.shuffle(order)
            for sql in order:
                timing = judge.time(sql, workload, size, calls[sql.role])
                if isinstance(timing, Fault):
                    return sql_fault(sql, f"timing {workload} at {size:,} rows", timing.description, name)
                samples[sql.role].append(timing.per_call_s)
        for role in fastest:
            fastest[role].append(min(samples[role]))
        measured.append(size)
        if judge.progress:
            judge.progress(name, len(measured), len(SIZES))
        if first_steps is None:
            first_steps = {}
            judge.extras(workload, size, first_steps, False)
        stopped = _explosion(fastest, measured)
        if stopped:
            break
    evidence.update(sizes=measured, reference_seconds=fastest["reference"],
                    candidate_seconds=fastest["candidate"], largest_size=measured[-1] if measured else 0)
    if stopped:
        evidence["stopped"] = stopped
    if first_steps and "vdbe_steps" in first_steps:
        evidence["vdbe_steps_first_size"] = first_steps["vdbe_steps"]
    return _verdict(invariant, judge, bound, measured, fastest, evidence)


def _explosion(fastest: dict[str, list[float]], measured: list[int]) -> str:
    reference, candidate = fastest["reference"], fastest["candidate"]
    ratio, first = candidate[-1] / reference[-1], candidate[0] / reference[0]
    if candidate[-1] >= MAX_CALL_SECONDS:
        return (f"one unit of work took the candidate {candidate[-1]:.2f} s at {measured[-1]:,} rows "
                f"({ratio:,.0f}x the reference's); larger sizes not run")
    if (len(measured) >= MIN_SIZES and candidate[-1] >= EXPLOSION_SECONDS and ratio >= EXPLOSION_RATIO
            and ratio >= EXPLOSION_GROWTH * first):
        return (f"the candidate's time explodes: {ratio:,.0f}x the reference's at {measured[-1]:,} rows "
                f"(was {first:,.1f}x at {measured[0]:,}); larger sizes not run")
    return ""


def _verdict(invariant: Invariant, judge: Judge, bound: str, measured: list[int],
             fastest: dict[str, list[float]], evidence: dict[str, Any]) -> CheckResult:
    name = invariant.name
    if len(measured) < MIN_SIZES:
        stopped = evidence.get("stopped", "")
        if stopped and fastest["candidate"][-1] / fastest["reference"][-1] >= EXPLOSION_RATIO:
            return CheckResult(name, "fail", stopped, evidence)
        return CheckResult(name, "inconclusive", f"only {len(measured)} sizes measured; at least "
                           f"{MIN_SIZES} are needed" + (f" ({stopped})" if stopped else ""), evidence)
    fits = {role: classify_growth(measured, fastest[role]) for role in fastest}
    for role, fit in fits.items():
        evidence[f"{role}_class"] = fit.label
        evidence[f"{role}_fit"] = {"best": fit.best, "runner_up": fit.runner_up, "misfit": fit.misfit}
    reference_range = _plausible(fits["reference"])
    allowed = bound
    if fits["reference"].label != AMBIGUOUS and growth_rank(reference_range[0]) > growth_rank(bound):
        allowed = reference_range[0]
    evidence["allowed"] = allowed
    candidate_range = _plausible(fits["candidate"])
    ratio = fastest["candidate"][-1] / fastest["reference"][-1]
    evidence["ratio_at_largest"] = ratio
    classes = (f"candidate {fits['candidate'].label}, reference {fits['reference'].label}; "
               f"{ratio:.3g}x the reference's time at {measured[-1]:,} rows")
    trend = _trend(fastest)
    evidence["ratio_trend"] = trend
    grows = " or ".join(candidate_range)
    verdict: Verdict = "inconclusive"
    within = growth_rank(candidate_range[0]) <= growth_rank(allowed)
    alike = bool(set(candidate_range) & set(reference_range))
    if not within and trend > TREND_LIMIT:
        verdict = "fail"
        text = (f"grows as {grows}, worse than {allowed}, and falls behind the reference "
                f"({trend:.3g}x further behind at the largest sizes than at the smallest; {classes})")
    elif trend <= TREND_LIMIT and (within or alike):
        verdict = "pass"
        pace = f"keeps pace with the reference (ratio trend {trend:.3g}x)"
        if len(candidate_range) == 1:
            how = f"no worse than {allowed}" if within else "as the reference does on this machine"
            text = f"grows as {grows}, {how}, and {pace}; {classes}"
        else:
            # An ambiguous fit (say O(1) or O(n^2)) says little alone; the flat ratio decides.
            how = f"the better within {allowed}" if within else "one of them the reference's"
            between = " and ".join(candidate_range)
            text = f"{pace}; the growth fit is ambiguous between {between} ({how}); {classes}"
    else:
        text = (f"the fit does not decide: candidate {grows}, bound {allowed}, ratio trend {trend:.3g}x "
                f"({classes})")
    if "stopped" in evidence:
        text += f"; {evidence['stopped']}"
    cheap = max(fastest["reference"][-1], fastest["candidate"][-1]) < STEPS_UP_TO_SECONDS
    text += judge.extras(invariant.workloads[0], measured[-1], evidence, verdict == "fail", steps=cheap)
    return CheckResult(name, verdict, text, evidence)


def _trend(fastest: dict[str, list[float]]) -> float:
    """The candidate/reference ratio over the largest third of the sizes, over that of the smallest third."""
    ratios = [c / r for r, c in zip(fastest["reference"], fastest["candidate"], strict=True)]
    third = max(1, len(ratios) // 3)
    return statistics.geometric_mean(ratios[-third:]) / statistics.geometric_mean(ratios[:third])


def _plausible(fit: GrowthFit) -> tuple[str, ...]:
    """The class, or for an ambiguous fit its best two, in order of growth."""
    if fit.label != AMBIGUOUS or fit.runner_up is None:
        return (fit.best if fit.label == AMBIGUOUS else fit.label,)
    return tuple(sorted((fit.best, fit.runner_up), key=growth_rank))
