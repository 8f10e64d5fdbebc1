"""``signoff sql`` as a library call: engines, corpus and invariants in, a ``RunResult`` out.

``run_sql(SqlOptions(candidates=["turso"]))`` starts one worker per engine,
runs the sqllogictest corpus on all of them at once and compares each
candidate with the reference (one ``corpus`` check), then runs each
performance invariant for each candidate (one check per invariant). Nothing
is printed; the command (``command.py``) renders the result.

The default corpus is a sample of the shared corpus (``DEFAULT_SAMPLE``, about
11,000 records, a few seconds on SQLite), found at
``<repository>/../shared/data/sqllogictest`` when it is there; ``--corpus``
names files or folders (every ``*.test`` below) instead.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from signoff.errors import SpecError, TargetError
from signoff.runner.process import LoadFailure
from signoff.suites.sql.corpus import corpus_check, run_corpus
from signoff.suites.sql.engines import resolve_engine
from signoff.suites.sql.invariants import INVARIANTS, Judge, check_invariant, parse_threshold
from signoff.suites.sql.workers import DEFAULT_TIMEOUT_S, SqlWorker, WorkerPool
from signoff.verdict import CandidateResult, CheckResult, RunResult

SHARED_CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "sqllogictest"
DEFAULT_SAMPLE = (
    "evidence/in1.test", "evidence/in2.test", "evidence/slt_lang_aggfunc.test",
    "evidence/slt_lang_createtrigger.test", "evidence/slt_lang_createview.test",
    "evidence/slt_lang_dropindex.test", "evidence/slt_lang_droptable.test",
    "evidence/slt_lang_droptrigger.test", "evidence/slt_lang_dropview.test",
    "evidence/slt_lang_reindex.test", "evidence/slt_lang_replace.test", "evidence/slt_lang_update.test",
    "select1.test", "select2.test", "select3.test", "index/random/1000/slt_good_4.test",
    "index/commute/10/slt_good_10.test",
)
DEFAULT_CORPUS_BUDGET_S = 90.0
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SqlOptions:
    candidates: Sequence[str]
    reference: str = "sqlite3"
    corpus: Sequence[Path] | None = None  # None: the default sample; empty: no corpus
    invariants: Sequence[str] | None = None  # None: every invariant; empty: none
    thresholds: Mapping[str, str] = field(default_factory=dict)  # invariant -> threshold text
    budget_s: float | None = None  # per invariant; None: each invariant's default
    corpus_budget_s: float | None = DEFAULT_CORPUS_BUDGET_S
    timeout_s: float = DEFAULT_TIMEOUT_S  # per record, per unit of work
    seed: int | None = None
    progress: Progress | None = None


def corpus_files(paths: Sequence[Path] | None) -> list[tuple[Path, str]]:
    """The ``.test`` files to run, each with the name the report shows; SpecError for a missing path."""
    if paths is None:
        if not SHARED_CORPUS.is_dir():
            return []
        chosen = [SHARED_CORPUS / name for name in DEFAULT_SAMPLE if (SHARED_CORPUS / name).is_file()]
        return [(path, path.relative_to(SHARED_CORPUS).as_posix()) for path in chosen]
    files: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.rglob("*.test"))
            if not found:
                raise SpecError(f"--corpus {path}: no .test files in this folder")
            files.extend((each, each.relative_to(path).as_posix()) for each in found)
        elif path.is_file():
            files.append((path, str(path)))
        else:
            raise SpecError(f"--corpus {path}: no such file or folder")
    return files


def _validate(options: SqlOptions) -> tuple[list[str], dict[str, float | str]]:
    if not options.candidates:
        raise SpecError("no candidate: name one with --candidate ENGINE (sqlite3, turso, libsql, duckdb, "
                        "apsw) or --candidate module:factory")
    names = list(INVARIANTS) if options.invariants is None else list(options.invariants)
    unknown = [name for name in names if name not in INVARIANTS]
    if unknown:
        raise SpecError(f"unknown invariant {unknown[0]!r}: choose from {', '.join(INVARIANTS)}")
    thresholds: dict[str, float | str] = {}
    for name, text in options.thresholds.items():
        if name not in INVARIANTS:
            raise SpecError(f"--threshold {name}=...: unknown invariant; choose from {', '.join(INVARIANTS)}")
        thresholds[name] = parse_threshold(INVARIANTS[name], text)
    if options.budget_s is not None and not options.budget_s > 0:
        raise SpecError(f"--budget must be a number of seconds > 0, not {options.budget_s}")
    if not options.timeout_s > 0:
        raise SpecError(f"--timeout must be a number of seconds > 0, not {options.timeout_s}")
    return names, thresholds


def run_sql(options: SqlOptions) -> RunResult:
    """Judge each candidate engine against the reference engine (see the module docstring)."""
    names, thresholds = _validate(options)
    reference_engine = resolve_engine(options.reference)
    candidate_engines = [resolve_engine(text) for text in options.candidates]
    files = corpus_files(options.corpus)
    seed = options.seed if options.seed is not None else random.randrange(2**32)
    started = time.monotonic()
    with WorkerPool(options.timeout_s) as pool:
        reference = pool.start(reference_engine, "reference")
        if isinstance(reference, LoadFailure):
            raise SpecError(f"reference {options.reference} could not be started: {reference.detail}")
        workers: list[SqlWorker | LoadFailure] = []
        for text, engine in zip(options.candidates, candidate_engines, strict=True):
            worker = pool.start(engine, "candidate")
            if isinstance(worker, LoadFailure) and worker.kind == "not_found":
                raise TargetError(f"--candidate {text}: {worker.detail}")
            workers.append(worker)
        running = [w for w in workers if isinstance(w, SqlWorker)]
        checks: dict[int, list[CheckResult]] = {id(w): [] for w in workers}
        if files and running:
            run = run_corpus(files, reference, running, budget_s=options.corpus_budget_s,
                             progress=options.progress)
            for worker, comparison in zip(running, run.comparisons, strict=True):
                checks[id(worker)].append(corpus_check(run, comparison, options.reference))
        for worker in running:
            judge = Judge(reference, worker, seed, options.progress)
            for name in names:
                checks[id(worker)].append(check_invariant(
                    INVARIANTS[name], judge, threshold=thresholds.get(name), budget_s=options.budget_s))
        results = []
        for text, worker in zip(options.candidates, workers, strict=True):
            if isinstance(worker, LoadFailure):
                last = worker.detail.strip().splitlines()[-1] if worker.detail.strip() else worker.kind
                failed = CheckResult("load", "fail", f"the candidate engine could not be started: {last}",
                                     {"load_failure": worker.kind, "detail": worker.detail})
                results.append(CandidateResult(text, (failed,)))
            else:
                versions = {"reference": reference.version, "candidate": worker.version}
                results.append(CandidateResult(text, tuple(
                    replace(check, evidence={**check.evidence, "versions": versions})
                    for check in checks[id(worker)])))
    reference_text = options.reference + (f" ({reference.version})" if reference.version else "")
    return RunResult(reference=reference_text, seed=seed, candidates=tuple(results),
                     duration_s=time.monotonic() - started)
