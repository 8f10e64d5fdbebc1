"""The performance invariants of an SQL engine, each a named check against the reference.

Each invariant times workloads (``workloads``) in the reference's worker and
the candidate's, in interleaved rounds (random order within a round, each
side calibrated to batches of at least 10 ms, gc off, the worker's clock
cross-checked by signoff's), and judges the paired log-ratio with the
procedure every ratio check shares (``signoff.measure.paired``: the
sequential test at 98% overall, early ends for huge margins). Four kinds:

- ``ratio``: the candidate's time for the work over the reference's, at most
  ``threshold``;
- ``within``: each engine's time for one workload over its time for another
  (reuse over fresh prepares; a large schema over a small one); the
  candidate's quotient over the reference's, at most ``threshold``;
- ``commit_cost``: each engine's cost of a commit, (autocommit inserts -
  the same inserts in one transaction) / inserts; the candidate's over the
  reference's, at most ``threshold``;
- ``scaling``: time as the table grows; by default (``threshold``
  ``reference``) the paired ratio candidate/reference must not grow with the
  table (``signoff.measure.trend``), with the fitted classes as information;
  a growth class as ``threshold`` judges the fitted class against it. See
  ``growth``.

Preparing and timing a workload on both engines is ``judge``'s.

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
- scaling: ``reference`` (grows no faster than the reference; SQLite's
  lookups are O(log n)).
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from signoff.errors import SpecError
from signoff.measure.fit import GROWTH_CLASSES
from signoff.measure.paired import measure_ratio
from signoff.runner.measure import MIN_BATCH_S
from signoff.sql.growth import check_growth
from signoff.sql.judge import Judge, Seconds, SqlFault
from signoff.verdict import CheckResult

Kind = Literal["ratio", "within", "commit_cost", "scaling"]
INSERTS = 100  # rows per unit of the insert workloads (workloads.LOOKUPS)
COMMIT_FLOOR = 0.02  # a commit costs at least this share of an autocommitted insert (noise floor)
RATIO_BUDGET_S = 10.0
# A timed batch of writes lasts at least this long, not runner.measure.MIN_BATCH_S:
# in WAL mode every tenth or so transaction of 100 writes (every few hundred
# autocommitted inserts) ends in a checkpoint
# with an fsync (milliseconds, more when the disk is shared), so a 10 ms batch
# holds none, one or two of them, and its time varies by half. A batch of 50 ms
# holds about as many as the next (bench/sql_invariants_aa.py); the budget is
# doubled so that as many rounds fit.
WRITES_BATCH_S = 0.05
WRITES_BUDGET_S = 2 * RATIO_BUDGET_S
# A quotient of two workloads' times, each round four batches of writes: on a
# busy machine (a batch's wall time two to three times what it is charged)
# 20 s fits barely the first look of the sequential test.
QUOTIENT_BUDGET_S = 3 * RATIO_BUDGET_S
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
    batch_s: float = MIN_BATCH_S  # how long a timed batch lasts at least


INVARIANTS: dict[str, Invariant] = {i.name: i for i in (
    Invariant("pk_lookup", "100 lookups by INTEGER PRIMARY KEY on a 100-row table, statement prepared once",
              "ratio", ("pk_lookup",), (100,), 1.2),
    Invariant("pk_lookup_scaling", "the same 100 primary-key lookups as the table grows from 1,000 rows "
              "toward 1,000,000: grows no faster than the reference's (O(log n) in SQLite)", "scaling",
              ("pk_lookup_scaling",), (), "reference",
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
              ("commit_large_schema", "commit_small_schema"), (500, 1), 1.5, QUOTIENT_BUDGET_S,
              WRITES_BATCH_S),
    Invariant("update_by_pk", "100 updates by primary key in one transaction on a 10,000-row table",
              "ratio", ("update_by_pk",), (10_000,), 1.2, WRITES_BUDGET_S, WRITES_BATCH_S),
    Invariant("delete_by_pk", "100 deletes by primary key, put back, in one transaction on 10,000 rows",
              "ratio", ("delete_by_pk",), (10_000,), 1.2, WRITES_BUDGET_S, WRITES_BATCH_S),
    Invariant("range_scan", "10 range queries of 100 consecutive primary keys on a 10,000-row table",
              "ratio", ("range_scan",), (10_000,), 1.2),
    Invariant("index_lookup_scaling", "100 lookups through a secondary index as the table grows: "
              "grows no faster than the reference's (O(log n) in SQLite)", "scaling",
              ("index_lookup_scaling",), (), "reference", SCALING_BUDGET_S),
    Invariant("indexed_join", "20 customers joined with their orders through an index (10,000 orders)",
              "ratio", ("indexed_join",), (10_000,), 1.2),
)}


def parse_threshold(invariant: Invariant, text: str) -> float | str:
    """A threshold given on the command line: a ratio, or a growth class for a scaling invariant."""
    if invariant.kind == "scaling":
        if text != "reference" and text not in GROWTH_CLASSES:
            raise SpecError(f"threshold of {invariant.name} must be 'reference' or one of "
                            f"{', '.join(GROWTH_CLASSES)}, not {text!r}")
        return text
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value > 0 or math.isinf(value):
        raise SpecError(f"threshold of {invariant.name} must be a ratio > 0, not {text!r}")
    return value


def check_invariant(invariant: Invariant, judge: Judge, *, threshold: float | str | None = None,
                    budget_s: float | None = None) -> CheckResult:
    """Run one invariant for one candidate."""
    bound = invariant.threshold if threshold is None else threshold
    budget = invariant.budget_s if budget_s is None else budget_s
    if invariant.kind == "scaling":
        return check_growth(invariant.name, invariant.explanation, invariant.workloads[0], judge, str(bound),
                            budget)
    return _check_paired(invariant, judge, float(bound), budget)


def _check_paired(invariant: Invariant, judge: Judge, at_most: float, budget_s: float) -> CheckResult:
    name, workloads, kind = invariant.name, invariant.workloads, invariant.kind
    started = time.monotonic()
    jobs = list(zip(workloads, invariant.sizes, strict=True))
    evidence: dict[str, Any] = {"explanation": invariant.explanation, "at_most": at_most, "sizes": dict(jobs)}
    problem = judge.prepare(name, jobs, evidence)
    if problem:
        return problem
    calls: dict[tuple[str, str], int] = {}
    calibrated = judge.calibrate(name, jobs, calls, batch_s=invariant.batch_s)
    if isinstance(calibrated, SqlFault):
        return calibrated.result

    def measure_pair() -> tuple[float, float] | SqlFault:
        seconds = judge.time(name, jobs, calls)
        if isinstance(seconds, SqlFault):
            return seconds
        return _value(kind, seconds, "reference", workloads), _value(kind, seconds, "candidate", workloads)

    def progress(done: int, total: int, _left: float) -> None:
        if judge.progress:
            judge.progress(name, done, total)

    run = measure_ratio(measure_pair, at_most=at_most, budget_s=budget_s, started=started, seed=judge.seed,
                        progress=progress)
    if run.fault is not None:
        return run.fault.result
    evidence.update(calls_per_batch={f"{role} {w}": n for (role, w), n in calls.items()},
                    pair_values=[[r, c] for r, c in run.pairs])
    typical = {role: statistics.median(pair[i] for pair in run.pairs) if run.pairs else math.nan
               for i, role in enumerate(("reference", "candidate"))}
    if kind == "ratio":
        evidence["seconds"] = typical
    elif kind == "within":
        evidence["reference_quotient"] = typical["reference"]
        evidence["candidate_quotient"] = typical["candidate"]
    else:
        evidence["commit_seconds"] = typical
    extra = judge.extras(workloads[0], invariant.sizes[0], evidence, run.verdict == "fail")
    return run.result(name, lambda ratio: _measure(kind, ratio, typical), "round", evidence, extra)


def _value(kind: Kind, seconds: Seconds, role: str, workloads: Sequence[str]) -> float:
    first = seconds[role, workloads[0]]
    if kind == "ratio":
        return first
    second = seconds[role, workloads[1]]
    if kind == "within":
        return first / second
    return max(first - second, COMMIT_FLOOR * first) / INSERTS


def _measure(kind: Kind, ratio: float, typical: dict[str, float]) -> str:
    """What a paired invariant's ratio is of, for the summary."""
    if kind == "ratio":
        return f"{ratio:.3g}x the reference's time"
    if kind == "within":
        return (f"candidate quotient {typical['candidate']:.3g} vs reference {typical['reference']:.3g}: "
                f"{ratio:.3g}x")
    ours, theirs = typical["reference"] * 1e6, typical["candidate"] * 1e6
    return f"a commit costs {theirs:,.1f} us vs {ours:,.1f} us: {ratio:.3g}x"
