"""One task's samples judged against one reference worker.

``judge_task`` is the unit of work of every backend: it writes the reference
and each sample to files, runs the reference once on all supplied inputs
(timed, so a sample's time limit follows the reference's slowest call, as in
EvalPlus), then judges each sample in its own worker process:

1. base inputs, each call repeated once (a sample must agree with itself);
2. plus inputs, once the base inputs pass;
3. generated inputs (``same_results`` with shrinking), when the task has a strategy;
4. its speed against the reference (``speed``), when the task has a workload and the
   sample passed 1-3, on the same two workers (``batch.speed``).

A phase stops at the first batch of inputs with a difference: the verdict is
decided, and the evidence is the smallest differing input of that batch. A
sample that crashes, hangs or exhausts memory costs only its own verdict.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import re
import shlex
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from signoff.batch import cache
from signoff.batch.evalplus import accepts
from signoff.batch.samples import Sample
from signoff.batch.speed import check_sample_speed
from signoff.batch.task import Task
from signoff.criteria.base import ReferenceCache
from signoff.criteria.same_results import Failure, SameResults, check_same_results
from signoff.equality import Equality, decode
from signoff.errors import SpecError
from signoff.outcomes import FATAL, Difference, Outcome, compare, compare_repeat
from signoff.runner.batches import run_cases
from signoff.runner.process import Limits, LoadFailure, Worker
from signoff.spec import DEFAULT_MEMORY_LIMIT, DEFAULT_TIMEOUT_S
from signoff.targets import parse_target
from signoff.verdict import CheckResult, Verdict, combine, timed

BATCH_SIZE = 256  # inputs per request to a sample's worker
MAX_TIMING_CHUNK = 256  # reference inputs per timed request, at most
SLOW_CHUNK_S = 0.1  # a timed request this slow: time the next inputs one at a time
MAX_LISTED = 5
MAX_RENDERED = 1000  # characters of an input in the evidence (the exact input is in "case")
_HYPOTHESIS = threading.Lock()


@dataclass(frozen=True)
class JudgeOptions:
    folder: Path  # where the reference and sample files are written
    timeout_s: float = DEFAULT_TIMEOUT_S  # per call: the least a sample is given
    slowdown: float = 4.0  # ...or this many times the reference's slowest call, if more
    reference_timeout_s: float = 60.0  # per reference call
    memory_bytes: int = DEFAULT_MEMORY_LIMIT  # per worker
    seed: int = 0  # for generated inputs
    cache: Path | None = None  # where the reference's outcomes are kept between batches


@dataclass(frozen=True)
class SampleResult:
    """One sample's verdicts: on the base inputs alone, and under signoff's criteria."""

    task_id: str
    index: int
    base_verdict: Verdict | None  # None when the task has no base inputs
    checks: tuple[CheckResult, ...]
    duration_s: float = 0.0
    digest: str = ""
    node: str = ""  # where it was judged: the Ray node's id with --backend ray, else empty

    @property
    def verdict(self) -> Verdict:
        return combine(check.verdict for check in self.checks)

    @property
    def plausible_but_wrong(self) -> bool:
        return self.base_verdict == "pass" and self.verdict == "fail"

    def to_json(self) -> dict[str, Any]:
        data = {"task_id": self.task_id, "index": self.index, "verdict": self.verdict,
                "base_verdict": self.base_verdict, "duration_s": round(self.duration_s, 3),
                "checks": [check.to_json() for check in self.checks]}
        return data | ({"node": self.node} if self.node else {})

    @classmethod
    def from_json(cls, data: dict[str, Any], digest: str = "") -> SampleResult:
        checks = tuple(CheckResult(c["criterion"], c["verdict"], c["summary"], c.get("evidence", {}))
                       for c in data["checks"])
        return cls(data["task_id"], data["index"], data.get("base_verdict"), checks,
                   float(data.get("duration_s", 0.0)), digest, str(data.get("node", "")))


class _AnyValue(Equality):
    """Every value counts as the reference's (an oracle has accepted it); the rest is still compared."""

    name = "oracle"

    def same(self, reference: Any, candidate: Any) -> bool:
        return True


