"""The whole batch: units of work to a backend, each result handed on as it arrives.

``run_batch`` splits the samples into units (``units``), runs them on local
worker processes (``jobs`` at a time) or on a Ray cluster (``ray_backend``),
and calls ``on_result`` with each sample's result the moment it is judged,
so a caller can record it at once (``signoff batch`` writes its checks to
the results store, then its row to the batch table, ``ledger``). Samples a
killed batch had finished are passed in as ``earlier`` and kept, not judged
again, when their program is unchanged. Nothing here prints or records.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from signoff.batch.judge import JudgeOptions, SampleResult
from signoff.batch.samples import Problem, Samples
from signoff.batch.summary import summarize
from signoff.batch.task import Task
from signoff.batch.units import Unit, run_local, split_units
from signoff.errors import SpecError
from signoff.progress import Progress
from signoff.spec import DEFAULT_MEMORY_LIMIT, DEFAULT_TIMEOUT_S
from signoff.store import DEFAULT_STORE
from signoff.verdict import CandidateResult, CheckResult, RunResult, Verdict, combine

SCHEMA = "signoff.batch/1"
DEFAULT_CACHE = DEFAULT_STORE.parent / "cache"  # the reference's outcomes, kept between batches
PHASE = "judging samples"  # the progress phase of a batch
OnResult = Callable[[SampleResult], None]
Finished = Mapping[tuple[str, int], SampleResult]  # by (task_id, index)


@dataclass(frozen=True)
class BatchOptions:
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    backend: Literal["local", "ray"] = "local"
    address: str | None = None  # a Ray cluster; None starts a local one
    timeout_s: float = DEFAULT_TIMEOUT_S  # per call, the least a sample is given
    slowdown: float = 4.0  # a sample may take this many times the reference's slowest call
    reference_timeout_s: float = 60.0
    memory_bytes: int = DEFAULT_MEMORY_LIMIT
    seed: int = 0  # for generated inputs
    cache: Path | None = DEFAULT_CACHE  # None: run every reference again

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise SpecError(f"--jobs must be at least 1, not {self.jobs}")

    def settings(self) -> dict[str, Any]:
        """What can change a verdict: a batch resumes only under the same settings."""
        return {"timeout_s": self.timeout_s, "slowdown": self.slowdown, "seed": self.seed,
                "reference_timeout_s": self.reference_timeout_s, "memory_bytes": self.memory_bytes}


UNJUDGED = "samples"  # the check of a samples file's lines that hold no sample to judge


def unjudged(problems: Sequence[Problem]) -> CheckResult | None:
    """An error check for the lines of the samples file that could not be judged (not JSON, an
    unknown task, no program), so a batch with them never exits 0; None when there are none. A
    task without samples is no such line: it is listed in the summary, not held against the run."""
    lines = [problem for problem in problems if problem.line is not None]
    if not lines:
        return None
    first = lines[0]
    return CheckResult(UNJUDGED, "error", f"{len(lines)} line(s) of the samples file not judged; the first, "
                       f"line {first.line}: {first.message}", {"problems": [p.to_json() for p in lines]})


def sample_target(task_id: str, index: int) -> str:
    """A sample's name as a candidate of the run: ``HumanEval/0#3``."""
    return f"{task_id}#{index}"


@dataclass
class BatchResult:
    results: list[SampleResult]  # in task order, then by index
    problems: list[Problem]
    summary: dict[str, Any]
    batch_id: str | None = None
    run_id: str | None = None
    seed: int = 0

    @property
    def verdict(self) -> Verdict:
        """The worst sample's verdict; an error when there was no sample to judge."""
        return combine(result.verdict for result in self.results) if self.results else "error"

    def as_run(self, reference: str, samples: str = "samples") -> RunResult:
        """The common result type: each sample a candidate (``task_id#index``), its checks as they are
        (what the results store, the HTML and the JUnit reports read); lines of the samples file that
        could not be judged are the ``samples`` candidate's error (``unjudged``). The summary stays
        here."""
        candidates = tuple(CandidateResult(sample_target(r.task_id, r.index), r.checks) for r in self.results)
        unjudged_lines = unjudged(self.problems)
        if unjudged_lines is not None:
            candidates += (CandidateResult(samples, (unjudged_lines,)),)
        return RunResult(reference=reference, seed=self.seed, candidates=candidates,
                         duration_s=float(self.summary.get("duration_s", 0.0)))

    def to_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "batch": self.batch_id, "run": self.run_id, "seed": self.seed,
                "summary": self.summary, "samples": [result.to_json() for result in self.results]}


def run_batch(tasks: Sequence[Task], samples: Samples, options: BatchOptions, *,
              earlier: Finished | None = None, folder: Path | None = None,
              on_result: OnResult | None = None, progress: Progress | None = None) -> BatchResult:
    """Judge every sample not in ``earlier`` (a result there counts when the sample's program is
    unchanged); a BatchResult, never a print. The reference and sample files go to ``folder``
    (replay commands point at them), or to a temporary folder removed afterwards."""
    started = time.monotonic()
    earlier = earlier or {}
    results: list[SampleResult] = []
    todo: list[Unit] = []
    for task in tasks:
        left = []
        for sample in samples.by_task.get(task.task_id, []):
            kept = earlier.get((sample.task_id, sample.index))
            if kept is not None and kept.digest == sample.digest:
                results.append(kept)
            else:
                left.append(sample)
        if left:
            todo.append(Unit(task, tuple(left)))
    total = len(results) + sum(len(unit.samples) for unit in todo)
    if progress:
        progress(PHASE, len(results), total)
    with _work_folder(folder) as where:
        judge = JudgeOptions(where, options.timeout_s, options.slowdown, options.reference_timeout_s,
                             options.memory_bytes, options.seed,
                             options.cache.resolve() if options.cache else None)
        units = split_units(todo, options.jobs)
        if options.backend == "ray":
            from signoff.batch.ray_backend import run_on_ray  # Ray is optional and slow to import

            stream = run_on_ray(units, judge, options.jobs, options.address)
        else:
            stream = run_local(units, judge, options.jobs)
        judged_now = 0
        with closing(stream):  # an interrupt stops the backend before it propagates
            for result in stream:
                if on_result:
                    on_result(result)
                results.append(result)
                judged_now += 1
                if progress:
                    progress(PHASE, len(results), total)
    order = {task.task_id: position for position, task in enumerate(tasks)}
    results.sort(key=lambda result: (order[result.task_id], result.index))
    summary = summarize(results, samples.problems, duration_s=time.monotonic() - started,
                        judged_now=judged_now)
    return BatchResult(results, list(samples.problems), summary, seed=options.seed)


@contextmanager
def _work_folder(folder: Path | None) -> Iterator[Path]:
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        yield folder.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="signoff-batch-") as temporary:
        yield Path(temporary)
