"""The terminal view of a run: a verdict table, the evidence of each failure, the machine.

Functions here return rich renderables; the CLI decides where they go.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from signoff.criteria.base import Line
from signoff.environment import measured_on
from signoff.report.views import view_of
from signoff.verdict import CheckResult, RunResult, Verdict

STYLES: dict[Verdict, str] = {
    "pass": "bold green", "fail": "bold red", "inconclusive": "bold yellow", "error": "bold magenta",
    "skipped": "dim",
}


def verdict_text(verdict: Verdict) -> Text:
    return Text(verdict.upper(), style=STYLES[verdict])


def verdict_table(result: RunResult) -> Table:
    """One row per candidate and criterion."""
    table = Table(title=Text(f"signoff: {result.reference} (seed {result.seed})"), title_justify="left",
                  expand=False)
    table.add_column("candidate", overflow="fold")
    table.add_column("criterion")
    table.add_column("verdict")
    table.add_column("summary", overflow="fold")
    for candidate in result.candidates:
        for index, check in enumerate(candidate.checks):
            table.add_row(candidate.target if index == 0 else "", check.criterion,
                          verdict_text(check.verdict), check.summary)
        table.add_section()
    return table


def failure_details(result: RunResult) -> Iterator[RenderableType]:
    """A panel per failed check whose evidence view has details to show, then its replay command.

    The details are the check's own (``signoff.report.views.view_of``): a
    counterexample, a SQL script, an invariant's plans. The command is printed
    on its own, unwrapped line, so that it can be copied whole from any
    terminal width.
    """
    for candidate in result.candidates:
        for check in candidate.checks:
            if check.verdict != "fail":
                continue
            evidence = _evidence(check)
            lines = view_of(check.criterion).lines(evidence)
            if not lines:
                continue
            yield Panel(Group(*(rich_line(line) for line in lines)), title=Text(f"{candidate.target}: "
                        f"{check.criterion}"), title_align="left", border_style="red")
            if evidence.get("replay"):
                yield Text(f"replay: {evidence['replay']}", style="cyan", no_wrap=True, overflow="ignore")


def rich_line(line: Line) -> Text:
    """A view's line of (text, style) segments as rich text."""
    if len(line) == 1:
        text, style = line[0]
        return Text(text, style=style)
    return Text.assemble(*((text, style) if style else text for text, style in line))


def _evidence(check: CheckResult) -> Mapping[str, Any]:
    # Evidence read back from an older or newer report may not be a mapping.
    return check.evidence if isinstance(check.evidence, Mapping) else {}


def print_run(console: Console, result: RunResult, *, details: bool = True) -> None:
    """The table, each failure's evidence (unless ``details`` is off) and the closing line."""
    console.print(verdict_table(result))
    for item in failure_details(result) if details else ():
        console.print(item, soft_wrap=isinstance(item, Text))  # a command must copy whole
    console.print(closing_line(result))
    if (footer := measured_on_line(result)) is not None:
        console.print(footer)


def closing_line(result: RunResult) -> Text:
    counts: dict[str, int] = {}
    for candidate in result.candidates:
        counts[candidate.verdict] = counts.get(candidate.verdict, 0) + 1
    parts = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items()))
    stopped = f"; {result.stopped}" if result.stopped else ""
    return Text.assemble(verdict_text(result.verdict),
                         f"  {len(result.candidates)} candidate(s): {parts}; "
                         f"{result.duration_s:.1f} s{stopped}")


def measured_on_line(result: RunResult) -> Text | None:
    """``measured on: <CPU> x2, load 0.52 -> 0.61, Python 3.12.1, ...``; None for a run whose
    machine is not known (a library call's result)."""
    if not isinstance(result.environment, Mapping):
        return None
    parts = [words if label == "CPU" else f"{label} {words}"
             for label, words in measured_on(result.environment)]
    return Text(f"measured on: {', '.join(parts)}", style="dim") if parts else None
