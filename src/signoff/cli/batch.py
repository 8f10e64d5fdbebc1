"""``signoff batch``: the command line over ``run_batch``.

    signoff batch --tasks HumanEvalPlus.jsonl.gz|tasks.jsonl|tasks.py --samples samples.jsonl
                  [--json report.json] [--jobs N] [--resume] [--limit-tasks N]
                  [--backend ray [--address ADDR]]

Exit status: 0 every sample passed, 1 a sample failed, 2 bad input (a
missing file, not JSONL, an unknown task format; a one-line error), 3 nothing
failed but a sample could not be judged.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from signoff.batch.judge import SampleResult
from signoff.batch.samples import load_samples
from signoff.batch.scheduler import (
    DEFAULT_CACHE,
    BatchOptions,
    BatchResult,
    OnResult,
    default_command,
    run_batch,
)
from signoff.batch.tasks import load_tasks
from signoff.errors import SpecError
from signoff.report.json_report import write_json
from signoff.spec import DEFAULT_TIMEOUT_S
from signoff.store import DEFAULT_STORE

MAX_SHOWN = 20  # plausible-but-wrong samples and problems listed on the terminal


def add_batch_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``batch`` to the ``signoff`` command's subparsers; its handler is set as ``handler``."""
    batch = subparsers.add_parser("batch", help="judge many generated samples per task (HumanEval+/MBPP+)")
    batch.add_argument("--tasks", type=Path, required=True, metavar="PATH",
                       help="tasks: JSONL, gzipped or not, in the EvalPlus format (HumanEvalPlus.jsonl.gz, "
                            "...) or signoff's own (with \"reference\"); or a Python file defining TASKS")
    batch.add_argument("--samples", type=Path, required=True, metavar="PATH",
                       help='samples: {"task_id": ..., "solution" or "completion": ...} per line')
    batch.add_argument("--json", type=Path, metavar="PATH", help="write the signoff.batch/1 report here")
    batch.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, metavar="N",
                       help="samples judged at once (default: the number of CPUs)")
    batch.add_argument("--resume", action="store_true",
                       help="continue the last batch on the same files, skipping finished samples")
    batch.add_argument("--limit-tasks", type=int, metavar="N", help="only the first N tasks of the file")
    batch.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="SECONDS",
                       help="per call: the least a sample is given (it may have 4x the reference's "
                            f"slowest call if that is more; default {DEFAULT_TIMEOUT_S:g})")
    batch.add_argument("--seed", type=int, default=0, help="seed for generated inputs (default 0)")
    batch.add_argument("--backend", choices=("local", "ray"), default="local",
                       help="local worker processes (default) or a Ray cluster")
    batch.add_argument("--address", metavar="ADDR", help="with --backend ray: the cluster (default: "
                                                         "start a local one)")
    batch.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    batch.add_argument("--store", type=Path, default=DEFAULT_STORE, metavar="PATH",
                       help=f"results database (default {DEFAULT_STORE})")
    batch.add_argument("--no-store", action="store_true", help="record nothing (no --resume then)")
    batch.add_argument("--cache", type=Path, metavar="DIR",
                       help="the references' outcomes, kept between batches (default: cache/ beside "
                            "the store; none with --no-store)")
    batch.add_argument("--no-cache", action="store_true", help="run every reference again")
    batch.set_defaults(handler=handle_batch)
    return batch  # type: ignore[no-any-return]


def handle_batch(options: argparse.Namespace, console: Console, errors: Console) -> int:
    if options.limit_tasks is not None and options.limit_tasks < 1:
        raise SpecError(f"--limit-tasks must be at least 1, not {options.limit_tasks}")
    if not options.timeout > 0:
        raise SpecError(f"--timeout must be a number of seconds > 0, not {options.timeout}")
    if options.address and options.backend != "ray":
        raise SpecError("--address is for --backend ray")
    if options.json is not None:
        _check_report_path(options.json)
    every = load_tasks(options.tasks)
    tasks = every[:options.limit_tasks] if options.limit_tasks else every
    samples = load_samples(options.samples, tasks, known={task.task_id for task in every})
    settings = BatchOptions(jobs=options.jobs, backend=options.backend, address=options.address,
                            timeout_s=options.timeout, seed=options.seed,
                            store=None if options.no_store else options.store, resume=options.resume,
                            cache=_cache(options),
                            command=default_command())
    with _progress(errors, not options.quiet and errors.is_terminal) as on_result:
        result = run_batch(tasks, samples, settings, tasks_path=options.tasks,
                           samples_path=options.samples, on_result=on_result)
    if options.json:
        write_json(result.to_json(), options.json)
    print_batch(console, result)
    if options.json:
        console.print(f"report written to {options.json}", style="dim", highlight=False)
    if result.batch_id:
        console.print(f"recorded as run {result.run_id} (batch {result.batch_id}) in {options.store}",
                      style="dim", highlight=False)
    return result.exit_code


