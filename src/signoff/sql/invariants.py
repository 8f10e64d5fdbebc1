"""The performance invariants of an SQL engine, each a named check against the reference.

Each invariant times workloads (``workloads``) in the reference's worker and
the candidate's, in interleaved rounds (random order within a round, each
side calibrated to batches of at least 10 ms, gc off, the worker's clock
cross-checked by signoff's), and judges the paired log-ratio with the
sequential test of ``signoff.stats`` (95% overall, early ends for huge
margins as in ``checks.speed``). Four kinds:

- ``ratio``: the candidate's time for the work over the reference's, at most
  ``threshold``;
- ``within``: each engine's time for one workload over its time for another
  (reuse over fresh prepares; a large schema over a small one); the
  candidate's quotient over the reference's, at most ``threshold``;
- ``commit_cost``: each engine's cost of a commit, (autocommit inserts -
  the same inserts in one transaction) / inserts; the candidate's over the
  reference's, at most ``threshold``;
- ``scaling``: time as the table grows; the fitted class no worse than
  ``threshold`` (or than the reference's own class, where the reference
  clearly grows faster on this machine). See ``growth``.

Before timing, both engines must give the same answers on the invariant's own
queries: a candidate that returns early would otherwise pass on speed. Where a
connection counts VDBE steps (sqlite3, apsw), the steps of one unit of work
are reported beside time; for a failing check, both engines' ``EXPLAIN QUERY
PLAN`` are shown when both answer it.

Default thresholds (``threshold`` per invariant, overridable):

- ``ratio`` kinds: 1.2, signoff's speed default (20% slower still passes);
- ``insert_autocommit``: 2.0; a commit is I/O, noisier than a lookup, and a
  sync per commit costs 100 times more;
- ``prepared_reuse`` and ``commit_vs_schema``: 1.5;
- scaling: ``O(log n)``.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from signoff.criteria.speed import GROSS_MARGIN, GROSS_PAIRS, SIGN_MARGIN, SIGN_PAIRS
from signoff.errors import SpecError
from signoff.runner.measure import Fault, Timing, calibrate, time_calls
from signoff.sql.workers import SETUP_TIMEOUT_S, SqlWorker, call_all, case
from signoff.stats import GROWTH_CLASSES, SequentialRatioTest
from signoff.verdict import CheckResult, Verdict

Kind = Literal["ratio", "within", "commit_cost", "scaling"]
Progress = Callable[[str, int, int], None]
INSERTS = 100  # rows per unit of the insert workloads (workloads.LOOKUPS)
COMMIT_FLOOR = 0.02  # a commit costs at least this share of an autocommitted insert (noise floor)
RATIO_BUDGET_S = 10.0
SCALING_BUDGET_S = 45.0


@dataclass(frozen=True, slots=True)
class Invariant:
    name: str
    explanation: str  # one line, for the report
    kind: Kind
    workloads: tuple[str, ...]
    sizes: tuple[int, ...]  # rows (or tables) per workload; unused for scaling
    threshold: float | str
    budget_s: float = RATIO_BUDGET_S


INVARIANTS: dict[str, Invariant] = {i.name: i for i in (
    Invariant("pk_lookup", "100 lookups by INTEGER PRIMARY KEY on a 100-row table, statement prepared once",
              "ratio", ("pk_lookup",), (100,), 1.2),
    Invariant("pk_lookup_scaling", "the same 100 primary-key lookups as the table grows from 1,000 rows "
              "toward 1,000,000: no worse than O(log n)", "scaling", ("pk_lookup_scaling",), (), "O(log n)",
              SCALING_BUDGET_S),
    Invariant("insert_transaction", "100 single-row inserts in one transaction", "ratio",
              ("insert_transaction",), (0,), 1.2),
    Invariant("insert_autocommit", "the cost of one commit: 100 autocommitted inserts minus the same in one "
              "transaction (a sync per commit shows here)", "commit_cost",
              ("insert_autocommit", "insert_transaction"), (0, 0), 2.0),
    Invariant("prepared_reuse", "a statement executed again must cost less than preparing a new one: "
              "time with one SQL text over time with a new text each time", "within",
              ("prepared_reuse", "prepared_fresh"), (100, 100), 1.5),
    Invariant("commit_vs_schema", "the cost of a commit must not grow with the schema: autocommitted "
              "inserts with 500 more tables over the same with one", "within",
              ("commit_large_schema", "commit_small_schema"), (500, 1), 1.5),
    Invariant("update_by_pk", "100 updates by primary key in one transaction on a 10,000-row table",
              "ratio", ("update_by_pk",), (10_000,), 1.2),
    Invariant("delete_by_pk", "100 deletes by primary key, put back, in one transaction on 10,000 rows",
              "ratio", ("delete_by_pk",), (10_000,), 1.2),
    Invariant("range_scan", "10 range queries of 100 consecutive primary keys on a 10,000-row table",
              "ratio", ("range_scan",), (10_000,), 1.2),
    Invariant("index_lookup_scaling", "100 lookups through a secondary index as the table grows: "
              "no worse than O(log n)", "scaling", ("index_lookup_scaling",), (), "O(log n)",
              SCALING_BUDGET_S),
    Invariant("indexed_join", "20 customers joined with their orders through an index (10,000 orders)",
              "ratio", ("indexed_join",), (10_000,), 1.2),
)}


def parse_threshold(invariant: Invariant, text: str) -> float | str:
    """A threshold given on the command line: a ratio, or a growth class for a scaling invariant."""
    if invariant.kind == "scaling":
        if text not in GROWTH_CLASSES:
            raise SpecError(f"threshold of {invariant.name} must be one of {', '.join(GROWTH_CLASSES)}, "
                            f"not {text!r}")
        return text
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value > 0 or math.isinf(value):
        raise SpecError(f"threshold of {invariant.name} must be a ratio > 0, not {text!r}")
    return value


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

    def prepare(self, name: str, workloads: Sequence[str], sizes: Sequence[int],
                evidence: dict[str, Any]) -> CheckResult | None:
        """Build each workload's tables on both engines and check that their answers agree."""
        for workload, size in zip(workloads, sizes, strict=True):
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

    def calibrate(self, sql: SqlWorker, workload: str, size: int) -> int | Fault:
        result = calibrate(sql.worker, case("work", workload, size), sql.worker.limits.timeout_s)
        return result if isinstance(result, Fault) else result[0]

    def time(self, sql: SqlWorker, workload: str, size: int, calls: int) -> Timing | Fault:
        return time_calls(sql.worker, case("work", workload, size), calls, sql.worker.limits.timeout_s)

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


