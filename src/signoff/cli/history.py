"""``signoff history``, ``compare`` and ``report``: the recorded runs, read back from the store.

Runs of every front-end are there (``check``, ``sql``, ``batch``: a batch's
samples are its candidates, ``HumanEval/0#3``), so each command works on all of them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from signoff.cli.values import whole
from signoff.errors import SpecError
from signoff.report.files import check_report_paths, write_reports
from signoff.report.terminal import STYLES, print_run, verdict_text
from signoff.store import DEFAULT_STORE, Store, changes_to_json
from signoff.verdict import EXIT_CODES

RUN_HELP = "run id, unique prefix, 'latest', or 'latest~N' (N runs before it)"


def add_history_parsers(commands: Any) -> None:
    """Add ``history``, ``compare`` and ``report`` to the ``signoff`` command's subparsers."""
    history = commands.add_parser("history", help="list recorded runs, newest first")
    history.add_argument("--limit", type=whole(1), default=20, metavar="N")
    history.add_argument("--json", action="store_true", help="print JSON instead of a table")
    history.add_argument("--store", type=Path, default=DEFAULT_STORE, metavar="PATH")
    history.set_defaults(handler=handle_history)

    differ = commands.add_parser("compare", help="what changed between two recorded runs "
                                                 "(exit 1 when a check that passed no longer does)")
    differ.add_argument("before", help=RUN_HELP)
    differ.add_argument("after", help=RUN_HELP)
    differ.add_argument("--json", action="store_true", help="print JSON instead of a table")
    differ.add_argument("--store", type=Path, default=DEFAULT_STORE, metavar="PATH")
    differ.set_defaults(handler=handle_compare)

    again = commands.add_parser("report", help="show a recorded run again")
    again.add_argument("run", help=RUN_HELP)
    again.add_argument("--json", type=Path, metavar="PATH", help="write its JSON report here")
    again.add_argument("--html", type=Path, metavar="PATH", help="write its HTML report here")
    again.add_argument("--junit", type=Path, metavar="PATH", help="write its JUnit XML here")
    again.add_argument("--store", type=Path, default=DEFAULT_STORE, metavar="PATH")
    again.set_defaults(handler=handle_report)


def handle_history(options: argparse.Namespace, console: Console, errors: Console) -> int:
    with Store(_existing_store(options.store)) as store:
        runs = store.list_runs(options.limit)
    if options.json:
        console.print_json(data=[run.to_json() for run in runs])
        return 0
    table = Table(title=Text(f"runs in {options.store}"), title_justify="left")
    for column in ("run", "started (UTC)", "verdict", "reference", "candidates", "seconds"):
        table.add_column(column, overflow="fold")
    for run in runs:
        verdict = verdict_text(run.verdict) if run.verdict in STYLES else run.verdict
        table.add_row(run.id, run.started_at.strftime("%Y-%m-%d %H:%M:%S"), verdict, run.reference,
                      "\n".join(run.candidates),
                      "" if run.duration_s is None else f"{run.duration_s:.1f}")
    console.print(table)
    return 0


def handle_compare(options: argparse.Namespace, console: Console, errors: Console) -> int:
    with Store(_existing_store(options.store)) as store:
        before, after = store.resolve(options.before), store.resolve(options.after)
        changes = store.compare(before, after)
    # A check that passed before and does not now is a regression: exit 1, so a CI step can gate on it.
    status = 1 if any(change.regressed for change in changes) else 0
    if options.json:
        console.print_json(data={"before": before, "after": after, "checks": changes_to_json(changes)})
        return status
    table = Table(title=Text(f"{before} -> {after}"), title_justify="left")
    for column in ("candidate", "criterion", "verdict", "ratio", "class"):
        table.add_column(column, overflow="fold")
    for change in changes:
        table.add_row(
            change.candidate, change.criterion,
            _arrow(change.verdict_before, change.verdict_after),
            _arrow(_number(change.ratio_before), _number(change.ratio_after)),
            _arrow(change.class_before, change.class_after),
            style=None if change.changed else "dim",
        )
    console.print(table)
    return status


def handle_report(options: argparse.Namespace, console: Console, errors: Console) -> int:
    check_report_paths(json=options.json, html=options.html, junit=options.junit)
    with Store(_existing_store(options.store)) as store:
        stored = store.load_run(options.run)
    write_reports(stored.result, json=options.json, html=options.html, junit=options.junit)
    print_run(console, stored.result)
    console.print(f"run {stored.id}, {stored.started_at:%Y-%m-%d %H:%M:%S} UTC: {stored.verdict}",
                  highlight=False)
    # A run left "unfinished" exits as an error does.
    return next((code for verdict, code in EXIT_CODES.items() if verdict == stored.verdict),
                EXIT_CODES["error"])


def _existing_store(path: Path) -> Path:
    if not path.exists():
        raise SpecError(f"no results store at {path}: run `signoff check` first, or pass --store PATH")
    return path


def _arrow(before: object, after: object) -> str:
    if before == after:
        return "" if before is None else str(before)
    return f"{'-' if before is None else before} -> {'-' if after is None else after}"


def _number(value: float | None) -> str | None:
    return None if value is None else f"{value:.3g}"
