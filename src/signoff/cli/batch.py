"""``signoff batch``: the command line over ``run_batch``.

    signoff batch --tasks HumanEvalPlus.jsonl.gz|tasks.jsonl|tasks.py --samples samples.jsonl
                  [--json report.json] [--html PATH] [--junit PATH] [--jobs N] [--resume]
                  [--limit-tasks N] [--seed N] [--backend ray [--address ADDR]]

The run goes through the one run pipeline (``cli.run``): each sample is a
candidate of the recorded run (``HumanEval/0#3``), so ``history``,
``compare``, ``report`` and the HTML and JUnit reports work as for ``check``;
``--json`` writes the ``signoff.batch/1`` report (the summary and every
sample). With the store, the batch table (``batch.ledger``) records each
finished sample after its checks, so ``--resume`` continues a killed batch:
the same recorded run, the same seed, its finished samples kept.

Exit status: 0 every sample passed, 1 a sample failed, 2 bad input (a
missing file, not JSONL, an unknown task format; a one-line error), 3 nothing
failed but a sample could not be judged.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console

from signoff.batch.judge import SampleResult
from signoff.batch.ledger import BATCH_DB, Batch, Ledger
from signoff.batch.samples import Samples, load_samples
from signoff.batch.scheduler import (
    DEFAULT_CACHE,
    BatchOptions,
    BatchResult,
    run_batch,
    sample_target,
    unjudged,
)
from signoff.batch.task import Task
from signoff.batch.tasks import load_tasks
from signoff.cli.run import Hooks, Outcome, Plan, Run, add_run_options
from signoff.cli.values import seconds, whole
from signoff.errors import SpecError
from signoff.report.batch import print_batch
from signoff.spec import DEFAULT_TIMEOUT_S
from signoff.verdict import CheckResult


def add_batch_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``batch`` to the ``signoff`` command's subparsers; its handler is set as ``handler``."""
    batch = subparsers.add_parser("batch", help="judge many generated samples per task (HumanEval+/MBPP+)")
    batch.add_argument("--tasks", type=Path, required=True, metavar="PATH",
                       help="tasks: JSONL, gzipped or not, in the EvalPlus format (HumanEvalPlus.jsonl.gz, "
                            "...) or signoff's own (with \"reference\"); or a Python file defining TASKS")
    batch.add_argument("--samples", type=Path, required=True, metavar="PATH",
                       help='samples: {"task_id": ..., "solution" or "completion": ...} per line')
    batch.add_argument("--jobs", "-j", type=whole(1), default=os.cpu_count() or 1, metavar="N",
                       help="samples judged at once (default: the number of CPUs)")
    batch.add_argument("--resume", action="store_true",
                       help="continue the last batch on the same files, skipping finished samples "
                            "(with its seed, unless --seed names one)")
    batch.add_argument("--limit-tasks", type=whole(1), metavar="N", help="only the first N tasks of the file")
    batch.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT_S, metavar="SECONDS",
                       help="per call: the least a sample is given (it may have 4x the reference's "
                            f"slowest call if that is more; default {DEFAULT_TIMEOUT_S:g})")
    batch.add_argument("--backend", choices=("local", "ray"), default="local",
                       help="local worker processes (default) or a Ray cluster")
    batch.add_argument("--address", metavar="ADDR", help="with --backend ray: the cluster (default: "
                                                         "start a local one)")
    batch.add_argument("--cache", type=Path, metavar="DIR",
                       help="the references' outcomes, kept between batches (default: cache/ beside "
                            "the store; none with --no-store)")
    batch.add_argument("--no-cache", action="store_true", help="run every reference again")
    add_run_options(batch, seed="seed for generated inputs", quiet="no progress bar",
                    json="write the signoff.batch/1 report here")
    batch.set_defaults(handler=handle_batch)
    return batch  # type: ignore[no-any-return]


