"""The whole batch: units of work to a backend, each finished sample recorded at once.

A unit is one task with some of its samples: one reference worker serves all
of them, so the reference runs once per unit, not once per sample. Units
run in parallel on local worker processes (``jobs`` at a time, one sample
each) or on a Ray cluster (``ray_backend``); a unit's samples always run on
one node, one after the other. Each result is recorded, as it arrives, in the
results store (its checks, for ``history``/``report``/``compare``) and in the
batch table (the sample is finished), so ``--resume`` picks a killed batch up
where it stopped.
"""

from __future__ import annotations

import os
import queue
import shlex
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from signoff.batch.judge import JudgeOptions, SampleResult, judge_task
from signoff.batch.ledger import BATCH_DB, Batch, BatchProgress
from signoff.batch.samples import Problem, Sample, Samples
from signoff.batch.summary import summarize
from signoff.batch.tasks import Task
from signoff.environment import capture_environment
from signoff.errors import SpecError
from signoff.spec import DEFAULT_MEMORY_LIMIT, DEFAULT_TIMEOUT_S
from signoff.store import DEFAULT_STORE, Store, StoreError
from signoff.verdict import EXIT_CODES, CheckResult, combine

SCHEMA = "signoff.batch/1"
DEFAULT_CACHE = DEFAULT_STORE.parent / "cache"  # the reference's outcomes, kept between batches
OnResult = Callable[[SampleResult, int, int], None]  # (result, done, total)


@dataclass(frozen=True)
class BatchOptions:
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    backend: Literal["local", "ray"] = "local"
    address: str | None = None  # a Ray cluster; None starts a local one
    timeout_s: float = DEFAULT_TIMEOUT_S  # per call, the least a sample is given
    slowdown: float = 4.0  # a sample may take this many times the reference's slowest call
    reference_timeout_s: float = 60.0
    memory_bytes: int = DEFAULT_MEMORY_LIMIT
    seed: int = 0
    store: Path | None = DEFAULT_STORE  # None: record nothing (and no --resume)
    cache: Path | None = DEFAULT_CACHE  # None: run every reference again
    resume: bool = False
    command: str = "signoff batch"

    def settings(self) -> dict[str, Any]:
        """What can change a verdict: a batch resumes only under the same settings."""
        return {"timeout_s": self.timeout_s, "slowdown": self.slowdown, "seed": self.seed,
                "reference_timeout_s": self.reference_timeout_s, "memory_bytes": self.memory_bytes}


@dataclass(frozen=True)
class Unit:
    task: Task
    samples: tuple[Sample, ...]


@dataclass
class BatchResult:
    results: list[SampleResult]  # in task order, then by index
    problems: list[Problem]
    summary: dict[str, Any]
    batch_id: str | None = None
    run_id: str | None = None

    @property
    def exit_code(self) -> int:
        """0 every sample passed, 1 one failed, 3 none failed but one could not be judged."""
        if not self.results:
            return EXIT_CODES["error"]
        return EXIT_CODES[combine(result.verdict for result in self.results)]

    def to_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "batch": self.batch_id, "run": self.run_id, "summary": self.summary,
                "samples": [result.to_json() for result in self.results]}


def run_batch(tasks: Sequence[Task], samples: Samples, options: BatchOptions, *,
              tasks_path: Path, samples_path: Path, on_result: OnResult | None = None) -> BatchResult:
    """Judge every sample; a BatchResult, never a print."""
    if options.jobs < 1:
        raise SpecError(f"--jobs must be at least 1, not {options.jobs}")
    if options.resume and options.store is None:
        raise SpecError("--resume needs the results store (leave out --no-store)")
    started = time.monotonic()
    recorder = _Recorder.open(options, tasks_path, samples_path) if options.store else None
    try:
        earlier = recorder.finished() if recorder else {}
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
        with _work_folder(recorder) as folder:
            judge = JudgeOptions(folder, options.timeout_s, options.slowdown, options.reference_timeout_s,
                                 options.memory_bytes, options.seed,
                                 options.cache.resolve() if options.cache else None)
            units = _split(todo, options.jobs)
            if options.backend == "ray":
                from signoff.batch.ray_backend import run_on_ray

                stream = run_on_ray(units, judge, options.jobs, options.address)
            else:
                stream = run_local(units, judge, options.jobs)
            judged_now = 0
            with closing(stream):  # an interrupt stops the backend before it propagates
                for result in stream:
                    if recorder:
                        recorder.record(result)
                    results.append(result)
                    judged_now += 1
                    if on_result:
                        on_result(result, len(results), total)
        order = {task.task_id: position for position, task in enumerate(tasks)}
        results.sort(key=lambda result: (order[result.task_id], result.index))
        duration = time.monotonic() - started
        summary = summarize(results, samples.problems, duration_s=duration, judged_now=judged_now)
        if recorder:
            recorder.finish(results, duration)
        return BatchResult(results, list(samples.problems), summary,
                           recorder.batch.id if recorder else None, recorder.run_id if recorder else None)
    finally:
        if recorder:
            recorder.close()


