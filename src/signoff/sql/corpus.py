"""A sqllogictest corpus run on the reference and each candidate, each in its worker, and compared.

Every engine runs the same file at the same time, in chunks: the driver runs
records until about ``chunk_s`` seconds have passed and answers with their
outcomes, so signoff sees progress and the worker's time limit applies to
one record. When a record hangs or crashes a worker, the worker is replaced,
the record is read from the worker's progress file and reported with its
SQL, the records of the chunk before it are run again on the fresh worker
(which first replays the file up to the chunk), and that engine stops the
file there: its database is gone. The reference counts as ``sqlite`` for
``skipif``/``onlyif``, and so does each candidate: a replacement for SQLite
must take the records SQLite takes.

Each candidate record is compared with the reference's (``slt_compare.agree``)
and classified: ``wrong_result`` (both ran, the results differ),
``wrong_error`` (the candidate accepts what the reference rejects),
``unsupported`` (the candidate rejects what the reference accepts), ``crash``
and ``hang`` (the worker died or ran out of time on the record), ``not_run``
(after a crash or hang in the same file, or when the budget ran out). When
the corpus budget runs out, the file being run stops where each engine is
and the files left are listed.

One module over 400 lines, on purpose: the chunked run, the replacement of a
dead worker and the classification all act on one per-engine state of the
file being run (``_EngineFile``); split, that state would cross module lines.

Each example kept of a difference then gets the smallest script that still
shows it (``minimize.py``): subsets of the file's records up to the
differing one are run on a fresh in-memory database in both workers
(``slt_subset``) until no record can be dropped, within a time budget per
example and for the whole run. Hangs are not shrunk: each try that still
hangs costs the whole time limit.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signoff.outcomes import Outcome
from signoff.progress import Progress
from signoff.sql.minimize import (
    MINIMIZE_EACH_S,
    MINIMIZE_TOTAL_S,
    MINIMIZED,
    Trial,
    earlier_records,
    script_evidence,
    shrink,
)
from signoff.sql.slt_compare import agree
from signoff.sql.slt_format import QueryResult
from signoff.sql.slt_parser import (
    BrokenRecord,
    Halt,
    HashThreshold,
    Record,
    SltParseError,
    load_lenient,
)
from signoff.sql.slt_runner import REFERENCE_ENGINE, RecordOutcome
from signoff.sql.workers import SqlWorker, call_all
from signoff.verdict import CheckResult, Verdict

CHUNK_S = 0.5  # how long a worker runs records before it reports
EXAMPLES = 5  # examples kept per class of difference
SQL_SHOWN = 400  # characters of a record's SQL kept in an example
CLASSES = ("wrong_result", "wrong_error", "unsupported", "crash", "hang", "not_run")
FAILING = frozenset({"wrong_result", "wrong_error", "unsupported", "crash", "hang"})
TRY_AT_LEAST_S = 1.0  # the shortest time limit of one try of the minimiser, near the end of its budget


@dataclass(frozen=True, slots=True)
class Fault:
    """A record on which the worker crashed, hung or ran out of memory."""

    status: str
    description: str


Result = RecordOutcome | Fault


@dataclass
class _EngineFile:
    sql: SqlWorker
    results: dict[int, Result] = field(default_factory=dict)
    next: int = 0
    done: bool = False
    failure: str = ""  # why the engine could not run the file at all
    spent_s: float = 0.0


@dataclass
class Comparison:
    """One candidate against the reference over the whole corpus."""

    candidate: str
    files: int = 0
    compared: int = 0  # records both ran (or tried to), skips left out
    agree: int = 0
    classes: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    versus_file: Counter[str] = field(default_factory=Counter)  # the candidate's own statuses
    failures: list[str] = field(default_factory=list)  # files the candidate could not run at all

    def add(self, kind: str, example: dict[str, Any]) -> int | None:
        """Count a difference and keep it as an example while there are few; its rank when kept."""
        self.classes[kind] += 1
        kept = self.examples.setdefault(kind, [])
        if len(kept) >= EXAMPLES:
            return None
        kept.append(example)
        return len(kept) - 1


@dataclass
class _Example:
    """A kept example still to be shrunk, with what the minimiser needs to run its file again."""

    candidate: SqlWorker
    kind: str
    rank: int  # its place among the examples of its class: the first of each class is shrunk first
    evidence: dict[str, Any]
    path: str
    records: list[Record | BrokenRecord]
    index: int
    reference: RecordOutcome  # what the reference did on the record in the corpus run
    candidate_raised: str | None  # what the candidate raised there, if it did


@dataclass
class CorpusRun:
    files: list[str] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)  # parse problems: file, line, problem
    reference: Counter[str] = field(default_factory=Counter)  # the reference's statuses against the files
    reference_faults: list[dict[str, Any]] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    not_run_files: list[str] = field(default_factory=list)  # left when the budget ran out
    seconds: float = 0.0  # the whole run, shrinking the examples included
    minimize_seconds: float = 0.0  # shrinking the examples


def run_corpus(files: Sequence[tuple[Path, str]], reference: SqlWorker, candidates: Sequence[SqlWorker], *,
               budget_s: float | None = None, chunk_s: float = CHUNK_S,
               progress: Progress | None = None, minimize_each_s: float = MINIMIZE_EACH_S,
               minimize_total_s: float = MINIMIZE_TOTAL_S) -> CorpusRun:
    """Run ``files`` (path, name shown) on every engine and compare each candidate with the reference.

    Then shrink each kept example to its smallest script, for at most
    ``minimize_each_s`` each and ``minimize_total_s`` in all (0 shrinks none);
    this budget is apart from ``budget_s``, so that a corpus that used all of
    its own still gets its examples shrunk.
    """
    began = time.monotonic()
    deadline = began + budget_s if budget_s is not None else float("inf")
    run = CorpusRun(comparisons=[Comparison(c.engine) for c in candidates])
    examples: list[_Example] = []
    for number, (path, name) in enumerate(files):
        if time.monotonic() > deadline:
            run.not_run_files.extend(shown for _, shown in files[number:])
            break
        if progress:
            progress("corpus files", number, len(files))
        try:
            records = load_lenient(path)
        except (SltParseError, OSError) as error:
            line = error.line if isinstance(error, SltParseError) else 0
            run.problems.append({"file": name, "line": line, "problem": str(error)})
            continue
        run.files.append(name)
        run.problems.extend({"file": name, "line": r.line, "problem": r.problem}
                            for r in records if isinstance(r, BrokenRecord))
        engines = [_EngineFile(sql) for sql in (reference, *candidates)]
        if not _run_file(str(path), records, engines, chunk_s, deadline):
            run.not_run_files.append(f"{name} (the rest of it)")
        _compare_file(name, str(path), records, engines, run, examples)
    _shrink_examples(examples, reference, minimize_each_s, minimize_total_s, run, progress)
    run.seconds = time.monotonic() - began
    return run


def _run_file(path: str, records: list[Record | BrokenRecord], engines: list[_EngineFile],
              chunk_s: float, deadline: float) -> bool:
    """Run the file on every engine, chunk by chunk; False when the deadline stopped it."""
    while True:
        active = [e for e in engines if not e.done]
        if not active:
            return True
        if time.monotonic() > deadline:
            return False
        for engine in active:
            engine.sql.progress.write_bytes(b"")
        started = time.monotonic()
        # A chunk stops starting records after chunk_s; its last record may take the whole limit.
        limit = max(e.sql.worker.limits.timeout_s for e in active) + chunk_s
        outcomes = call_all([(e.sql, "slt", (path, e.next, len(records), chunk_s)) for e in active],
                            timeout_s=limit)
        for engine, outcome in zip(active, outcomes, strict=True):
            engine.spent_s += time.monotonic() - started
            if outcome.status == "ok":
                following, encoded, halted = outcome.detail[0]
                _take(engine, records, encoded)
                engine.next = following
                engine.done = halted or following >= len(records)
            elif outcome.status == "raise":
                engine.failure = outcome.describe()
                engine.done = True
            else:
                _recover(path, records, engine, outcome)


def _take(engine: _EngineFile, records: list[Record | BrokenRecord], encoded: list[Any]) -> None:
    for item in encoded:
        engine.results[item[0]] = _decode(records, item)


def _decode(records: list[Record | BrokenRecord], encoded: Any) -> RecordOutcome:
    """A record's outcome from its travelling form (``driver.encode_outcome``)."""
    index, status, message, values, columns, raised, seconds = encoded
    record = records[index]
    assert not isinstance(record, HashThreshold | Halt)  # they give no outcome
    got = None if values is None else QueryResult(tuple(values), columns)
    return RecordOutcome(record, status, message, got, raised, seconds)


