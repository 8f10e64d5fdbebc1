"""Scaling invariants: how the time of a unit of work grows with the table.

Sizes go from 1,000 rows up by a factor of sqrt(2) toward 1,024,000. At
each size both engines grow their table to it (at once, in their workers)
and must answer the workload's queries alike; then each is calibrated (its
last calibration batch is the first timing) and timed again until ``REPEATS``
timings, in random order. A table grows in place, so a size is never
revisited: all its repeats are taken before the next size.

Everything else is ``signoff.measure.growth``, the rules ``scaling`` uses
too: the fastest timing per size, stopping early (the budget, an explosion,
a call over ``MAX_CALL_SECONDS``, a candidate that cannot do a size, whose
sizes are kept), and the verdict: by default how the paired ratio
candidate/reference grows with the table (the fitted classes beside it as
information); with a growth class as the threshold, that class against the
fit.

Where a connection counts VDBE steps, the steps of one unit of work are
reported at the first size, and at the largest when a call there is quick.
"""

from __future__ import annotations

from typing import Any

from signoff.measure.growth import judge_growth, measure_growth
from signoff.sql.judge import Judge, SqlFault
from signoff.verdict import CheckResult

SIZES = tuple(round(1000 * 2 ** (k / 2)) for k in range(21))  # 1,000 .. 1,024,000
REPEATS = 5
STEPS_UP_TO_SECONDS = 0.2  # steps are counted at the largest size only when a call is this quick


def check_growth(name: str, explanation: str, workload: str, judge: Judge, bound: str,
                 budget_s: float) -> CheckResult:
    """Judge how ``workload``'s time grows with the table against ``bound`` (a growth class)."""
    evidence: dict[str, Any] = {"explanation": explanation, "no_worse_than": bound}
    calls: dict[tuple[str, str], int] = {}
    first_steps: dict[str, Any] = {}

    def measure_at(size: int, first: bool) -> tuple[float, float] | SqlFault:
        jobs, at = [(workload, size)], f" at {_rows(size)}"
        if first:
            problem = judge.prepare(name, jobs, evidence)
            if problem:
                return SqlFault(problem)
            seconds = judge.calibrate(name, jobs, calls, at)
            if size == SIZES[0] and not isinstance(seconds, SqlFault):
                judge.extras(workload, size, first_steps, False)
        else:
            seconds = judge.time(name, jobs, calls, at)
        if isinstance(seconds, SqlFault):
            return seconds
        return seconds["reference", workload], seconds["candidate", workload]

    def progress(_phase: str, done: int, total: int, _left: float) -> None:
        if judge.progress:
            judge.progress(name, done, total)

    run = measure_growth(list(SIZES), measure_at, repeats=REPEATS, budget_s=budget_s, revisit=False,
                         rng=judge.rng, size_name=_rows, progress=progress)
    if run.fault is not None:
        return run.fault.result
    judged = judge_growth(run, bound, _rows)
    evidence.update(judged.evidence, largest_size=run.sizes[-1])
    if "vdbe_steps" in first_steps:
        evidence["vdbe_steps_first_size"] = first_steps["vdbe_steps"]
    cheap = max(run.seconds("reference")[-1], run.seconds("candidate")[-1]) < STEPS_UP_TO_SECONDS
    text = judged.summary + judge.extras(workload, run.sizes[-1], evidence, judged.verdict == "fail",
                                         steps=cheap)
    return CheckResult(name, judged.verdict, text, evidence)


def _rows(size: int) -> str:
    return f"{size:,} rows"