@dataclass
class _Context:
    task: Task
    options: JudgeOptions
    reference: Worker | None  # started only when needed: no outcomes cached, or generated inputs
    reference_path: Path
    outcomes: dict[bytes, bytes]  # the reference's outcome per pickled input
    unfinished: set[bytes]  # the inputs the reference could not finish (crash, timeout...)
    timeout_s: float


def judge_task(task: Task, samples: Sequence[Sample], options: JudgeOptions,
               stop: Callable[[], bool] = lambda: False) -> Iterator[SampleResult]:
    """Each sample's result, in order, as soon as it is judged."""
    folder = options.folder / _slug(task.task_id)
    reference_path = _write(folder / "reference" / "reference.py", task.reference)
    cases = [call.case(f"an input of task {task.task_id}") for call in (*task.base_inputs, *task.plus_inputs)]
    key = cache.cache_key(task.reference, task.entry_point, cases, options.reference_timeout_s,
                          options.memory_bytes)
    known = cache.load(options.cache, key) if options.cache else None
    reference = None
    if known is None or task.call_strategy is not None or task.workload is not None:
        limits = Limits(timeout_s=options.reference_timeout_s, memory_bytes=options.memory_bytes)
        reference = Worker(parse_target(f"{reference_path}:{task.entry_point}"), limits)
        failure = reference.start()
        if failure is not None and failure.kind in ("import_failed", "not_found"):
            # The task file is wrong, not any sample: bad input, which stops the batch (exit 2).
            raise SpecError(f"task {task.task_id}: its reference {failure.summary}")
        if failure is not None:  # it crashed or hung while importing: judged as an error, not stopped
            text = f"the reference of {task.task_id} {failure.summary}"
            check = CheckResult(SameResults.name, "error", text, {"load_failure": failure.kind,
                                                                "detail": failure.detail})
            for sample in samples:
                yield SampleResult(task.task_id, sample.index, "error", (check,), 0.0, sample.digest)
            return
    try:
        if known is None:
            assert reference is not None
            known = cache.ReferenceOutcomes(*_reference_pass(reference, cases))
            if options.cache:
                cache.save(options.cache, key, known)
        timeout = max(options.timeout_s, options.slowdown * known.slowest_s)
        context = _Context(task, options, reference, reference_path, known.outcomes, known.unfinished,
                           timeout)
        base_cases, plus_cases = cases[:len(task.base_inputs)], cases[len(task.base_inputs):]
        for sample in samples:
            if stop():
                return
            yield _judge_sample(context, sample, folder, base_cases, plus_cases)
    finally:
        if reference is not None:
            reference.close()


def _reference_pass(worker: Worker, cases: list[bytes]) -> tuple[dict[bytes, bytes], set[bytes], float]:
    """The reference's outcome on every input, the inputs it could not finish, and (an upper
    bound of) its slowest call in seconds.

    Inputs go in requests of 1, 2, 4, ... inputs while requests stay fast, and one at a
    time again after a slow one: a slow call is timed alone, fast ones cost no round trip each.
    """
    unique = list(dict.fromkeys(cases))
    outcomes: dict[bytes, bytes] = {}
    unfinished: set[bytes] = set()
    slowest, size, start = 0.0, 1, 0
    while start < len(unique):
        chunk = unique[start:start + size]
        started = time.perf_counter()
        [results] = run_cases([(worker, chunk, 1)])
        elapsed = time.perf_counter() - started
        for case, (outcome,) in zip(chunk, results, strict=True):
            outcomes[case] = outcome
            if Outcome.from_bytes(outcome, values=False).status in FATAL:
                unfinished.add(case)
        # An input the reference cannot finish is skipped, not a time for a sample to match.
        if not unfinished.intersection(chunk):
            slowest = max(slowest, elapsed)
        start += len(chunk)
        size = 1 if elapsed > SLOW_CHUNK_S else min(size * 2, MAX_TIMING_CHUNK)
    return outcomes, unfinished, slowest


