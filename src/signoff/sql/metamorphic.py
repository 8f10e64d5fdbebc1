"""The ``metamorphic`` check: SQLancer's TLP and NoREC oracles, which need no reference.

Each oracle asks one engine the same question two ways and checks that the
answers agree, so it finds bugs the reference shares and bugs where the
reference has no answer to compare with. Hypothesis draws a database (see
``generate``), a source (a table or a join) and a predicate ``p``:

- **TLP** (ternary logic partitioning; Rigger and Su, OOPSLA 2020): every row
  makes ``p`` true, false or NULL, so ``SELECT ... FROM src`` returns the
  multiset union of the same query ``WHERE p``, ``WHERE NOT (p)`` and
  ``WHERE (p) IS NULL``. Variants: plain rows, ``DISTINCT`` (as sets), and
  the aggregates ``MIN``, ``MAX``, ``COUNT(*)`` and ``COUNT(e)``, whose whole
  is the min, max or sum of the parts.
- **NoREC** (non-optimising reference engine construction; Rigger and Su,
  ESEC/FSE 2020): ``SELECT COUNT(*) FROM src WHERE p`` lets the engine's
  optimiser use indexes and rewrite ``p``; ``SELECT CASE WHEN p THEN 1 ELSE 0
  END FROM src`` makes it evaluate ``p`` row by row. The count must be the
  number of ones.

An instance where one of the queries raises proves nothing (an overflow in
one part, say) and is counted as not applicable. The check runs on the
candidate and fails on any violation; the same instances run on the
reference too, and the evidence says whether it violates them as well (a
shared bug) or not. A violation is shrunk with Hypothesis to the smallest
database and predicate that still show it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from signoff.criteria.hypothesis_run import shrink_seeded
from signoff.progress import Progress
from signoff.sql.differential import shrink_note
from signoff.sql.driver import ScriptStep
from signoff.sql.generate import Database, databases, expressions, sources
from signoff.sql.scripts import Fault, Ran, describe, draw_scripts, row_key, run_in_parallel, same_rows
from signoff.sql.workers import SqlWorker
from signoff.verdict import CheckResult, Verdict

DEFAULT_EXAMPLES = 300
DEFAULT_BUDGET_S = 45.0  # drawing and running; shrinking has its own
SHRINK_BUDGET_S = 15.0
ORACLES = ("tlp_where", "tlp_distinct", "tlp_aggregate", "norec")
AGGREGATES = ("MIN", "MAX", "COUNT(*)", "COUNT")


@dataclass(frozen=True)
class Instance:
    """One question asked two ways: the database, the queries, and how their answers must relate."""

    database: Database
    oracle: str  # one of ORACLES
    queries: tuple[str, ...]  # the whole first, then the parts
    aggregate: str = ""  # tlp_aggregate: MIN, MAX, COUNT(*) or COUNT

    @property
    def statements(self) -> list[str]:
        return [*self.database.statements, *self.queries]


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    database = draw(databases())
    source, columns = draw(sources(database))
    shape = tuple((t.name, len(t.types)) for t in database.tables)
    scalar = expressions(columns, shape)
    predicate = draw(scalar)
    oracle = draw(st.sampled_from(ORACLES))
    parts = (f"WHERE {predicate}", f"WHERE NOT ({predicate})", f"WHERE ({predicate}) IS NULL")
    if oracle == "norec":
        return Instance(database, oracle, (f"SELECT COUNT(*) FROM {source} WHERE {predicate}",
                                           f"SELECT CASE WHEN {predicate} THEN 1 ELSE 0 END FROM {source}"))
    if oracle == "tlp_aggregate":
        aggregate = draw(st.sampled_from(AGGREGATES))
        output = "COUNT(*)" if aggregate == "COUNT(*)" else f"{aggregate}({draw(scalar)})"
        whole = f"SELECT {output} FROM {source}"
        return Instance(database, oracle, (whole, *(f"{whole} {part}" for part in parts)), aggregate)
    outputs = ", ".join(draw(st.lists(scalar, min_size=1, max_size=2)))
    distinct = "DISTINCT " if oracle == "tlp_distinct" else ""
    whole = f"SELECT {distinct}{outputs} FROM {source}"
    return Instance(database, oracle, (whole, *(f"{whole} {part}" for part in parts)))


def applies(instance: Instance, ran: Ran) -> bool:
    """Whether every query of the instance answered (one that raised proves nothing)."""
    if isinstance(ran, Fault):
        return False
    return all(kind == "rows" for kind, _ in ran[len(instance.database.statements):])


def violation(instance: Instance, ran: Ran) -> str | None:
    """Why the answers break the oracle; None when they keep it or the instance does not apply."""
    if isinstance(ran, Fault) or not applies(instance, ran):
        return None
    answers = ran[len(instance.database.statements):]
    whole, *parts = (list(rows) for _, rows in answers)
    if instance.oracle == "norec":
        counted = whole[0][0] if whole and whole[0] else None
        ones = sum(1 for row in parts[0] if row and row[0] == 1)
        if counted != ones:
            return f"COUNT(*) WHERE p gave {counted!r}, but p held on {ones} row(s) evaluated one by one"
        return None
    if instance.oracle == "tlp_aggregate":
        each = [rows[0][0] if rows and rows[0] else None for rows in parts]
        combined = _combine(instance.aggregate, each)
        got = whole[0][0] if whole and whole[0] else None
        if not same_rows([[got]], [[combined]], ordered=True):
            return (f"{instance.aggregate} over all rows gave {got!r}, over the three partitions "
                    f"{each!r}, combined {combined!r}")
        return None
    union = [row for rows in parts for row in rows]
    if instance.oracle == "tlp_distinct":
        whole, union = _distinct(whole), _distinct(union)
    if not same_rows(whole, union, ordered=False):
        return (f"the whole gave {len(whole)} row(s), the partitions together {len(union)}: "
                f"{_shown(whole)} vs {_shown(union)}")
    return None


def _combine(aggregate: str, values: list[object]) -> object:
    """The whole's aggregate from the three parts' (COUNT: their sum; MIN, MAX: the least, the most).

    Of equal values (2 and 2.0) either may come out, as in SQLite; the
    comparison with the whole holds them equal (``same_value``).
    """
    if aggregate.startswith("COUNT"):
        return sum(v for v in values if isinstance(v, int))
    present = [v for v in values if v is not None]
    if not present:
        return None
    choose = max if aggregate == "MAX" else min
    return choose(present, key=lambda v: row_key([v]))


def _distinct(rows: list[Any]) -> list[Any]:
    """The rows without repeats, equal as SQLite's DISTINCT has them (2 and 2.0 are one)."""
    kept: list[Any] = []
    for row in sorted(rows, key=row_key):
        if not kept or not same_rows([kept[-1]], [row], ordered=True):
            kept.append(row)
    return kept