def run_local(units: Sequence[Unit], options: JudgeOptions, jobs: int) -> Generator[SampleResult, None, None]:
    """Results as they finish, ``jobs`` units at a time, each in a thread driving its workers."""
    stop = threading.Event()
    finished: queue.Queue[SampleResult | None] = queue.Queue()

    def work(unit: Unit) -> None:
        try:
            for result in guarded(unit, options, stop.is_set):
                finished.put(result)
        finally:
            finished.put(None)

    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="signoff-batch")
    try:
        for unit in units:
            pool.submit(work, unit)
        running = len(units)
        while running:
            item = finished.get()
            if item is None:
                running -= 1
            else:
                yield item
    finally:
        stop.set()  # on an interrupt: each unit ends after its current sample
        pool.shutdown(wait=True, cancel_futures=True)


def guarded(unit: Unit, options: JudgeOptions, stop: Callable[[], bool]) -> Iterator[SampleResult]:
    """``judge_task``, where a fault of signoff's own becomes an error verdict for the samples left."""
    done: set[int] = set()
    try:
        for result in judge_task(unit.task, unit.samples, options, stop):
            done.add(result.index)
            yield result
    except Exception as error:
        check = CheckResult("same_results", "error",
                            f"signoff could not judge this sample: {type(error).__name__}: {error}")
        for sample in unit.samples:
            if sample.index not in done and not stop():
                yield SampleResult(sample.task_id, sample.index, None, (check,), 0.0, sample.digest)


def _split(units: list[Unit], jobs: int) -> list[Unit]:
    """Units of at most one task each; a task's samples split in parts when there are
    fewer tasks than jobs, so every job has work (each part runs the reference again)."""
    if not units or len(units) >= jobs:
        return units
    parts = -(-jobs // len(units))
    split = []
    for unit in units:
        size = max(1, -(-len(unit.samples) // parts))
        split += [Unit(unit.task, unit.samples[i:i + size]) for i in range(0, len(unit.samples), size)]
    return split


class _Recorder:
    """The results store and the batch table, written as each sample finishes."""

    def __init__(self, store: Store, progress: BatchProgress, batch: Batch, run_id: str) -> None:
        self.store, self.progress, self.batch, self.run_id = store, progress, batch, run_id

    @classmethod
    def open(cls, options: BatchOptions, tasks_path: Path, samples_path: Path) -> _Recorder:
        assert options.store is not None
        store = Store(options.store)
        try:
            progress = BatchProgress(options.store.parent / BATCH_DB)
        except BaseException:
            store.close()
            raise
        settings = options.settings()
        batch = progress.latest(tasks_path, samples_path, settings) if options.resume else None
        if batch is None:
            batch = progress.begin(tasks_path, samples_path, settings, None)
        run_id = batch.run_id
        if run_id is None or not _run_exists(store, run_id):
            run_id = store.begin_run(spec=None, reference=str(tasks_path), candidates=[], seed=options.seed,
                                     command=options.command, environment=capture_environment(Path.cwd()))
            progress.set_run(batch.id, run_id)
        return cls(store, progress, batch, run_id)

    def finished(self) -> dict[tuple[str, int], SampleResult]:
        return self.progress.finished(self.batch.id)

    def record(self, result: SampleResult) -> None:
        name = f"{result.task_id}#{result.index}"
        for check in result.checks:
            self.store.record_check(self.run_id, name, check)
        self.progress.record(self.batch.id, result)  # last: the sample counts as finished from here

    def finish(self, results: Sequence[SampleResult], duration_s: float) -> None:
        verdict = combine(result.verdict for result in results) if results else "error"
        self.store.finish_run(self.run_id, verdict, duration_s)
        self.progress.finish(self.batch.id)

    def close(self) -> None:
        self.progress.close()
        self.store.close()


def _run_exists(store: Store, run_id: str) -> bool:
    try:
        return store.resolve(run_id) == run_id
    except StoreError:
        return False


@contextmanager
def _work_folder(recorder: _Recorder | None) -> Iterator[Path]:
    """Where the reference and sample files go: kept under the store (replay commands
    point at them), or a temporary folder removed afterwards when nothing is recorded."""
    if recorder is not None:
        folder = recorder.progress.path.parent / "batch" / recorder.batch.id
        folder.mkdir(parents=True, exist_ok=True)
        yield folder.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="signoff-batch-") as temporary:
        yield Path(temporary)


def default_command(argv: Sequence[str] | None = None) -> str:
    return shlex.join(["signoff", *(sys.argv[1:] if argv is None else argv)])