def print_batch(console: Console, result: BatchResult) -> None:
    """The summary as people read it: pass@k side by side, then what needs a look."""
    summary = result.summary
    table = Table(title=f"{summary['samples']} samples of {summary['tasks']} tasks", title_justify="left")
    table.add_column("")
    table.add_column("passed", justify="right")
    keys = [key for key in ("pass@1", "pass@10", "pass@100") if key in summary["signoff"]]
    for key in keys:
        table.add_column(key, justify="right")
    for label, name in (("base inputs", "base"), ("signoff", "signoff")):
        row = summary[name]
        table.add_row(label, str(row["passed"]), *(f"{row[key]:.3f}" if key in row else "-" for key in keys))
    console.print(table)
    verdicts = ", ".join(f"{count} {verdict}" for verdict, count in summary["verdicts"].items() if count)
    rate = summary["samples_per_s"]
    console.print(f"verdicts: {verdicts or 'none'}; {summary['duration_s']:.1f} s"
                  + (f", {rate:.2f} samples/s" if rate else ""), highlight=False)
    _print_speed(console, summary["speed"])
    plausible = summary["plausible_but_wrong"]
    if plausible["count"]:
        console.print(f"[bold]plausible but wrong[/]: {plausible['count']} samples pass the base inputs "
                      "and fail signoff", highlight=False)
        for item in plausible["samples"][:MAX_SHOWN]:
            console.print(f"  {item['task_id']}#{item['index']}: {item['summary']}", highlight=False,
                          markup=False, overflow="ellipsis", no_wrap=True)
    others = [r for r in result.results if r.verdict != "pass" and not r.plausible_but_wrong]
    if others:
        console.print(f"other samples that did not pass: {len(others)}", highlight=False)
        for other in others[:MAX_SHOWN]:
            console.print(f"  {other.task_id}#{other.index} {other.verdict}: {_first_problem(other)}",
                          highlight=False, markup=False, overflow="ellipsis", no_wrap=True)
    if result.problems:
        console.print(f"[bold]problems[/]: {len(result.problems)} lines or tasks not judged", highlight=False)
        for problem in result.problems[:MAX_SHOWN]:
            where = f"line {problem.line}" if problem.line else "task"
            task = f" {problem.task_id}" if problem.task_id else ""
            console.print(f"  {where}{task}: {problem.message}", highlight=False, markup=False)


def _print_speed(console: Console, ratios: dict[str, list[dict[str, Any]]]) -> None:
    """Each timed sample's ratio to the reference's time, a line per task."""
    if not ratios:
        return
    console.print("[bold]speed[/] of correct samples, time / the reference's on the task's workload:",
                  highlight=False)
    for task_id, samples in list(ratios.items())[:MAX_SHOWN]:
        parts = []
        for item in samples:
            text = f"#{item['index']} "
            if item["ratio"] is None:
                text += "not timed"
            else:
                low, high = item["ci95"]
                text += f"{item['ratio']:.3g}x ({low:.3g}-{high:.3g})"
            if item["verdict"] != "pass":
                text += f" {item['verdict'].upper()}"
            parts.append(text)
        console.print(f"  {task_id}: {', '.join(parts)}", highlight=False, markup=False)
    if len(ratios) > MAX_SHOWN:
        console.print(f"  ... and {len(ratios) - MAX_SHOWN} more tasks (all in --json)", highlight=False)


def _cache(options: argparse.Namespace) -> Path | None:
    if options.no_cache:
        return None
    if options.cache is not None:
        return Path(options.cache)
    return None if options.no_store else Path(options.store).parent / DEFAULT_CACHE.name


def _check_report_path(path: Path) -> None:
    """Refuse a --json path before the batch runs, not after (write_json would refuse it then)."""
    if path.is_dir():
        raise SpecError(f"--json {path}: is a folder; give a file name")
    if path.exists():
        try:
            schema = json.loads(path.read_text(encoding="utf-8")).get("schema", "")
        except (OSError, UnicodeDecodeError, ValueError, AttributeError):
            schema = ""
        if not str(schema).startswith("signoff."):
            raise SpecError(f"--json {path}: the file exists and is not a signoff report; "
                            "refusing to overwrite it (remove it or choose another name)")


def _first_problem(result: SampleResult) -> str:
    return next((check.summary for check in result.checks if check.verdict != "pass"), "")


@contextmanager
def _progress(console: Console, enabled: bool) -> Iterator[OnResult | None]:
    if not enabled:
        yield None
        return
    columns = (TextColumn("judging samples"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        bar = progress.add_task("samples", total=None)

        def update(result: SampleResult, done: int, total: int) -> None:
            progress.update(bar, completed=done, total=total)

        yield update