def _judge_sample(context: _Context, sample: Sample, folder: Path, base_cases: list[bytes],
                  plus_cases: list[bytes]) -> SampleResult:
    started = time.monotonic()
    task = context.task
    path = _write(folder / f"sample-{sample.index}" / "candidate.py", sample.source)
    limits = Limits(timeout_s=context.timeout_s, memory_bytes=context.options.memory_bytes)
    worker = Worker(parse_target(f"{path}:{task.entry_point}"), limits)
    replay = _replay(context.reference_path, path, task.entry_point)
    failure = worker.start()
    if failure is not None:
        check = timed(partial(_load_failed, failure, task.entry_point), since=started)
        base_verdict: Verdict | None = check.verdict if task.base_inputs else None
        return SampleResult(task.task_id, sample.index, base_verdict, (check,),
                            time.monotonic() - started, sample.digest)
    try:
        checks: list[CheckResult] = []
        base_verdict = None
        if task.base_inputs:
            base = timed(partial(_supplied, context, worker, "base", task.base_inputs, base_cases, 2, replay),
                         since=started)  # the worker's start counts to the first check
            checks.append(base)
            base_verdict = base.verdict
        if task.plus_inputs and base_verdict != "fail":
            checks.append(timed(partial(_supplied, context, worker, "plus", task.plus_inputs, plus_cases, 1,
                                        replay)))
        if task.call_strategy is not None and task.examples and combine(c.verdict for c in checks) != "fail":
            checks.append(timed(partial(_generated, context, worker, replay)))
        if task.workload is not None and combine(c.verdict for c in checks) == "pass":
            assert context.reference is not None  # started for every task with a workload
            checks.append(timed(partial(check_sample_speed, task, context.reference, worker,
                                        context.options.seed)))
    finally:
        worker.close()
    return SampleResult(task.task_id, sample.index, base_verdict, tuple(checks),
                        time.monotonic() - started, sample.digest)


def _supplied(context: _Context, worker: Worker, phase: str, calls: Sequence[Any], cases: list[bytes],
              repeat: int, replay: Callable[[bytes], str]) -> CheckResult:
    """``same_results`` on supplied inputs, in batches, stopping after the first batch that differs."""
    task = context.task
    failures: list[tuple[int, Failure]] = []
    kinds: Counter[str] = Counter()
    done = skipped = 0
    while done < len(cases) and not failures:
        chunk = cases[done:done + BATCH_SIZE]
        # After a crash or hang the batch ends there; the next request starts after it.
        [results] = run_cases([(worker, chunk, repeat)], stop_after_fatal=True)
        for position, outcomes in enumerate(results, done):
            if cases[position] in context.unfinished:
                skipped += 1  # the reference cannot finish it: not evidence
                continue
            reference = context.outcomes[cases[position]]
            difference = _difference(task, calls[position], reference, outcomes)
            if difference is not None:
                failures.append((position, Failure(calls[position], cases[position], reference,
                                                   outcomes[0], difference)))
                kinds[difference.kind] += 1
        done += len(results)
    evidence: dict[str, Any] = {"inputs": phase, "supplied": done, "generated": 0, "skipped": skipped,
                                "equal": task.equal.describe(), "timeout_s": round(context.timeout_s, 3)}
    if task.oracle:
        evidence["oracle"] = task.oracle
    if failures:
        position, smallest = min(failures, key=lambda item: len(item[1].call.render()))
        evidence |= _evidence(smallest, task.entry_point, replay) | {"input_index": position}
        evidence["differences"] = dict(kinds)
        evidence["more"] = [{"input": _render(f.call, task.entry_point, 200), "input_index": i,
                             "summary": f.difference.summary}
                            for i, f in failures[:MAX_LISTED] if f is not smallest]
        counts = ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())
        return CheckResult(SameResults.name, "fail",
                           f"{phase} inputs: {smallest.difference.kind} on "
                           f"{_render(smallest.call, task.entry_point, 200)}: "
                           f"{smallest.difference.summary} ({counts} in {done} inputs)", evidence)
    if done == 0:
        return CheckResult(SameResults.name, "error", f"{phase} inputs: none", evidence)
    if skipped == done:
        return CheckResult(SameResults.name, "error",
                           f"{phase} inputs: the reference itself failed on every input", evidence)
    note = f" ({skipped} skipped: the reference failed on them)" if skipped else ""
    return CheckResult(SameResults.name, "pass", f"{phase} inputs: same outcomes on {done} inputs{note}",
                       evidence)


