"""The terminal view of a batch: pass@k side by side, then what needs a look.

``signoff batch`` shows this instead of the verdict table of ``check`` and
``sql`` (a table row per sample would bury the summary); the per-sample table
is still there through ``signoff report RUN`` and the HTML and JUnit reports.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from signoff.batch.judge import SampleResult
from signoff.batch.scheduler import BatchResult, sample_target

MAX_SHOWN = 20  # plausible-but-wrong samples, problems and tasks' speeds listed on the terminal
PASS_AT = ("pass@1", "pass@10", "pass@100")


def print_batch(console: Console, result: BatchResult) -> None:
    """The summary as people read it: pass@k side by side, then what needs a look."""
    summary = result.summary
    title = f"{summary['samples']} samples of {summary['tasks']} tasks (seed {result.seed})"
    table = Table(title=Text(title),
                  title_justify="left")
    table.add_column("")
    table.add_column("passed", justify="right")
    keys = [key for key in PASS_AT if key in summary["signoff"]]
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
        console.print(Text.assemble(("plausible but wrong", "bold"), f": {plausible['count']} samples pass "
                                    "the base inputs and fail signoff"))
        for item in plausible["samples"][:MAX_SHOWN]:
            console.print(f"  {sample_target(item['task_id'], item['index'])}: {item['summary']}",
                          highlight=False, markup=False, overflow="ellipsis", no_wrap=True)
    others = [r for r in result.results if r.verdict != "pass" and not r.plausible_but_wrong]
    if others:
        console.print(f"other samples that did not pass: {len(others)}", highlight=False)
        for other in others[:MAX_SHOWN]:
            console.print(f"  {sample_target(other.task_id, other.index)} {other.verdict}: "
                          f"{_first_problem(other)}",
                          highlight=False, markup=False, overflow="ellipsis", no_wrap=True)
    lines = [problem for problem in result.problems if problem.line is not None]
    if lines:
        console.print(Text.assemble(("not judged", "bold"), f": {len(lines)} line(s) of the samples file"))
        for problem in lines[:MAX_SHOWN]:
            task = f" {problem.task_id}" if problem.task_id else ""
            console.print(f"  line {problem.line}{task}: {problem.message}", overflow="ellipsis",
                          no_wrap=True)
        if len(lines) > MAX_SHOWN:
            console.print(f"  ... and {len(lines) - MAX_SHOWN} more (all in --json)")
    idle = [problem.task_id or "" for problem in result.problems if problem.line is None]
    if idle:  # one line, however many: a samples file for a few tasks of a benchmark is normal
        shown = ", ".join(idle[:MAX_SHOWN]) + (f", ... ({len(idle) - MAX_SHOWN} more, all in --json)"
                                               if len(idle) > MAX_SHOWN else "")
        console.print(f"{len(idle)} task(s) without a sample: {shown}", overflow="fold")


def _print_speed(console: Console, ratios: dict[str, list[dict[str, Any]]]) -> None:
    """Each timed sample's ratio to the reference's time, a line per task."""
    if not ratios:
        return
    console.print(Text.assemble(("speed", "bold"),
                                " of correct samples, time / the reference's on the task's workload:"))
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


def _first_problem(result: SampleResult) -> str:
    return next((check.summary for check in result.checks if check.verdict != "pass"), "")
