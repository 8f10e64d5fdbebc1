"""Running a spec: start the workers, run each criterion per candidate, judge.

The library entry point is ``check()``; the CLI is a thin layer over it.
Workers for every target are started first, so a target that cannot be found
is a usage error before any check runs, and a candidate that fails to import
is that candidate's failing verdict. A candidate whose answers differ
(``same_results`` failed) is not measured: its cost criteria are skipped,
since the cost of a wrong answer means nothing, unless ``keep_going``.
Criteria that count instructions get their own workers, run under
Callgrind, started when the first of them runs (``_Counting``).
"""

from __future__ import annotations

import base64
import dataclasses
import shlex
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from signoff.criteria import CheckContext, SameResults, Scaling, Speed
from signoff.criteria.base import ReferenceCache
from signoff.criteria.cost import CostContext
from signoff.errors import SpecError, TargetError
from signoff.inputs import Call, check_case, seed_or_fresh
from signoff.measure import preload_scipy
from signoff.outcomes import Difference, Outcome, compare, compare_repeat
from signoff.progress import BudgetProgress
from signoff.runner import instructions
from signoff.runner.batches import run_cases
from signoff.runner.process import Limits, LoadFailure, Worker, counting_worker
from signoff.spec import Spec
from signoff.specfile import LoadedSpec, load_corpus
from signoff.targets import Target, parse_target
from signoff.verdict import CandidateResult, CheckResult, RunResult, timed


@dataclass(frozen=True)
class RunOptions:
    seed: int | None = None
    inputs: Sequence[Path] = ()  # extra supplied-input files (JSONL)
    progress: BudgetProgress | None = None
    on_check: Callable[[str, CheckResult], None] | None = None  # (candidate, result) as each ends
    # Every speed and scaling criterion counts instructions (under Valgrind), whatever the spec says.
    count_instructions: bool = False


def check(
    spec: Spec | LoadedSpec,
    candidates: Sequence[object],
    options: RunOptions | None = None,
    *,
    keep_going: bool = False,
) -> RunResult:
    """Judge each candidate against the spec's reference; a RunResult, never a print.

    A candidate that fails ``same_results`` gets its cost criteria (those that need the
    workload) skipped, not run; ``keep_going=True`` runs them anyway. Its verdict is a fail
    either way.
    """
    options = options or RunOptions()
    loaded = spec if isinstance(spec, LoadedSpec) else None
    spec = loaded.spec if loaded else spec
    assert isinstance(spec, Spec)
    if options.count_instructions:
        spec = counting_instructions(spec)
    if any(getattr(criterion, "measure", "time") == "instructions" for criterion in spec.criteria):
        instructions.require()  # Valgrind and gcc are there, before any worker starts
    targets = [parse_target(c, what="--candidate") for c in candidates]
    if not targets:
        raise SpecError("no candidate: name at least one with --candidate")
    seed = seed_or_fresh(options.seed)
    corpus: list[Call] = []
    for path in (*spec.corpus, *options.inputs):
        corpus.extend(load_corpus(Path(path)))
    preload = {loaded.module_name: str(loaded.path.resolve())} if loaded else {}
    started = time.monotonic()
    if spec.workload is not None and any(c.needs_workload for c in spec.criteria):
        preload_scipy()  # the cost statistics need it; the workers start meanwhile

    reference = _start(Worker(spec.reference_target, _limits(spec), preload), "reference")
    workers: list[Worker | LoadFailure] = []
    counting = _Counting(spec, preload, reference.fingerprint)
    try:
        for target in targets:
            started_worker = Worker(target, _limits(spec), preload)
            failure = started_worker.start()
            if failure is not None and failure.kind == "not_found":
                raise TargetError(f"--candidate {target.text}: {failure.detail}")
            workers.append(failure or started_worker)
        cache = ReferenceCache(reference)
        results = []
        sameness = next((c for c in spec.criteria if isinstance(c, SameResults)), SameResults())
        name = spec.reference_target.qualname.rsplit(".", 1)[-1]
        # Cheap criteria first (each declares its run order); reports keep the spec's order.
        plan = sorted(enumerate(spec.criteria), key=lambda item: item[1].run_order)
        tampering_blamed = False
        for target, worker in zip(targets, workers, strict=True):
            checks: dict[int, CheckResult] = {}
            differs = False  # a same_results check failed: the costs are not worth measuring
            context = None
            if isinstance(worker, Worker):
                cost = None
                if spec.workload is not None:
                    cost = CostContext(reference, worker, spec.workload, sameness.equal,
                                       sameness.exceptions, seed, options.progress,
                                       partial(counting.workers, target))
                context = CheckContext(cache, worker, spec.call_strategy, corpus, seed, name,
                                       _replay_command(loaded, spec, target), options.progress, cost)
            for position, criterion in plan:
                if context is None:
                    assert isinstance(worker, LoadFailure)
                    result = _load_failed(criterion.name, worker)
                elif differs and criterion.needs_workload and not keep_going:
                    result = _not_measured(criterion.name)
                else:
                    result = timed(partial(criterion.check, context))
                    differs |= isinstance(criterion, SameResults) and result.verdict == "fail"
                if not tampering_blamed and reference.file_changed():
                    # The reference's file is hashed after every check: only code run since it
                    # was last the same can have changed it, and that check fails. Later
                    # candidates meet a reference that is never restarted on the new content.
                    result, tampering_blamed = _tampered(criterion.name, reference.target.path), True
                checks[position] = result
                if options.on_check:
                    options.on_check(target.text, result)
            counting.release(target)
            results.append(CandidateResult(target.text, tuple(checks[i] for i in sorted(checks))))
    finally:
        reference.close()
        counting.close()
        for each in workers:
            if isinstance(each, Worker):
                each.close()
    return RunResult(
        reference=spec.reference_target.text, seed=seed, candidates=tuple(results),
        spec=str(loaded.path) if loaded else None, duration_s=time.monotonic() - started,
    )