def handle_batch(options: argparse.Namespace, console: Console, errors: Console) -> int:
    settings = _settings(options)
    run = Run(options, console, errors)  # a refused report path stops here, before any work
    every = load_tasks(options.tasks)
    tasks = every[:options.limit_tasks] if options.limit_tasks else every
    samples = load_samples(options.samples, tasks, known={task.task_id for task in every})
    with _ledger(options) as ledger:
        resumed = None
        if ledger is not None and options.resume:
            resumed = ledger.latest(options.tasks, options.samples, settings.settings(), seed=options.seed)
        names = [sample_target(sample.task_id, sample.index)
                 for task in tasks for sample in samples.by_task.get(task.task_id, [])]
        unjudged_lines = unjudged(samples.problems)  # known before the run: recorded at its start
        if unjudged_lines is not None:
            names.append(str(options.samples))
        plan = Plan(reference=str(options.tasks), candidates=names, seed=resumed.seed if resumed else None,
                    run_id=resumed.run_id if resumed else None)
        result = run.execute(plan, lambda hooks: _judge(hooks, tasks, samples, options, settings,
                                                         ledger, resumed, unjudged_lines))

    def view(console: Console) -> None:
        print_batch(console, result)
        if options.json:
            console.print(f"report written to {options.json}", style="dim", highlight=False)

    return run.finish(Outcome(result.as_run(str(options.tasks), str(options.samples)), view=view,
                              report=result.to_json(),
                              note=f" (batch {result.batch_id})"))


def _judge(hooks: Hooks, tasks: list[Task], samples: Samples, options: argparse.Namespace,
           settings: BatchOptions, ledger: Ledger | None, resumed: Batch | None,
           unjudged_lines: CheckResult | None) -> BatchResult:
    """The batch under the run's seed; each sample recorded as it ends: its checks in the store,
    then its row in the batch table (from then on it counts as finished)."""
    settings = replace(settings, seed=hooks.seed)
    if unjudged_lines is not None and hooks.on_check:
        hooks.on_check(str(options.samples), unjudged_lines)
    if ledger is None:
        return run_batch(tasks, samples, settings, progress=hooks.progress)
    batch = resumed or ledger.begin(options.tasks, options.samples, settings.settings(), hooks.run_id)
    if hooks.run_id is not None and hooks.run_id != batch.run_id:
        ledger.set_run(batch.id, hooks.run_id)

    def record(result: SampleResult) -> None:
        if hooks.on_check:
            for check in result.checks:
                hooks.on_check(sample_target(result.task_id, result.index), check)
        ledger.record(batch.id, result)

    earlier = ledger.finished(batch.id) if resumed else {}
    result = run_batch(tasks, samples, settings, earlier=earlier, folder=ledger.folder(batch.id),
                       on_result=record, progress=hooks.progress)
    ledger.finish(batch.id)
    return replace(result, batch_id=batch.id, run_id=hooks.run_id)


def _settings(options: argparse.Namespace) -> BatchOptions:
    """The judging settings of the command line (the seed is the run's; the numbers' ranges are the
    parser's, ``cli.values``); SpecError for flags that do not go together."""
    if options.address and options.backend != "ray":
        raise SpecError("--address is for --backend ray")
    if options.resume and options.no_store:
        raise SpecError("--resume needs the results store (leave out --no-store)")
    return BatchOptions(jobs=options.jobs, backend=options.backend, address=options.address,
                        timeout_s=options.timeout, cache=_cache(options))


def _cache(options: argparse.Namespace) -> Path | None:
    if options.no_cache:
        return None
    if options.cache is not None:
        cache = Path(options.cache)
        if cache.exists() and not cache.is_dir():
            raise SpecError(f"--cache {cache}: is a file; the cache is a folder (it is made when missing)")
        return cache
    return None if options.no_store else Path(options.store).parent / DEFAULT_CACHE.name


@contextmanager
def _ledger(options: argparse.Namespace) -> Iterator[Ledger | None]:
    """The batch table beside the store; None with --no-store (nothing recorded, no --resume)."""
    if options.no_store:
        yield None
        return
    with Ledger(Path(options.store).parent / BATCH_DB) as ledger:
        yield ledger
