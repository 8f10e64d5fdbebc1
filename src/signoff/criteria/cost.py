"""What the cost criteria share: the two workers, fresh sized inputs, a sanity check of answers,
and one pair measured in the criterion's measure: time, or instructions counted under Callgrind.

A cost is only comparable when both sides do the same work, so before timing
or weighing at a size, each cost criterion checks that the candidate's answer
on that very input is the reference's: a candidate that returns early, or
returns garbage fast, fails there instead of passing on speed.

Counted instructions (``measure="instructions"``) shrug off the machine's
load: each side's count is a few calls after a warm-up (more for a quick
call: ``runner.measure.calibrate_count``), in its own worker run under
Callgrind (``runner.instructions``), started on first use. The pairs go
through the same statistics as times.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from signoff.equality import Equality
from signoff.errors import SpecError
from signoff.inputs import Workload
from signoff.measure import Pair
from signoff.outcomes import ExceptionMode, Outcome, compare
from signoff.progress import BudgetProgress
from signoff.runner.batches import run_cases
from signoff.runner.measure import (
    Count,
    Fault,
    Timing,
    calibrate,
    calibrate_count,
    count_calls,
    time_calls,
)
from signoff.runner.process import LoadFailure, Worker
from signoff.verdict import CheckResult, Verdict

# Distinct inputs built per size; see CostContext.fresh_input.
INPUT_POOL = 3

Measure = Literal["time", "instructions"]
MEASURES: tuple[Measure, ...] = ("time", "instructions")
# The counting workers (reference, candidate), started on first use; or the candidate's failure to
# load under Valgrind.
CountingWorkers = Callable[[], tuple[Worker, Worker] | LoadFailure]


def require_measure(measure: object, where: str) -> Measure:
    """``measure`` when it is one of MEASURES, else a SpecError naming them."""
    for known in MEASURES:
        if measure == known and isinstance(measure, str):
            return known
    raise SpecError(f"{where} must be one of {', '.join(repr(m) for m in MEASURES)}, not {measure!r}")


@dataclass
class CostContext:
    """Everything a cost criterion needs for one candidate."""

    reference: Worker
    candidate: Worker
    workload: Workload
    equal: Equality
    exceptions: ExceptionMode
    seed: int
    progress: BudgetProgress | None = None
    counting: CountingWorkers | None = None  # None where only time can be measured
    rng: random.Random = field(init=False)
    pools: dict[int, list[bytes]] = field(default_factory=dict)
    drawn: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def fresh_input(self, size: int) -> bytes:
        """An input of ``size``, pickled; each side unpickles its own fresh copy per batch.

        The first INPUT_POOL inputs of a size are built by the workload; later
        ones are drawn from them in turn, so that building a large input does
        not dominate the time to a verdict. No object outlives its batch.
        """
        pool = self.pools.setdefault(size, [])
        if len(pool) < INPUT_POOL:
            try:
                call = self.workload.build(size, self.rng)
            except Exception as error:  # the spec's own code: bad input, found when first used
                raise SpecError(f"the workload's make({size}) raised {type(error).__name__}: "
                                f"{error}") from None
            pool.append(call.case(f"what the workload's make({size}) returned"))
            return pool[-1]
        self.drawn += 1
        return pool[self.drawn % INPUT_POOL]

    def workers(self, criterion: str, measure: Measure) -> tuple[Worker, Worker] | CheckResult:
        """(reference, candidate) workers that measure ``measure``; for instructions, the counting
        ones, or a failing check result when the candidate cannot be loaded under Valgrind."""
        if measure == "time":
            return self.reference, self.candidate
        if self.counting is None:
            raise SpecError(f"{criterion}(measure='instructions') is not supported here; "
                            "use measure='time'")
        workers = self.counting()
        if isinstance(workers, LoadFailure):
            return CheckResult(criterion, "fail", f"candidate {workers.summary} (under Valgrind, to count "
                               "its instructions)", {"measure": measure, "load_failure": workers.kind,
                                                     "detail": workers.detail})
        return workers

    def unequal_work(self, criterion: str, size: int, case: bytes) -> CheckResult | None:
        """A check result when the two sides do not do the same work on ``case``, else None.

        An error when the reference itself does not return; a fail when the
        candidate's answer differs (its cost would not be comparable).
        """
        [[cand], [ref]] = run_cases([(self.candidate, [case], 1), (self.reference, [case], 1)],
                                    arguments=False)
        reference = Outcome.from_bytes(ref[0])
        if reference.status != "ok":
            return CheckResult(criterion, "error",
                               f"the reference {reference.describe()} on the workload at size {size}",
                               {"size": size})
        difference = compare(ref[0], cand[0], self.equal, self.exceptions)
        if difference is None:
            return None
        return CheckResult(criterion, "fail",
                           f"answers differ at size {size}, so the costs are not comparable: "
                           f"{difference.kind}: {difference.summary}", {"size": size})


@dataclass
class Side:
    """One side's measurement at a size: how many calls make a batch, and what they took (or
    counted: a Side measures in the measure of its worker, a counting one or not)."""

    worker: Worker
    calls: int = 1
    timings: list[Timing] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)

    @property
    def counting(self) -> bool:
        return self.worker.dumps is not None

    def calibrate(self, case: bytes) -> float | Fault:
        """Find how many calls make this side's batch; the last calibration batch's value per call."""
        if self.counting:
            counted = calibrate_count(self.worker, case, self.worker.limits.timeout_s)
            if isinstance(counted, Fault):
                return counted
            self.calls, count = counted
            self.counts.append(count)
            return count.per_call
        timed = calibrate(self.worker, case, self.worker.limits.timeout_s)
        if isinstance(timed, Fault):
            return timed
        self.calls, first = timed
        self.timings.append(first)
        return first.per_call_s

    def batch(self, case: bytes) -> float | Fault:
        """One batch on ``case``: seconds per call, or for a counting worker instructions per call."""
        if self.counting:
            count = count_calls(self.worker, case, self.calls, self.worker.limits.timeout_s)
            if isinstance(count, Fault):
                return count
            self.counts.append(count)
            return count.per_call
        timing = time_calls(self.worker, case, self.calls, self.worker.limits.timeout_s)
        if isinstance(timing, Fault):
            return timing
        self.timings.append(timing)
        return timing.per_call_s


@dataclass(frozen=True, slots=True)
class SideFault:
    """One side's measurement at a size that could not finish (it raised, hung, crashed or ran
    out of memory): the fault the ``signoff.measure`` procedures hand back."""

    role: str
    size: int
    fault: Fault

    @property
    def unfit(self) -> bool:
        """The candidate's: past the first size, the growth procedure stops the sizes there."""
        return self.role == "candidate"

    @property
    def description(self) -> str:
        return self.fault.description

    def result(self, criterion: str) -> CheckResult:
        """The check result: the candidate's fault fails the check, the reference's is an error."""
        verdict: Verdict = "fail" if self.role == "candidate" else "error"
        return CheckResult(criterion, verdict, f"{self.role} {self.description} at size {self.size}",
                           {"size": self.size, "fault": self.fault.status})


def calibrate_pair(reference: Side, candidate: Side, case: bytes, size: int) -> Pair | SideFault:
    """Calibrate each side's batch on ``case`` (the reference first); the last calibration
    batch of each is timed like any other, so it is returned as the first pair. A counted
    side is calibrated alike, to a region of enough instructions (``calibrate_count``)."""
    values: dict[str, float] = {}
    for role, side in (("reference", reference), ("candidate", candidate)):
        value = side.calibrate(case)
        if isinstance(value, Fault):
            return SideFault(role, size, value)
        values[role] = value
    return values["reference"], values["candidate"]


def time_pair(reference: Side, candidate: Side, case: bytes, size: int,
              rng: random.Random) -> Pair | SideFault:
    """One batch of each side on ``case``, back to back in a random order: (reference, candidate)."""
    order = [("reference", reference), ("candidate", candidate)]
    rng.shuffle(order)
    values: dict[str, float] = {}
    for role, side in order:
        value = side.batch(case)
        if isinstance(value, Fault):
            return SideFault(role, size, value)
        values[role] = value
    return values["reference"], values["candidate"]


def out_of_time(deadline: float) -> bool:
    return time.monotonic() >= deadline
