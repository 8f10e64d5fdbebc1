"""The ``generated`` check: Hypothesis-built scripts on both engines, each difference shrunk.

Hypothesis draws up to ``examples`` scripts (a schema, rows, indexes and one
query; see ``generate``) in at most a third of the budget; they run on the
reference and the candidate, each in its worker, each script a case of its
own (the time limit is per script) on a fresh in-memory database, and each
script's statements are compared in order. Values compare as SQLite compares
them (``same_value``: 2 equals 2.0, reals to 1e-9). The first statement on
which the engines behave differently classifies the script, as the corpus
check does:

- ``wrong_result``: both ran it, the results differ (as multisets, or in order
  when the query orders every output column);
- ``wrong_error``: the reference raised, the candidate did not;
- ``unsupported``: the candidate raised, the reference did not;
- ``crash`` and ``hang``: the candidate's worker died or ran out of time.

Then, for each class seen, Hypothesis runs again with the same seed and
shrinks the first script of that class to the smallest one that still shows
the same difference (``Difference.same_as``). The report's example is that
script, cut after the statement that differs, without the earlier
statements it does not need (dropped one at a time while the difference
stays). Up to ``EXAMPLES_KEPT`` more scripts per class, each differing on
another statement, are cut and reduced the same way. A crash or hang stops
the run (one is evidence enough, and each may cost a time limit) and is cut,
not shrunk. Shrinking has its own time (``SHRINK_TOTAL_S`` and
``REDUCE_BUDGET_S`` per class) beyond the budget.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from signoff.criteria.hypothesis_run import shrink_seeded
from signoff.progress import Progress
from signoff.sql.generate import Script, scripts
from signoff.sql.scripts import Difference, Fault, compare_steps, draw_scripts, run_in_parallel
from signoff.sql.workers import SqlWorker
from signoff.verdict import CheckResult, Verdict

DEFAULT_EXAMPLES = 300
DEFAULT_BUDGET_S = 45.0  # drawing and running; shrinking has its own (SHRINK_TOTAL_S, REDUCE_BUDGET_S)
SHRINK_BUDGET_S = 15.0  # per class of difference
SHRINK_TOTAL_S = 30.0  # all classes together
EXAMPLES_KEPT = 3  # more examples kept per class, beside the shrunk one
REDUCE_BUDGET_S = 5.0  # per class: dropping statements the examples do not need
FAILING = ("wrong_result", "wrong_error", "unsupported", "crash", "hang")


@dataclass
class _Tally:
    scripts: int = 0
    agree: int = 0
    reference_faults: list[dict[str, Any]] = field(default_factory=list)
    classes: Counter[str] = field(default_factory=Counter)
    judged: list[Script] = field(default_factory=list)  # the drawn scripts that were run, in order
    differences: dict[int, Difference] = field(default_factory=dict)  # by index in ``judged``
    others: dict[str, list[tuple[Script, Difference]]] = field(default_factory=dict)  # more examples

    def first_statement(self, kind: str) -> int:
        """Where the first script of this class differed (before shrinking)."""
        return min((i, d.statement) for i, d in self.differences.items() if d.kind == kind)[1]


def check_generated(reference: SqlWorker, candidate: SqlWorker, *, seed: int,
                    examples: int = DEFAULT_EXAMPLES, budget_s: float = DEFAULT_BUDGET_S,
                    progress: Progress | None = None) -> CheckResult:
    """The ``generated`` check of one candidate (see the module docstring)."""
    drawn = draw_scripts(scripts(), seed, examples, budget_s)
    tally = _Tally()
    stopped = ""  # who stopped the run with a crash or hang: "reference" or "candidate"
    for batch, ours, theirs in drawn.batches(reference, candidate):
        for script, ref, cand in zip(batch, ours, theirs, strict=False):
            tally.judged.append(script)
            if isinstance(ref, Fault):
                tally.reference_faults.append({"script": script.statements, "fault": ref.description})
                break
            tally.scripts += 1
            difference = compare_steps(ref, cand, script.query.ordered)
            if difference is None:
                tally.agree += 1
                continue
            tally.classes[difference.kind] += 1
            tally.differences[len(tally.judged) - 1] = difference
            kept = tally.others.setdefault(difference.kind, [])
            # Beside the first of each class (shrunk), distinct statements only: one
            # unsupported CREATE TABLE form can spoil most scripts.
            at = script.statements[difference.statement]
            distinct = all(s.statements[d.statement] != at for s, d in kept)
            if tally.classes[difference.kind] > 1 and len(kept) < EXAMPLES_KEPT and distinct:
                kept.append((script, difference))
        if progress:
            progress("generated queries", len(tally.judged), len(drawn.items))
        if len(ours) < len(batch) or len(theirs) < len(batch):
            # A crash or hang: more scripts would cost a time limit each.
            stopped = "reference" if tally.reference_faults else "candidate"
            break
    shrunk: dict[str, dict[str, Any]] = {}
    more: dict[str, list[dict[str, Any]]] = {}
    pair = (reference, candidate)
    shrinking_ends = time.monotonic() + SHRINK_TOTAL_S
    for kind in FAILING:
        if kind not in tally.classes:
            continue
        # A hang is only cut, not shrunk: every try of one costs the whole time limit.
        left = 0.0 if kind == "hang" else min(SHRINK_BUDGET_S, shrinking_ends - time.monotonic())
        smallest, difference, note = shrink(kind, tally, seed, examples, time.monotonic() + left, pair)
        reduce_until = time.monotonic() + (0.0 if kind == "hang" else REDUCE_BUDGET_S)
        shrunk[kind] = example(smallest, difference, pair, reduce_until)
        shrunk[kind]["shrunk_from_statements"] = tally.first_statement(kind) + 1
        if note:
            shrunk[kind]["shrink_note"] = note
        more[kind] = [example(s, d, pair, reduce_until) for s, d in tally.others[kind]]
    return _verdict(tally, shrunk, more, seed, len(drawn.items), examples, stopped, drawn.error,
                    time.monotonic() - drawn.began)


def shrink(kind: str, tally: _Tally, seed: int, examples: int, deadline: float,
           pair: tuple[SqlWorker, SqlWorker]) -> tuple[Script, Difference, str]:
    """The smallest script Hypothesis finds with the first difference of this class; a note if any.

    A script counts when its difference is the same as the first one's
    (``Difference.same_as``). The same seed draws the batch run's scripts
    again, in the same order, so those are judged from the batch results
    without running them again.
    """
    first = min(index for index, d in tally.differences.items() if d.kind == kind)
    target, target_length = tally.differences[first], len(tally.judged[first].statements)

    def same(script: Script, difference: Difference | None) -> Difference | None:
        if difference is not None and difference.same_as(target, len(script.statements), target_length):
            return difference
        return None

    found, error = shrink_seeded(
        scripts(), seed, examples, tally.judged,
        known=lambda index: same(tally.judged[index], tally.differences.get(index)),
        judge=lambda script: same(script, _difference(script.statements, script.query.ordered, pair)),
        deadline=deadline)
    found.insert(0, (tally.judged[first], target))
    smallest, difference = min(found, key=lambda found_pair: _size(*found_pair))
    return smallest, difference, shrink_note(error, deadline)


def shrink_note(error: str | None, deadline: float) -> str:
    """What to say of a shrinking pass that did not end by itself.

    Past its deadline the pass answers "no difference" to every new script, so
    Hypothesis's last replay of the smallest one "flakes": that is the budget
    ending, and the smallest script so far stands.
    """
    if time.monotonic() >= deadline:
        return "shrinking reached its time limit: the smallest script found by then"
    return f"shrinking stopped early: {error[:300]}" if error else ""


def _difference(statements: list[str], ordered: bool, pair: tuple[SqlWorker, SqlWorker]) -> Difference | None:
    """The script run on both engines, compared; None when they agree or the reference faulted."""
    ours, theirs = run_in_parallel([(pair[0], [statements]), (pair[1], [statements])])
    if not ours or isinstance(ours[0], Fault) or not theirs:
        return None
    return compare_steps(ours[0], theirs[0], ordered)


def reduce_statements(statements: list[str], difference: Difference, ordered: bool,
                      pair: tuple[SqlWorker, SqlWorker], deadline: float) -> tuple[list[str], Difference]:
    """The script without the earlier statements it does not need, and its difference.

    Statements are dropped one at a time, each for good when the difference
    stays: the same class, on the last statement. Hypothesis shrinks values
    and shapes, but it can leave a table that the query no longer reads.
    """
    kept = statements[:difference.statement + 1]
    for index in range(len(kept) - 2, -1, -1):
        if time.monotonic() > deadline:
            break
        trial = kept[:index] + kept[index + 1:]
        again = _difference(trial, ordered, pair)
        if again is not None and again.statement == len(trial) - 1 and again.same_as(difference, len(trial),
                                                                                     len(kept)):
            kept, difference = trial, again
    return kept, difference


def _size(script: Script, difference: Difference) -> tuple[int, int]:
    """Statements up to the difference, then characters: what a person has to read."""
    shown = script.statements[:difference.statement + 1]
    return (len(shown), sum(map(len, shown)))


def example(script: Script, difference: Difference, pair: tuple[SqlWorker, SqlWorker],
            deadline: float) -> dict[str, Any]:
    """A difference as the report shows it: the statements it needs, up to the one that differs."""
    ordered = script.query.ordered
    statements, difference = reduce_statements(script.statements, difference, ordered, pair, deadline)
    return {
        "script": statements, "sql": ";\n".join(statements) + ";", "statement": len(statements),
        "ordered": ordered, "reference": difference.reference, "candidate": difference.candidate,
        "drawn_statements": len(script.statements),
    }


def _verdict(tally: _Tally, shrunk: dict[str, dict[str, Any]], more: dict[str, list[dict[str, Any]]],
             seed: int, drawn: int, examples: int, stopped: str, error: str | None,
             seconds: float) -> CheckResult:
    classes = {kind: tally.classes[kind] for kind in FAILING if tally.classes[kind]}
    evidence: dict[str, Any] = {
        "scripts": tally.scripts, "drawn": drawn, "agree": tally.agree, "classes": classes,
        "examples": shrunk, "more_examples": more, "seed": seed,
        "reference_faults": tally.reference_faults[:5], "seconds": round(seconds, 3),
    }
    counted = ", ".join(f"{n:,} {kind.replace('_', ' ')}" for kind, n in classes.items())
    summary = (f"{tally.agree:,} of {tally.scripts:,} generated scripts agree"
               + (f" ({counted}); smallest script of each kind shrunk" if counted else ""))
    verdict: Verdict = "pass"
    if classes:
        verdict = "fail"
        if stopped == "candidate":
            summary += "; the run stopped at the candidate's crash or hang"
    elif error:
        verdict, summary = "error", f"generating scripts failed: {error}"
    elif tally.reference_faults:
        verdict = "error"
        summary += f"; the reference crashed or hung: {tally.reference_faults[0]['fault'][:200]}"
    elif not tally.scripts:
        verdict, summary = "inconclusive", "no generated script ran: the budget ended while drawing them"
    elif tally.scripts < examples:
        verdict = "inconclusive"
        summary += f"; the budget ran out after {tally.scripts} of {examples} scripts"
    return CheckResult("generated", verdict, summary, evidence)