def _recover(path: str, records: list[Record | BrokenRecord], engine: _EngineFile, fault: Outcome) -> None:
    """After a fault: blame the record begun last, rerun the ones before it, stop the file there."""
    culprit = engine.sql.last_record()
    if culprit is None or culprit < engine.next:
        culprit = engine.next
    engine.results[culprit] = Fault(fault.status, fault.describe())
    if culprit > engine.next:
        limit = engine.sql.worker.limits.timeout_s + 2 * engine.spent_s
        again = engine.sql.call("slt", path, engine.next, culprit, float("inf"), timeout_s=limit)
        if again.status == "ok":
            _take(engine, records, again.detail[0][1])
    engine.done = True


def _compare_file(name: str, path: str, records: list[Record | BrokenRecord], engines: list[_EngineFile],
                  run: CorpusRun, examples: list[_Example]) -> None:
    reference, candidates = engines[0], engines[1:]
    for index, ours in sorted(reference.results.items()):
        if isinstance(ours, Fault):
            run.reference_faults.append({"file": name, "line": records[index].line,
                                         "sql": _sql(records[index]), "fault": ours.description})
            continue
        run.reference[ours.status] += 1
    for engine, comparison in zip(candidates, run.comparisons, strict=True):
        comparison.files += 1
        if engine.failure:
            comparison.failures.append(f"{name}: {engine.failure}")
        for index, ours in sorted(reference.results.items()):
            if isinstance(ours, Fault) or ours.status == "skipped":
                continue
            theirs = engine.results.get(index)
            if isinstance(theirs, RecordOutcome):
                comparison.versus_file[theirs.status] += 1
            comparison.compared += 1
            kind, difference = classify(ours, theirs)
            if kind == "agree":
                comparison.agree += 1
                continue
            record = records[index]
            example = {"file": name, "line": record.line, "sql": _sql(record),
                       "reference": _describe(ours), "candidate": _describe(theirs), "difference": difference}
            rank = comparison.add(kind, example)
            if rank is not None and kind in FAILING:
                raised = theirs.raised if isinstance(theirs, RecordOutcome) else None
                examples.append(_Example(engine.sql, kind, rank, example, path, records, index, ours, raised))


