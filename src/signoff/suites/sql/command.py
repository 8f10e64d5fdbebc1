"""``signoff sql``: the command line of the SQL engine suite.

    signoff sql --candidate turso [--candidate mymod:connect] [--reference sqlite3]
                [--corpus PATH ...] [--no-corpus] [--invariant NAME ...] [--threshold NAME=VALUE ...]
                [--budget S] [--corpus-budget S] [--timeout S] [--seed N] [--json PATH] [--list]

The CLI wires it in with ``add_sql_parser(subparsers)``; the parser's handler
is ``handle_sql(options, console, errors)``, which returns the exit status of
DESIGN.md (0 pass, 1 a check failed, 3 inconclusive or error; a wrong command
line raises SpecError, which the CLI turns into 2).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from signoff.errors import SpecError
from signoff.report.files import write_reports
from signoff.report.terminal import closing_line, verdict_table
from signoff.suites.sql.engines import NAMED
from signoff.suites.sql.invariants import INVARIANTS
from signoff.suites.sql.suite import DEFAULT_CORPUS_BUDGET_S, SqlOptions, run_sql
from signoff.suites.sql.suite import Progress as ProgressCallback
from signoff.suites.sql.workers import DEFAULT_TIMEOUT_S
from signoff.verdict import CheckResult, RunResult

EXAMPLES_SHOWN = 3


def add_sql_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``sql`` command to the CLI's subparsers; returns its parser."""
    sql: argparse.ArgumentParser = subparsers.add_parser(
        "sql", help="check an SQL engine against SQLite: corpus results and performance invariants",
        description="Run a sqllogictest corpus and the performance invariants on the reference engine "
                    "and each candidate, each in its own worker process, and judge each candidate.")
    engines = ", ".join(NAMED)
    sql.add_argument("--candidate", "-c", action="append", default=[], metavar="ENGINE",
                     help=f"{engines}, or module:factory / path/to/file.py:factory where factory(path) "
                          "returns a DB-API 2.0 connection (repeatable)")
    sql.add_argument("--reference", "-r", default="sqlite3", metavar="ENGINE",
                     help="the trusted engine (default sqlite3)")
    sql.add_argument("--corpus", action="append", type=Path, metavar="PATH",
                     help="a sqllogictest .test file or a folder of them (repeatable); default: a sample "
                          "of ../shared/data/sqllogictest when present")
    sql.add_argument("--no-corpus", action="store_true", help="run no corpus, invariants only")
    sql.add_argument("--invariant", action="append", metavar="NAME",
                     help="an invariant to run (repeatable; default all; 'none' for none); see --list")
    sql.add_argument("--threshold", action="append", default=[], metavar="NAME=VALUE",
                     help="override an invariant's threshold: a ratio, or a growth class such as 'O(n)'")
    sql.add_argument("--budget", type=float, metavar="SECONDS", help="time budget of each invariant")
    sql.add_argument("--corpus-budget", type=float, default=DEFAULT_CORPUS_BUDGET_S, metavar="SECONDS",
                     help=f"time budget of the corpus (default {DEFAULT_CORPUS_BUDGET_S:g})")
    sql.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="SECONDS",
                     help=f"time limit of one record or one unit of work (default {DEFAULT_TIMEOUT_S:g})")
    sql.add_argument("--seed", type=int, help="seed for the order of timings")
    sql.add_argument("--json", type=Path, metavar="PATH", help="write the JSON report here")
    sql.add_argument("--html", type=Path, metavar="PATH", help="write a self-contained HTML report here")
    sql.add_argument("--junit", type=Path, metavar="PATH", help="write JUnit XML here (for CI)")
    sql.add_argument("--quiet", "-q", action="store_true", help="no progress and no details, table only")
    sql.add_argument("--list", action="store_true", help="list the invariants and their thresholds, and exit")
    sql.set_defaults(handler=handle_sql)
    return sql


