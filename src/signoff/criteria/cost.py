"""What the cost criteria share: the two workers, fresh sized inputs, a sanity check of answers.

A cost is only comparable when both sides do the same work, so before timing
or weighing at a size, each cost criterion checks that the candidate's answer
on that very input is the reference's: a candidate that returns early, or
returns garbage fast, fails there instead of passing on speed.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from signoff.equality import Equality
from signoff.errors import SpecError
from signoff.inputs import Workload
from signoff.measure import Pair
from signoff.outcomes import ExceptionMode, Outcome, compare
from signoff.progress import BudgetProgress
from signoff.runner.measure import Fault, Timing, calibrate, time_calls
from signoff.runner.process import Worker, run_cases
from signoff.verdict import CheckResult, Verdict

# Distinct inputs built per size; see CostContext.fresh_input.
INPUT_POOL = 3


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
    """One side's timing at a size: how many calls make a batch, and what they took."""

    worker: Worker
    calls: int = 1
    timings: list[Timing] = field(default_factory=list)


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
    batch of each is timed like any other, so it is returned as the first pair."""
    for role, side in (("reference", reference), ("candidate", candidate)):
        result = calibrate(side.worker, case, side.worker.limits.timeout_s)
        if isinstance(result, Fault):
            return SideFault(role, size, result)
        side.calls, first = result
        side.timings.append(first)
    return reference.timings[-1].per_call_s, candidate.timings[-1].per_call_s


def time_pair(reference: Side, candidate: Side, case: bytes, size: int,
              rng: random.Random) -> Pair | SideFault:
    """One batch of each side on ``case``, back to back in a random order: (reference, candidate)."""
    order = [("reference", reference), ("candidate", candidate)]
    rng.shuffle(order)
    seconds: dict[str, float] = {}
    for role, side in order:
        timing = time_calls(side.worker, case, side.calls, side.worker.limits.timeout_s)
        if isinstance(timing, Fault):
            return SideFault(role, size, timing)
        side.timings.append(timing)
        seconds[role] = timing.per_call_s
    return seconds["reference"], seconds["candidate"]


def out_of_time(deadline: float) -> bool:
    return time.monotonic() >= deadline