def counting_instructions(spec: Spec) -> Spec:
    """The spec with every speed and scaling criterion counting instructions."""
    criteria = [dataclasses.replace(c, measure="instructions") if isinstance(c, (Speed, Scaling)) else c
                for c in spec.criteria]
    return dataclasses.replace(spec, criteria=criteria)


@dataclass
class _Counting:
    """The workers that count instructions under Callgrind: the reference's, shared by every
    candidate, and each candidate's, each started when a criterion first counts for it."""

    spec: Spec
    preload: Mapping[str, str]
    reference_fingerprint: str | None  # the reference's file as the run started (``Worker.fingerprint``)
    reference: Worker | None = None
    candidates: dict[str, Worker | LoadFailure] = field(default_factory=dict)

    def workers(self, target: Target) -> tuple[Worker, Worker] | LoadFailure:
        """(reference, candidate) counting workers, or the candidate's failure to load under Valgrind;
        a reference that does not load is a SpecError, as it is without Valgrind."""
        if self.reference is None:
            reference = counting_worker(self.spec.reference_target, _limits(self.spec), self.preload)
            reference.fingerprint = self.reference_fingerprint
            if reference.file_changed():  # the candidate's check that changed it fails for it
                return LoadFailure("changed", f"the reference's file {reference.target.path} changed")
            self.reference = _start(reference, "reference (under Valgrind)")
        if target.text not in self.candidates:
            worker = counting_worker(target, _limits(self.spec), self.preload)
            self.candidates[target.text] = worker.start() or worker
        candidate = self.candidates[target.text]
        return candidate if isinstance(candidate, LoadFailure) else (self.reference, candidate)

    def release(self, target: Target) -> None:
        """Close the candidate's counting worker: its criteria are done."""
        worker = self.candidates.pop(target.text, None)
        if isinstance(worker, Worker):
            worker.close()

    def close(self) -> None:
        for worker in (self.reference, *self.candidates.values()):
            if isinstance(worker, Worker):
                worker.close()


@dataclass(frozen=True)
class Replayed:
    reference: Outcome
    candidate: Outcome
    difference: Difference | None


def replay(
    spec: Spec, candidate: object, case: bytes, *, loaded: LoadedSpec | None = None,
    determinism: bool = True,
) -> Replayed:
    """Run one pickled input on the reference and the candidate again."""
    check_case(case)
    target = parse_target(candidate, what="--candidate")
    preload = {loaded.module_name: str(loaded.path.resolve())} if loaded else {}
    reference = _start(Worker(spec.reference_target, _limits(spec), preload), "reference")
    worker = Worker(target, _limits(spec), preload)
    try:
        failure = worker.start()
        if failure is not None:
            if failure.kind == "not_found":
                raise TargetError(f"--candidate {target.text}: {failure.detail}")
            raise SpecError(f"candidate {target.text} failed to load: {failure.detail}")
        repeat = 2 if determinism else 1
        [[cand], [ref]] = run_cases([(worker, [case], repeat), (reference, [case], 1)])
        criterion = next((c for c in spec.criteria if isinstance(c, SameResults)), SameResults())
        difference = compare(ref[0], cand[0], criterion.equal, criterion.exceptions)
        if difference is None and repeat == 2:
            difference = compare_repeat(cand[0], cand[1])
        return Replayed(Outcome.from_bytes(ref[0]), Outcome.from_bytes(cand[0]), difference)
    finally:
        reference.close()
        worker.close()


def _limits(spec: Spec) -> Limits:
    return Limits(timeout_s=spec.timeout, memory_bytes=spec.memory_limit)


def _start(worker: Worker, role: str) -> Worker:
    failure = worker.start()
    if failure is None:
        return worker
    where = worker.target.text
    if failure.kind == "not_found":
        raise TargetError(f"{role} {where}: {failure.detail}")
    raise SpecError(f"{role} {where} could not be loaded ({failure.kind}): {failure.detail}")


def _tampered(criterion: str, path: str | None) -> CheckResult:
    return CheckResult(criterion, "fail", "the reference's file changed during this check; signoff never "
                       "restarts the reference on changed content", {"reference_changed": path})


def _load_failed(criterion: str, failure: LoadFailure) -> CheckResult:
    return CheckResult(criterion, "fail", f"candidate {failure.summary}",
                       {"load_failure": failure.kind, "detail": failure.detail})


def _not_measured(criterion: str) -> CheckResult:
    return CheckResult(criterion, "skipped",
                       "not measured: the candidate's answers differ from the reference's "
                       "(same_results failed); --keep-going measures it anyway")


def _replay_command(loaded: LoadedSpec | None, spec: Spec, target: Target) -> Callable[[bytes], str]:
    if loaded is not None:
        source = ["--spec", str(loaded.path)]
    else:
        source = ["--reference", spec.reference_target.text]

    def command(case: bytes) -> str:
        encoded = base64.b64encode(case).decode("ascii")
        words = ["signoff", "replay", *source, "--candidate", target.text, "--case", encoded]
        return shlex.join(words)

    return command