def options_from(arguments: argparse.Namespace, progress: ProgressCallback | None = None) -> SqlOptions:
    """SqlOptions from parsed arguments; SpecError for a malformed one."""
    thresholds: dict[str, str] = {}
    for item in arguments.threshold:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise SpecError(f"--threshold {item!r}: expected NAME=VALUE, e.g. pk_lookup=1.5")
        thresholds[name.strip()] = value.strip()
    invariants: list[str] | None = arguments.invariant
    if invariants is not None and [name.lower() for name in invariants] == ["none"]:
        invariants = []
    if arguments.no_corpus and arguments.corpus:
        raise SpecError("give --corpus or --no-corpus, not both")
    corpus: list[Path] | None = [] if arguments.no_corpus else arguments.corpus
    return SqlOptions(
        candidates=list(arguments.candidate), reference=arguments.reference, corpus=corpus,
        invariants=invariants, thresholds=thresholds, budget_s=arguments.budget,
        corpus_budget_s=arguments.corpus_budget, timeout_s=arguments.timeout, seed=arguments.seed,
        progress=progress,
    )


def handle_sql(arguments: argparse.Namespace, console: Console, errors: Console) -> int:
    """Run ``signoff sql``; print the verdict table (and details of failures); the exit status."""
    if arguments.list:
        console.print(invariant_table())
        return 0
    options_from(arguments)  # a malformed command line fails before any worker starts
    with _progress(errors, not arguments.quiet and errors.is_terminal) as progress:
        result = run_sql(options_from(arguments, progress))
    write_reports(result, json=arguments.json, html=arguments.html, junit=arguments.junit)
    console.print(verdict_table(result))
    if not arguments.quiet:
        for panel in failure_panels(result):
            console.print(panel)
    console.print(closing_line(result))
    return result.exit_code


def invariant_table() -> Table:
    table = Table(title="signoff sql: performance invariants", title_justify="left")
    for column in ("invariant", "kind", "threshold", "budget", "what it measures"):
        table.add_column(column, overflow="fold")
    for invariant in INVARIANTS.values():
        bound = invariant.threshold if isinstance(invariant.threshold, str) else f"{invariant.threshold:g}x"
        budget = f"{invariant.budget_s:g} s"
        table.add_row(invariant.name, invariant.kind, bound, budget, invariant.explanation)
    return table


def failure_panels(result: RunResult) -> Iterator[Panel]:
    """A panel per failed check: corpus examples, or an invariant's plans and work counts."""
    for candidate in result.candidates:
        for check in candidate.checks:
            if check.verdict != "fail":
                continue
            lines = _corpus_lines(check) if check.criterion == "corpus" else _invariant_lines(check)
            if lines:
                yield Panel(Group(*lines), title=f"{candidate.target}: {check.criterion}",
                            title_align="left", border_style="red")


def _corpus_lines(check: CheckResult) -> list[Text]:
    lines: list[Text] = []
    examples: dict[str, list[dict[str, Any]]] = check.evidence.get("examples", {})
    for kind, items in examples.items():
        count = check.evidence.get("classes", {}).get(kind, len(items))
        lines.append(Text(f"{kind.replace('_', ' ')}: {count:,}", style="bold"))
        for item in items[:EXAMPLES_SHOWN]:
            sql = " ".join(str(item["sql"]).split())
            lines.append(Text.assemble(("  " + f"{item['file']}:{item['line']}", "cyan"), f"  {sql[:160]}"))
            lines.append(Text(f"    reference {item['reference']}; candidate {item['candidate']}"))
    return lines


def _invariant_lines(check: CheckResult) -> list[Text]:
    evidence = check.evidence
    lines = [Text(str(evidence["explanation"]), style="italic")] if "explanation" in evidence else []
    steps = evidence.get("vdbe_steps")
    if steps and steps.get("reference") is not None:
        theirs = "not counted" if steps["candidate"] is None else f"{steps['candidate']:,}"
        counted = f"reference {steps['reference']:,}, candidate {theirs}"
        lines.append(Text.assemble(("VDBE steps ", "bold"), counted))
    plans = evidence.get("plans")
    if plans:
        for role in ("reference", "candidate"):
            lines.append(Text.assemble((f"{role} plan ".ljust(16), "bold"), "; ".join(plans[role])))
    return lines


@contextmanager
def _progress(console: Console, enabled: bool) -> Iterator[ProgressCallback | None]:
    if not enabled:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        tasks: dict[str, TaskID] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(phase, total=total)
            progress.update(tasks[phase], completed=done, total=total)

        yield update