def check_invariant(invariant: Invariant, judge: Judge, *, threshold: float | str | None = None,
                    budget_s: float | None = None) -> CheckResult:
    """Run one invariant for one candidate."""
    bound = invariant.threshold if threshold is None else threshold
    budget = invariant.budget_s if budget_s is None else budget_s
    if invariant.kind == "scaling":
        from signoff.sql.growth import check_growth

        return check_growth(invariant, judge, str(bound), budget)
    return _check_paired(invariant, judge, float(bound), budget)


def _check_paired(invariant: Invariant, judge: Judge, at_most: float, budget_s: float) -> CheckResult:
    name, workloads, sizes = invariant.name, invariant.workloads, invariant.sizes
    deadline = time.monotonic() + budget_s
    evidence: dict[str, Any] = {"explanation": invariant.explanation, "at_most": at_most,
                                "sizes": dict(zip(workloads, sizes, strict=True))}
    problem = judge.prepare(name, workloads, sizes, evidence)
    if problem:
        return problem
    calls: dict[tuple[str, str], int] = {}
    for sql in judge.sides:
        for workload, size in zip(workloads, sizes, strict=True):
            found = judge.calibrate(sql, workload, size)
            if isinstance(found, Fault):
                return sql_fault(sql, f"timing {workload}", found.description, name)
            calls[sql.role, workload] = found
    test = SequentialRatioTest(rng=np.random.default_rng(judge.seed))
    values: list[tuple[float, float]] = []
    decided_by = "budget"
    while test.pairs < 300 and time.monotonic() < deadline:
        jobs = [(sql, w, s) for sql in judge.sides for w, s in zip(workloads, sizes, strict=True)]
        judge.rng.shuffle(jobs)
        seconds: dict[tuple[str, str], float] = {}
        for sql, workload, size in jobs:
            timing = judge.time(sql, workload, size, calls[sql.role, workload])
            if isinstance(timing, Fault):
                return sql_fault(sql, f"timing {workload}", timing.description, name)
            seconds[sql.role, workload] = timing.per_call_s
        pair = (_value(invariant.kind, seconds, "reference", workloads),
                _value(invariant.kind, seconds, "candidate", workloads))
        values.append(pair)
        test.add(*pair)
        if judge.progress:
            judge.progress(name, test.pairs, 300)
        if test.decision(at_most) != "undecided":
            decided_by = "interval"
            break
        margins = [c / (at_most * r) for r, c in values]
        if len(values) == GROSS_PAIRS and min(margins) > GROSS_MARGIN:
            decided_by = "gross margin"
            break
        if len(values) == SIGN_PAIRS and min(margins) > SIGN_MARGIN:
            decided_by = "sign test"
            break
    return _paired_verdict(invariant, judge, test, values, decided_by, at_most, evidence, calls)