def _shrink_examples(examples: list[_Example], reference: SqlWorker, each_s: float, total_s: float,
                     run: CorpusRun, progress: Progress | None) -> None:
    """Give each example its smallest script (``minimize.py``), first examples of each class first."""
    began = time.monotonic()
    deadline = began + total_s
    order = sorted(examples, key=lambda e: (e.rank, CLASSES.index(e.kind)))
    for done, example in enumerate(order):
        if progress:
            progress("shrinking differences", done, len(order))
        if example.kind not in MINIMIZED:
            example.evidence.update(script=None, script_note="not shrunk: each try of a hang costs "
                                                            "the whole time limit")
            continue
        earlier, statements, always = earlier_records(example.records, example.index, REFERENCE_ENGINE)
        trial = _trial(example, reference, always)
        shrunk = shrink(earlier, statements, trial, min(time.monotonic() + each_s, deadline))
        example.evidence.update(script_evidence(example.records, example.index, len(earlier) + 1, shrunk))
    if progress and order:
        progress("shrinking differences", len(order), len(order))
    run.minimize_seconds = time.monotonic() - began


def _trial(example: _Example, reference: SqlWorker, always: list[int]) -> Trial:
    """One try: the records kept (and ``always``) then the example's, on both engines.

    The difference is still there when the candidate's outcome is of the same
    class and each engine fails the same way as in the corpus run: the
    reference raises the same error, or again raises none (its values may
    change: a wrong result needs only the rows that show it), and an
    ``unsupported`` candidate raises the same error. Without that, a script
    could show another difference: drop the CREATE TABLE of a ``wrong_error``
    example and the reference raises "no such table" instead.
    """
    engines = (reference, example.candidate)

    def trial(kept: list[int], left_s: float) -> bool:
        indices = sorted([*always, *kept, example.index])
        for sql in engines:
            sql.progress.write_bytes(b"")
        limit = min(max(sql.worker.limits.timeout_s for sql in engines), max(left_s, TRY_AT_LEAST_S))
        calls = [(sql, "slt_subset", (example.path, indices)) for sql in engines]
        outcomes = call_all(calls, timeout_s=limit)
        ours, theirs = (_last(example, sql, outcome) for sql, outcome in zip(engines, outcomes, strict=True))
        if not isinstance(ours, RecordOutcome) or theirs is None:
            return False
        before = example.reference
        same = ours.raised == before.raised and (ours.got is None) == (before.got is None)
        if example.kind == "unsupported":
            same = same and isinstance(theirs, RecordOutcome) and theirs.raised == example.candidate_raised
        return same and classify(ours, theirs)[0] == example.kind

    return trial