def _difference(task: Task, call: Any, reference: bytes, outcomes: tuple[bytes, ...]) -> Difference | None:
    difference = compare(reference, outcomes[0], task.equal, "type")
    if difference is not None and difference.kind == "value" and task.oracle:
        expected, got = Outcome.from_bytes(reference), Outcome.from_bytes(outcomes[0])
        if accepts(task.oracle, call.args, decode(expected.detail[0]), decode(got.detail[0]), task.atol):
            difference = compare(reference, outcomes[0], _AnyValue(), "type")  # a mutation still counts
    if difference is None and len(outcomes) == 2:
        difference = compare_repeat(outcomes[0], outcomes[1])
    return difference


def _generated(context: _Context, worker: Worker, replay: Callable[[bytes], str]) -> CheckResult:
    task = context.task
    assert task.call_strategy is not None and context.reference is not None
    criterion = SameResults(examples=task.examples, equal=task.equal)
    with _HYPOTHESIS:  # Hypothesis keeps global state: one generating thread at a time
        result = check_same_results(criterion, reference=ReferenceCache(context.reference, context.outcomes),
                                    candidate=worker, strategy=task.call_strategy, corpus=(),
                                    seed=context.options.seed, name=task.entry_point, replay=replay)
    return dataclasses.replace(result, summary=f"generated inputs: {result.summary}",
                               evidence={"inputs": "generated", **result.evidence})


def _evidence(failure: Failure, name: str, replay: Callable[[bytes], str]) -> dict[str, Any]:
    return {
        "input": _render(failure.call, name, MAX_RENDERED),
        "kind": failure.difference.kind,
        "reference": Outcome.from_bytes(failure.reference).to_json(),
        "candidate": Outcome.from_bytes(failure.candidate).to_json(),
        "case": base64.b64encode(failure.case).decode("ascii"),
        "replay": replay(failure.case),
    }


def _load_failed(failure: LoadFailure, entry_point: str) -> CheckResult:
    if failure.kind == "not_found":
        text = f"the sample defines no function {entry_point}: {failure.detail.strip()}"
    else:
        text = f"the sample {failure.summary}"
    return CheckResult(SameResults.name, "fail", text, {"load_failure": failure.kind,
                                                      "detail": failure.detail})


def _replay(reference: Path, candidate: Path, entry_point: str) -> Callable[[bytes], str]:
    def command(case: bytes) -> str:
        return shlex.join(["signoff", "replay", "--reference", f"{reference}:{entry_point}",
                           "--candidate", f"{candidate}:{entry_point}",
                           "--case", base64.b64encode(case).decode("ascii")])
    return command


def _render(call: Any, name: str, limit: int) -> str:
    text: str = call.render(name)
    return text if len(text) <= limit else text[:limit - 4] + "...)"




def _slug(task_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", task_id)


def _write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically, unless it already holds it (two chunks of a task
    may write the same reference at once)."""
    path = path.resolve()
    try:
        if path.read_text(encoding="utf-8", errors="surrogatepass") == text:
            return path
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".", suffix=".py", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8", errors="surrogatepass") as file:
        file.write(text)
    os.replace(temporary, path)
    return path