def _value(kind: Kind, seconds: dict[tuple[str, str], float], role: str, workloads: Sequence[str]) -> float:
    first = seconds[role, workloads[0]]
    if kind == "ratio":
        return first
    second = seconds[role, workloads[1]]
    if kind == "within":
        return first / second
    return max(first - second, COMMIT_FLOOR * first) / INSERTS


def _paired_verdict(invariant: Invariant, judge: Judge, test: SequentialRatioTest,
                    values: list[tuple[float, float]], decided_by: str, at_most: float,
                    evidence: dict[str, Any], calls: dict[tuple[str, str], int]) -> CheckResult:
    name = invariant.name
    evidence.update(pairs=len(values), decided_by=decided_by,
                    calls_per_batch={f"{role} {w}": n for (role, w), n in calls.items()},
                    pair_values=[[r, c] for r, c in values])
    if len(values) < 2:
        return CheckResult(name, "inconclusive", f"the budget ran out after {len(values)} round(s)", evidence)
    estimate = test.estimate(0.95)
    decision = test.decision(at_most)
    if decided_by in ("sign test", "gross margin"):
        decision = "fail"
    evidence.update(ratio=estimate.ratio, ci95=[estimate.low, estimate.high])
    if test.last_look is not None:
        evidence["decision_interval"] = [test.last_look.low, test.last_look.high]
    typical = {role: statistics.median(v[i] for v in values)
               for i, role in enumerate(("reference", "candidate"))}
    if invariant.kind == "ratio":
        measure = f"{estimate.ratio:.3g}x the reference's time"
        evidence["seconds"] = typical
    elif invariant.kind == "within":
        evidence["reference_quotient"] = typical["reference"]
        evidence["candidate_quotient"] = typical["candidate"]
        measure = (f"candidate quotient {typical['candidate']:.3g} vs reference {typical['reference']:.3g}: "
                   f"{estimate.ratio:.3g}x")
    else:
        evidence["commit_seconds"] = typical
        ours, theirs = typical["reference"] * 1e6, typical["candidate"] * 1e6
        measure = f"a commit costs {theirs:,.1f} us vs {ours:,.1f} us: {estimate.ratio:.3g}x"
    text = f"{measure} (95% CI {estimate.low:.3g}-{estimate.high:.3g}, {len(values)} rounds)"
    verdict: Verdict = {"pass": "pass", "fail": "fail"}.get(decision, "inconclusive")  # type: ignore[assignment]
    text += judge.extras(invariant.workloads[0], invariant.sizes[0], evidence, verdict == "fail")
    if verdict == "pass":
        return CheckResult(name, "pass", f"{text} <= {at_most:g}x", evidence)
    if verdict == "fail":
        how = {"sign test": f", each of {SIGN_PAIRS} rounds over {SIGN_MARGIN:g}x the bound",
               "gross margin": f", each of {GROSS_PAIRS} rounds over {GROSS_MARGIN:g}x the bound"}
        return CheckResult(name, "fail", f"{text} > {at_most:g}x{how.get(decided_by, '')}", evidence)
    return CheckResult(name, "inconclusive", f"{text}: the interval still straddles {at_most:g}x when the "
                       "budget ended", evidence)


def sql_fault(sql: SqlWorker, doing: str, description: str, criterion: str = "") -> CheckResult:
    """A failure of one engine while setting up or measuring: the candidate's fails, the reference's errs."""
    verdict: Verdict = "fail" if sql.role == "candidate" else "error"
    return CheckResult(criterion, verdict, f"the {sql.role} ({sql.engine}) {description} ({doing})",
                       {"engine": sql.engine, "role": sql.role, "during": doing})


def _named(name: str, result: CheckResult) -> CheckResult:
    return CheckResult(name, result.verdict, result.summary, result.evidence)


def _short(value: object, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