def _last(example: _Example, sql: SqlWorker, outcome: Outcome) -> Result | None:
    """The example's record's outcome in a try; None when the try went wrong before it."""
    if outcome.status == "ok":
        encoded = outcome.detail[0]
        if encoded and encoded[-1][0] == example.index:
            return _decode(example.records, encoded[-1])
        return None
    if outcome.status == "raise" or sql.last_record() != example.index:
        return None
    return Fault(outcome.status, outcome.describe())


def classify(reference: RecordOutcome, candidate: Result | None) -> tuple[str, str]:
    """The class of a candidate's outcome against the reference's, and the difference in words."""
    if candidate is None:
        return "not_run", "the candidate did not run this record (stopped earlier in the file)"
    if isinstance(candidate, Fault):
        kind = "hang" if candidate.status == "timeout" else "crash"
        return kind, f"the candidate {candidate.description}"
    agreement = agree(reference, candidate)
    if agreement.same:
        return "agree", ""
    if reference.raised is None and candidate.raised is not None:
        return "unsupported", agreement.difference
    if reference.raised is not None and candidate.raised is None:
        return "wrong_error", agreement.difference
    return "wrong_result", agreement.difference


def _describe(result: Result | None) -> str:
    if result is None:
        return "not run"
    if isinstance(result, Fault):
        return result.description
    if result.raised is not None:
        return f"raised {result.raised}"
    if result.got is not None:
        values = result.got.values
        shown = ", ".join(values[:8]) + (", ..." if len(values) > 8 else "")
        return f"{len(values)} values [{shown}]" if len(values) > 8 else f"[{shown}]"
    return result.message or result.status


def _sql(record: Record | BrokenRecord) -> str:
    text = record.text if isinstance(record, BrokenRecord) else getattr(record, "sql", "")
    return text if len(text) <= SQL_SHOWN else text[:SQL_SHOWN] + "..."


def corpus_check(run: CorpusRun, comparison: Comparison, reference: str) -> CheckResult:
    """The ``corpus`` check of one candidate: fail on any difference that counts."""
    classes = {kind: comparison.classes[kind] for kind in CLASSES if comparison.classes[kind]}
    ran = sum(n for status, n in run.reference.items() if status != "skipped")
    evidence: dict[str, Any] = {
        "files": comparison.files, "records": comparison.compared, "agree": comparison.agree,
        "classes": classes, "examples": comparison.examples,
        "reference_vs_files": _versus(run.reference),
        "candidate_vs_files": _versus(comparison.versus_file),
        "parse_problems": run.problems[:50], "parse_problem_count": len(run.problems),
        "reference_faults": run.reference_faults[:20], "not_run_files": run.not_run_files,
        "engine_failures": comparison.failures[:20], "seconds": round(run.seconds, 3),
        "shrink_seconds": round(run.minimize_seconds, 3),
    }
    counted = ", ".join(f"{n:,} {kind.replace('_', ' ')}" for kind, n in classes.items())
    shown = (f"{comparison.agree:,} of {comparison.compared:,} records agree with {reference}"
             + (f" ({counted})" if counted else "") + f" in {comparison.files} file(s)")
    if ran:
        shown += f"; the reference matches the files on {100.0 * run.reference['ok'] / ran:.2f}%"
    if run.problems:
        first = run.problems[0]
        shown += f"; {len(run.problems)} record(s) do not parse (first: {first['file']}:{first['line']})"
    verdict: Verdict = "pass"
    if any(kind in FAILING for kind in classes) or (comparison.failures and not comparison.compared):
        verdict = "fail"
        if comparison.failures and not comparison.compared:
            shown = f"the candidate could not run the corpus: {comparison.failures[0]}"
    elif run.reference_faults:
        verdict = "error"
        shown += f"; the reference failed on {len(run.reference_faults)} record(s)"
    elif run.not_run_files or classes.get("not_run") or not comparison.compared:
        verdict = "inconclusive"
        if run.not_run_files:
            shown += f"; the corpus budget ran out ({len(run.not_run_files)} file(s) not run or not finished)"
        elif not comparison.compared:
            shown = "no corpus record was run"
            if run.problems:  # every record was broken: say where the first one is, and why
                first = run.problems[0]
                where = f"{first['file']}:{first['line']}"
                problem = str(first.get("problem", ""))
                shown += (f": {len(run.problems)} record(s) do not parse (first: "
                          f"{problem if problem.startswith(where) else f'{where}: {problem}'})")
    return CheckResult("corpus", verdict, shown, evidence)


def _versus(statuses: Counter[str]) -> dict[str, Any]:
    ran = sum(n for status, n in statuses.items() if status != "skipped")
    rate = statuses["ok"] / ran if ran else None
    return {"ran": ran, "ok": statuses["ok"], "rate": rate, "statuses": dict(statuses)}
