"""What every performance invariant needs: both engines' workers, preparing and timing a
workload on both, and the faults and extras (VDBE steps, query plans) of a check.

``invariants`` (the ratio kinds) and ``growth`` (the scaling kind) time
through a ``Judge`` and hand the numbers to ``signoff.measure``; this module
only knows how to ask the engines.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from signoff.progress import Progress
from signoff.runner.measure import MIN_BATCH_S, Fault, calibrate, time_calls
from signoff.sql.workers import SETUP_TIMEOUT_S, SqlWorker, call_all, case
from signoff.verdict import CheckResult, Verdict

Job = tuple[str, int]  # (workload, size)
Seconds = dict[tuple[str, str], float]  # (role, workload) -> seconds per call
SHORT_REPR = 300  # characters of an engine's answer kept as evidence


@dataclass(frozen=True, slots=True)
class SqlFault:
    """An engine failed while a workload was prepared or timed: the check result that says so.

    ``unfit``: the candidate could not be calibrated at a size (it timed out,
    ran out of memory) where the reference could; ``description`` says how.
    """

    result: CheckResult
    description: str = ""
    unfit: bool = False


@dataclass
class Judge:
    """What every invariant check needs: the two workers, a seed, a budget, a progress callback."""

    reference: SqlWorker
    candidate: SqlWorker
    seed: int
    progress: Progress | None = None
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @property
    def sides(self) -> tuple[SqlWorker, SqlWorker]:
        return self.reference, self.candidate

    def both(self, operation: str, *args: Any, timeout_s: float | None = None) -> list[Any] | CheckResult:
        """Run an operation on both engines at once; their answers, or a check result for a failure."""
        outcomes = call_all([(self.reference, operation, args), (self.candidate, operation, args)],
                            timeout_s=timeout_s)
        for sql, outcome in zip(self.sides, outcomes, strict=True):
            if outcome.status != "ok":
                return sql_fault(sql, f"{operation} {' '.join(map(str, args))}", outcome.describe())
        return [outcome.detail[0] for outcome in outcomes]

    def prepare(self, name: str, jobs: Sequence[Job], evidence: dict[str, Any]) -> CheckResult | None:
        """Build each workload's tables on both engines and check that their answers agree."""
        for workload, size in jobs:
            notes = self.both("setup", workload, size, timeout_s=SETUP_TIMEOUT_S)
            if isinstance(notes, CheckResult):
                return _named(name, notes)
            for sql, said in zip(self.sides, notes, strict=True):
                if said:
                    evidence.setdefault("setup_notes", {})[sql.role] = said
            answers = self.both("answer", workload, size)
            if isinstance(answers, CheckResult):
                return _named(name, answers)
            if answers[0] != answers[1]:
                evidence["answers"] = {"reference": _short(answers[0]), "candidate": _short(answers[1])}
                return CheckResult(name, "fail", f"the candidate's answers to the {workload} queries at "
                                   f"size {size:,} differ from the reference's, so their costs are not "
                                   f"comparable", evidence)
        return None

    def calibrate(self, name: str, jobs: Sequence[Job], calls: dict[tuple[str, str], int],
                  at: str = "", batch_s: float = MIN_BATCH_S) -> Seconds | SqlFault:
        """Calibrate each job's batch on each engine (the reference first) into ``calls``, each
        batch at least ``batch_s`` long; the seconds per call of each last calibration batch."""
        seconds: Seconds = {}
        for sql in self.sides:
            for workload, size in jobs:
                found = calibrate(sql.worker, case("work", workload, size), sql.worker.limits.timeout_s,
                                  batch_s)
                if isinstance(found, Fault):
                    return _fault(sql, name, f"timing {workload}{at}", found, unfit=sql.role == "candidate")
                calls[sql.role, workload], timing = found
                seconds[sql.role, workload] = timing.per_call_s
        return seconds

    def time(self, name: str, jobs: Sequence[Job], calls: dict[tuple[str, str], int],
             at: str = "") -> Seconds | SqlFault:
        """One round: each job timed once on each engine, all in a random order."""
        order = [(sql, workload, size) for sql in self.sides for workload, size in jobs]
        self.rng.shuffle(order)
        seconds: Seconds = {}
        for sql, workload, size in order:
            timing = time_calls(sql.worker, case("work", workload, size), calls[sql.role, workload],
                                sql.worker.limits.timeout_s)
            if isinstance(timing, Fault):
                return _fault(sql, name, f"timing {workload}{at}", timing)
            seconds[sql.role, workload] = timing.per_call_s
        return seconds

    def extras(self, workload: str, size: int, evidence: dict[str, Any], failed: bool, *,
               steps: bool = True) -> str:
        """VDBE steps (and plans, for a failure) into the evidence; a phrase for the summary."""
        phrase = ""
        if steps and (self.reference.counts_steps or self.candidate.counts_steps):
            counted = self.both("steps", workload, size)
            if not isinstance(counted, CheckResult):
                evidence["vdbe_steps"] = {"reference": counted[0], "candidate": counted[1], "size": size}
                if counted[0] is not None and counted[1] is not None:
                    phrase = f"; VDBE steps {counted[1]:,} vs {counted[0]:,}"
        if failed:
            plans = self.both("plan", workload)
            if not isinstance(plans, CheckResult) and all(isinstance(p, list) for p in plans):
                evidence["plans"] = {"reference": plans[0], "candidate": plans[1]}
        return phrase


def sql_fault(sql: SqlWorker, doing: str, description: str, criterion: str = "") -> CheckResult:
    """A failure of one engine while setting up or measuring: the candidate's fails, the reference's errs."""
    verdict: Verdict = "fail" if sql.role == "candidate" else "error"
    return CheckResult(criterion, verdict, f"the {sql.role} ({sql.engine}) {description} ({doing})",
                       {"engine": sql.engine, "role": sql.role, "during": doing})


def _fault(sql: SqlWorker, name: str, doing: str, fault: Fault, *, unfit: bool = False) -> SqlFault:
    return SqlFault(sql_fault(sql, doing, fault.description, name), fault.description, unfit)


def _named(name: str, result: CheckResult) -> CheckResult:
    return CheckResult(name, result.verdict, result.summary, result.evidence)


def _short(value: object, limit: int = SHORT_REPR) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
