"""``signoff sql`` as a library call: engines, corpus and invariants in, a ``RunResult`` out.

``run_sql(SqlOptions(candidates=["turso"]))`` starts one worker per engine,
runs the sqllogictest corpus on all of them at once and compares each
candidate with the reference (one ``corpus`` check), then for each candidate
runs Hypothesis-generated scripts on both engines (``generated``), the TLP
and NoREC oracles on the candidate (``metamorphic``), and each performance
invariant (one check per invariant). Nothing is printed; the command
(``signoff.cli.sql``) renders the result.

The corpus is given, never looked for: ``corpus`` names ``.test`` files and
folders (every ``*.test`` below a folder, named relative to it in the
report). ``sample`` takes only those files of each folder: ``DEFAULT_SAMPLE``
is a sample of SQLite's sqllogictest corpus (about 11,000 records, a few
seconds on SQLite), which ``signoff sql`` runs by default on the copy it finds
beside a checkout.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from signoff.errors import SpecError, TargetError
from signoff.inputs import seed_or_fresh
from signoff.measure import preload_scipy
from signoff.progress import Progress
from signoff.runner.process import LoadFailure
from signoff.sql import differential, metamorphic
from signoff.sql.corpus import corpus_check, run_corpus
from signoff.sql.engines import resolve_engine
from signoff.sql.invariants import INVARIANTS, check_invariant, parse_threshold
from signoff.sql.judge import Judge
from signoff.sql.workers import DEFAULT_TIMEOUT_S, SqlWorker, WorkerPool
from signoff.verdict import CandidateResult, CheckResult, RunResult, timed

DEFAULT_SAMPLE = (  # files of SQLite's sqllogictest corpus, relative to its root
    "evidence/in1.test", "evidence/in2.test", "evidence/slt_lang_aggfunc.test",
    "evidence/slt_lang_createtrigger.test", "evidence/slt_lang_createview.test",
    "evidence/slt_lang_dropindex.test", "evidence/slt_lang_droptable.test",
    "evidence/slt_lang_droptrigger.test", "evidence/slt_lang_dropview.test",
    "evidence/slt_lang_reindex.test", "evidence/slt_lang_replace.test", "evidence/slt_lang_update.test",
    "select1.test", "select2.test", "select3.test", "index/random/1000/slt_good_4.test",
    "index/commute/10/slt_good_10.test",
)
DEFAULT_CORPUS_BUDGET_S = 90.0


@dataclass(frozen=True)
class SqlOptions:
    candidates: Sequence[str]
    reference: str = "sqlite3"
    corpus: Sequence[Path] = ()  # .test files and folders of them; empty: no corpus
    sample: Sequence[str] | None = None  # only these files of each corpus folder (DEFAULT_SAMPLE)
    invariants: Sequence[str] | None = None  # None: every invariant; empty: none
    thresholds: Mapping[str, str] = field(default_factory=dict)  # invariant -> threshold text
    budget_s: float | None = None  # per invariant and generated check; None: each one's default
    queries: int = differential.DEFAULT_EXAMPLES  # generated scripts, and TLP/NoREC instances; 0: none
    corpus_budget_s: float | None = DEFAULT_CORPUS_BUDGET_S
    timeout_s: float = DEFAULT_TIMEOUT_S  # per record, per unit of work
    seed: int | None = None
    progress: Progress | None = None
    on_check: Callable[[str, CheckResult], None] | None = None  # each check as it ends: (candidate, check)


def corpus_files(paths: Sequence[Path], sample: Sequence[str] | None = None) -> list[tuple[Path, str]]:
    """The ``.test`` files to run, each with the name the report shows; SpecError for a missing path.
    A folder gives every ``*.test`` below it, or with ``sample`` those of its files that it has."""
    files: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            if sample is not None:
                files.extend((path / name, name) for name in sample if (path / name).is_file())
                continue
            found = sorted(path.rglob("*.test"))
            if not found:
                raise SpecError(f"--corpus {path}: no .test files in this folder")
            files.extend((each, each.relative_to(path).as_posix()) for each in found)
        elif path.is_file():
            if path.suffix != ".test":
                raise SpecError(f"--corpus {path}: not a sqllogictest file (a .test file, or a folder "
                                "of them)")
            files.append((path, str(path)))
        else:
            raise SpecError(f"--corpus {path}: no such file or folder")
    return files


def validate(options: SqlOptions) -> tuple[list[str], dict[str, float | str]]:
    """The invariants to run and their thresholds; SpecError (or TargetError) for anything wrong."""
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
    if options.queries < 0:
        raise SpecError(f"--queries must be a number >= 0, not {options.queries}")
    if not options.timeout_s > 0:
        raise SpecError(f"--timeout must be a number of seconds > 0, not {options.timeout_s}")
    for engine in (options.reference, *options.candidates):
        resolve_engine(engine)  # TargetError for an unknown or missing engine
    if not corpus_files(options.corpus, options.sample) and not options.queries and not names:
        raise SpecError("nothing to check: no corpus (none given or found), --queries 0 and no invariant; "
                        "give --corpus PATH, --queries N or --invariant NAME")
    return names, thresholds


def run_sql(options: SqlOptions) -> RunResult:
    """Judge each candidate engine against the reference engine (see the module docstring)."""
    names, thresholds = validate(options)
    reference_engine = resolve_engine(options.reference)
    candidate_engines = [resolve_engine(text) for text in options.candidates]
    files = corpus_files(options.corpus, options.sample)
    seed = seed_or_fresh(options.seed)
    started = time.monotonic()
    if names:
        preload_scipy()  # the invariants' statistics need it; the corpus runs meanwhile
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
        texts = {id(w): text for text, w in zip(options.candidates, workers, strict=True)}
        checks: dict[int, list[CheckResult]] = {id(w): [] for w in workers}

        def ended(worker: SqlWorker | LoadFailure, check: CheckResult) -> None:
            if isinstance(worker, SqlWorker):
                versions = {"reference": reference.version, "candidate": worker.version}
                check = replace(check, evidence={**check.evidence, "versions": versions})
            checks[id(worker)].append(check)
            if options.on_check:
                options.on_check(texts[id(worker)], check)

        for worker in workers:
            if isinstance(worker, LoadFailure):
                last = worker.detail.strip().splitlines()[-1] if worker.detail.strip() else worker.kind
                shown = f"the candidate engine could not be started: {last}"
                ended(worker, CheckResult("load", "fail", shown,
                                          {"load_failure": worker.kind, "detail": worker.detail}))
        if not files:  # --no-corpus: said in every report, not silently left out
            for worker in running:
                ended(worker, CheckResult("corpus", "skipped", "no corpus run (--no-corpus)"))
        if files and running:
            began = time.monotonic()
            run = run_corpus(files, reference, running, budget_s=options.corpus_budget_s,
                             progress=options.progress)
            for worker, comparison in zip(running, run.comparisons, strict=True):  # all ran at once
                ended(worker, timed(partial(corpus_check, run, comparison, options.reference), since=began))
        for worker in running:
            for check in _generated_checks(reference, worker, seed, options):
                ended(worker, check)
            judge = Judge(reference, worker, seed, options.progress)
            for name in names:
                ended(worker, timed(partial(check_invariant, INVARIANTS[name], judge,
                                            threshold=thresholds.get(name), budget_s=options.budget_s)))
        results = tuple(CandidateResult(texts[id(w)], tuple(checks[id(w)])) for w in workers)
    reference_text = options.reference + (f" ({reference.version})" if reference.version else "")
    return RunResult(reference=reference_text, seed=seed, candidates=results,
                     duration_s=time.monotonic() - started)


def _generated_checks(reference: SqlWorker, candidate: SqlWorker, seed: int,
                      options: SqlOptions) -> list[CheckResult]:
    """The ``generated`` and ``metamorphic`` checks of one candidate; skipped when ``queries`` is 0."""
    if not options.queries:
        return [CheckResult(name, "skipped", "no generated queries (--queries 0)")
                for name in ("generated", "metamorphic")]
    generated = timed(lambda: differential.check_generated(
        reference, candidate, seed=seed, examples=options.queries,
        budget_s=options.budget_s or differential.DEFAULT_BUDGET_S, progress=options.progress))
    oracles = timed(lambda: metamorphic.check_metamorphic(
        reference, candidate, seed=seed, examples=options.queries,
        budget_s=options.budget_s or metamorphic.DEFAULT_BUDGET_S, progress=options.progress))
    return [generated, oracles]
