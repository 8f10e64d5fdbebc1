"""Units of work, and the local backend that runs them.

A unit is one task with some of its samples: one reference worker serves all
of them, so the reference runs once per unit, not once per sample. The local
backend runs ``jobs`` units at a time, each in a thread that drives its
worker processes; ``ray_backend`` runs the same units on a Ray cluster. Both
go through ``guarded``, so a fault of signoff's own becomes an error verdict
for the samples it left, never a lost sample.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from signoff.batch.judge import JudgeOptions, SampleResult, judge_task
from signoff.batch.samples import Sample
from signoff.batch.task import Task
from signoff.criteria.same_results import SameResults
from signoff.errors import SignoffError
from signoff.verdict import CheckResult


@dataclass(frozen=True)
class Unit:
    task: Task
    samples: tuple[Sample, ...]


def split_units(units: list[Unit], jobs: int) -> list[Unit]:
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


def guarded(unit: Unit, options: JudgeOptions, stop: Callable[[], bool]) -> Iterator[SampleResult]:
    """``judge_task``, where a fault of signoff's own becomes an error verdict for the samples left;
    bad input (a task whose reference does not import) is raised, to stop the batch."""
    done: set[int] = set()
    try:
        for result in judge_task(unit.task, unit.samples, options, stop):
            done.add(result.index)
            yield result
    except SignoffError:
        raise
    except Exception as error:
        check = CheckResult(SameResults.name, "error",
                            f"signoff could not judge this sample: {type(error).__name__}: {error}")
        for sample in unit.samples:
            if sample.index not in done and not stop():
                yield SampleResult(sample.task_id, sample.index, None, (check,), 0.0, sample.digest)


def run_local(units: Sequence[Unit], options: JudgeOptions, jobs: int) -> Generator[SampleResult, None, None]:
    """Results as they finish, ``jobs`` units at a time, each in a thread driving its workers."""
    stop = threading.Event()
    finished: queue.Queue[SampleResult | SignoffError | None] = queue.Queue()

    def work(unit: Unit) -> None:
        try:
            for result in guarded(unit, options, stop.is_set):
                finished.put(result)
        except SignoffError as error:  # bad input: raised where the results are read
            finished.put(error)
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
            elif isinstance(item, SignoffError):
                raise item
            else:
                yield item
    finally:
        stop.set()  # on an interrupt: each unit ends after its current sample
        pool.shutdown(wait=True, cancel_futures=True)