def _shown(rows: list[Any]) -> str:
    step: ScriptStep = ("rows", tuple(tuple(row) for row in rows))
    return describe(step)


@dataclass
class _Tally:
    judged: list[Instance] = field(default_factory=list)
    applicable: Counter[str] = field(default_factory=Counter)
    violations: dict[int, str] = field(default_factory=dict)  # index in judged -> why
    reference_violations: dict[int, str] = field(default_factory=dict)


def check_metamorphic(reference: SqlWorker, candidate: SqlWorker, *, seed: int,
                      examples: int = DEFAULT_EXAMPLES, budget_s: float = DEFAULT_BUDGET_S,
                      progress: Progress | None = None) -> CheckResult:
    """The ``metamorphic`` check of one candidate (see the module docstring)."""
    drawn = draw_scripts(instances(), seed, examples, budget_s)
    tally = _Tally()
    faults: list[str] = []
    for batch, ours, theirs in drawn.batches(reference, candidate):
        for offset, (instance, ran) in enumerate(zip(batch, theirs, strict=False)):
            if isinstance(ran, Fault):
                faults.append(f"{ran.description} on: {'; '.join(instance.statements)}")
                break
            index = len(tally.judged)
            tally.judged.append(instance)
            if not applies(instance, ran):
                continue
            tally.applicable[instance.oracle] += 1
            why = violation(instance, ran)
            if why is not None:
                tally.violations[index] = why
            on_reference = violation(instance, ours[offset]) if offset < len(ours) else None
            if on_reference is not None:
                tally.reference_violations[index] = on_reference
        if progress:
            progress("metamorphic queries", len(tally.judged), len(drawn.items))
        if faults:
            break
    shrunk = _shrink(tally, seed, examples, time.monotonic() + SHRINK_BUDGET_S, reference, candidate) \
        if tally.violations else None
    return _verdict(tally, shrunk, faults, drawn.error, examples, seed, time.monotonic() - drawn.began)


