"""``signoff sql``: the command line of the SQL engine suite.

    signoff sql --candidate turso [--candidate mymod:connect] [--reference sqlite3]
                [--corpus PATH ...] [--no-corpus] [--invariant NAME ...] [--threshold NAME=VALUE ...]
                [--queries N] [--budget S] [--corpus-budget S] [--timeout S] [--seed N]
                [--json PATH] [--html PATH] [--junit PATH] [--store PATH | --no-store] [--list]

The CLI wires it in with ``add_sql_parser(subparsers)``; the parser's handler
is ``handle_sql(options, console, errors)``, which returns the exit status of
DESIGN.md (0 pass, 1 a check failed, 3 inconclusive or error; a wrong command
line raises SpecError, which the CLI turns into 2).
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from signoff.errors import SpecError
from signoff.recorder import RunRecorder, guarded
from signoff.report.files import write_reports
from signoff.report.progress import progress_bars
from signoff.report.terminal import closing_line, verdict_table
from signoff.sql.differential import DEFAULT_EXAMPLES as DEFAULT_QUERIES
from signoff.sql.engines import NAMED
from signoff.sql.invariants import INVARIANTS
from signoff.sql.suite import DEFAULT_CORPUS_BUDGET_S, SqlOptions, run_sql, validate
from signoff.sql.suite import Progress as ProgressCallback
from signoff.sql.workers import DEFAULT_TIMEOUT_S
from signoff.store import DEFAULT_STORE
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
    sql.add_argument("--queries", type=int, default=DEFAULT_QUERIES, metavar="N",
                     help=f"generated scripts, and TLP/NoREC instances, per candidate (default "
                          f"{DEFAULT_QUERIES}; 0 for none)")
    sql.add_argument("--budget", type=float, metavar="SECONDS",
                     help="time budget of each invariant and of each generated check")
    sql.add_argument("--corpus-budget", type=float, default=DEFAULT_CORPUS_BUDGET_S, metavar="SECONDS",
                     help=f"time budget of the corpus (default {DEFAULT_CORPUS_BUDGET_S:g})")
    sql.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="SECONDS",
                     help=f"time limit of one record or one unit of work (default {DEFAULT_TIMEOUT_S:g})")
    sql.add_argument("--seed", type=int, help="seed for the order of timings")
    sql.add_argument("--json", type=Path, metavar="PATH", help="write the JSON report here")
    sql.add_argument("--html", type=Path, metavar="PATH", help="write a self-contained HTML report here")
    sql.add_argument("--junit", type=Path, metavar="PATH", help="write JUnit XML here (for CI)")
    sql.add_argument("--quiet", "-q", action="store_true", help="no progress and no details, table only")
    sql.add_argument("--store", type=Path, default=DEFAULT_STORE, metavar="PATH",
                     help=f"results store to record this run in (default {DEFAULT_STORE})")
    sql.add_argument("--no-store", action="store_true", help="do not record this run")
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
        queries=arguments.queries,
        progress=progress,
    )


def handle_sql(arguments: argparse.Namespace, console: Console, errors: Console) -> int:
    """Run ``signoff sql``; print the verdict table (and details of failures); the exit status."""
    if arguments.list:
        console.print(invariant_table())
        return 0
    options = options_from(arguments)
    validate(options)  # a malformed command line fails before any worker starts or the store is touched
    seed = options.seed if options.seed is not None else random.randrange(2**32)
    recorder = None if arguments.no_store else RunRecorder.begin(
        arguments.store, spec=None, reference=options.reference, candidates=options.candidates, seed=seed)
    with guarded(recorder), progress_bars(errors, not arguments.quiet and errors.is_terminal) as progress:
        result = run_sql(replace(options, seed=seed, progress=progress,
                                 on_check=recorder.record if recorder else None))
    if recorder:
        recorder.finish(result)
    write_reports(result, json=arguments.json, html=arguments.html, junit=arguments.junit)
    console.print(verdict_table(result))
    if not arguments.quiet:
        for panel in failure_panels(result):
            console.print(panel)
    console.print(closing_line(result))
    if recorder:
        console.print(f"recorded as run {recorder.run_id} in {arguments.store}", style="dim", highlight=False)
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
    """A panel per failed check: examples with their smallest scripts, or an invariant's plans and counts."""
    for candidate in result.candidates:
        for check in candidate.checks:
            if check.verdict != "fail":
                continue
            render = _LINES.get(check.criterion, _invariant_lines)
            lines = render(check)
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
            script = item.get("script_text")
            if script:
                records = item.get("script_records", {})
                lines.append(Text(f"    smallest script ({records.get('after', '?')} of "
                                  f"{records.get('before', '?')} records):", style="bold"))
                lines.extend(_script_lines(script, "      "))
            elif item.get("script_note"):
                lines.append(Text(f"    {item['script_note']}", style="dim"))
    return lines


def _generated_lines(check: CheckResult) -> list[Text]:
    lines: list[Text] = []
    shrunk: dict[str, dict[str, Any]] = check.evidence.get("examples", {})
    for kind, item in shrunk.items():
        count = check.evidence.get("classes", {}).get(kind, 1)
        lines.append(Text(f"{kind.replace('_', ' ')}: {count:,}; the smallest script that shows it:",
                          style="bold"))
        lines.extend(_script_lines(str(item["sql"]), "  "))
        lines.append(Text(f"    reference {item['reference']}; candidate {item['candidate']}"))
        for other in check.evidence.get("more_examples", {}).get(kind, []):
            if other["script"] != item["script"]:
                last = " ".join(str(other["script"][-1]).split())
                lines.append(Text(f"  also ({len(other['script'])} statements): {last[:150]}", style="dim"))
    return lines


def _metamorphic_lines(check: CheckResult) -> list[Text]:
    item: dict[str, Any] | None = check.evidence.get("example")
    if not item:
        return [Text(str(fault)) for fault in check.evidence.get("faults", [])[:1]]
    lines = [Text(f"{item['oracle']}: {item['violation']}", style="bold"),
             Text("  the smallest script that shows it:")]
    lines.extend(_script_lines(str(item["sql"]), "  "))
    lines.append(Text(f"  the reference {item['reference']}"))
    return lines


def _script_lines(sql: str, indent: str, most: int = 12) -> list[Text]:
    """A script as lines a person can paste, cut after ``most`` lines."""
    shown = sql.splitlines()
    lines = [Text(indent + line[:200], style="cyan") for line in shown[:most]]
    if len(shown) > most:
        lines.append(Text(f"{indent}... ({len(shown) - most} more lines in the JSON report)", style="dim"))
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


_LINES: dict[str, Callable[[CheckResult], list[Text]]] = {
    "corpus": _corpus_lines, "generated": _generated_lines, "metamorphic": _metamorphic_lines,
}