def _shrink(tally: _Tally, seed: int, examples: int, deadline: float, reference: SqlWorker,
            candidate: SqlWorker) -> dict[str, Any]:
    """The smallest instance Hypothesis finds that the candidate violates, as an example."""
    first = min(tally.violations)

    def judge(instance: Instance) -> str | None:
        [[ran]] = run_in_parallel([(candidate, [instance.statements])])
        return violation(instance, ran)

    found, error = shrink_seeded(instances(), seed, examples, tally.judged, known=tally.violations.get,
                                 judge=judge, deadline=deadline)
    found.insert(0, (tally.judged[first], tally.violations[first]))
    smallest, why = min(found, key=lambda pair: (len(pair[0].statements), sum(map(len, pair[0].statements))))
    [[on_reference]] = run_in_parallel([(reference, [smallest.statements])])
    shared = violation(smallest, on_reference)
    if isinstance(on_reference, Fault):
        on_it = f"could not run it: {on_reference.description[:200]}"
    elif shared:
        on_it = f"violates it too: {shared}"
    else:
        on_it = "keeps it" if applies(smallest, on_reference) else "raised on one of its queries"
    return {
        "oracle": smallest.oracle, "violation": why, "script": smallest.statements,
        "setup": list(smallest.database.statements), "queries": list(smallest.queries),
        "aggregate": smallest.aggregate,
        "sql": ";\n".join(smallest.statements) + ";",
        "reference": on_it, **({"shrink_note": note} if (note := shrink_note(error, deadline)) else {}),
    }


def _verdict(tally: _Tally, shrunk: dict[str, Any] | None, faults: Sequence[str], error: str | None,
             examples: int, seed: int, seconds: float) -> CheckResult:
    applicable = sum(tally.applicable.values())
    by_oracle = Counter(tally.judged[i].oracle for i in tally.violations)
    evidence: dict[str, Any] = {
        "instances": len(tally.judged), "applicable": dict(tally.applicable),
        "violations": dict(by_oracle), "example": shrunk,
        "reference_violations": len(tally.reference_violations),
        "shared_with_reference": len(set(tally.violations) & set(tally.reference_violations)),
        "faults": list(faults[:3]), "seed": seed, "seconds": round(seconds, 3),
    }
    oracles = ", ".join(f"{n} {name}" for name, n in sorted(tally.applicable.items()))
    summary = f"{applicable:,} TLP/NoREC instances ({oracles}) hold on the candidate"
    verdict: Verdict = "pass"
    if tally.violations:
        verdict = "fail"
        counted = ", ".join(f"{n} {name}" for name, n in sorted(by_oracle.items()))
        summary = (f"the candidate violates {len(tally.violations)} of {applicable:,} TLP/NoREC instances "
                   f"({counted}); smallest shrunk")
    elif faults:
        verdict, summary = "fail", f"the candidate crashed or hung: {faults[0][:200]}"
    elif error:
        verdict, summary = "error", f"generating instances failed: {error}"
    elif not tally.judged:
        verdict, summary = "inconclusive", "no TLP/NoREC instance ran: the budget ended while drawing them"
    elif not applicable:
        verdict, summary = "inconclusive", "no TLP/NoREC instance applied (every one raised)"
    elif len(tally.judged) < examples:
        verdict = "inconclusive"
        summary += f"; the budget ran out after {len(tally.judged)} of {examples}"
    return CheckResult("metamorphic", verdict, summary, evidence)
