"""``signoff sql``: the command line of the SQL engine suite.

    signoff sql --candidate turso [--candidate mymod:connect] [--reference sqlite3]
                [--corpus PATH ...] [--no-corpus] [--invariant NAME ...] [--threshold NAME=VALUE ...]
                [--queries N] [--budget S] [--corpus-budget S] [--timeout S] [--seed N]
                [--json PATH] [--html PATH] [--junit PATH] [--store PATH | --no-store] [--list]

The CLI wires it in with ``add_sql_parser(subparsers)``; the parser's handler
is ``handle_sql(options, console, errors)``, which returns the exit status of
DESIGN.md (0 pass, 1 a check failed, 3 inconclusive or error; a wrong command
line raises SpecError, which the CLI turns into 2). The run itself goes
through the one run pipeline (``cli.run``).

Without ``--corpus`` the command runs signoff's own small corpus, shipped in
the package (``DEFAULT_CORPUS``, written by ``tools/make_default_corpus.py``),
so the default run checks a corpus wherever signoff is installed; ``--corpus
PATH`` (a file or a folder, repeatable) runs others, such as SQLite's. The
library is always told its corpus, it never looks for one.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from signoff.cli.run import Outcome, Plan, Run, add_run_options
from signoff.cli.values import seconds, whole
from signoff.errors import SpecError
from signoff.sql.differential import DEFAULT_EXAMPLES as DEFAULT_QUERIES
from signoff.sql.engines import NAMED
from signoff.sql.invariants import INVARIANTS
from signoff.sql.suite import DEFAULT_CORPUS_BUDGET_S, SqlOptions, run_sql, validate
from signoff.sql.workers import DEFAULT_TIMEOUT_S

# signoff's own corpus, in the installed package (package data): src/signoff/sql/corpus_data.
DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "sql" / "corpus_data"


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
                     help="a sqllogictest .test file or a folder of them (repeatable); default: "
                          "signoff's own small corpus, shipped with it")
    sql.add_argument("--no-corpus", action="store_true", help="run no corpus, invariants only")
    sql.add_argument("--invariant", action="append", metavar="NAME",
                     help="an invariant to run (repeatable; default all; 'none' for none); see --list")
    sql.add_argument("--threshold", action="append", default=[], metavar="NAME=VALUE",
                     help="override an invariant's threshold: a ratio; for a scaling invariant "
                          "'reference' (the default) or a growth class such as 'O(log n)'")
    sql.add_argument("--queries", type=whole(0), default=DEFAULT_QUERIES, metavar="N",
                     help=f"generated scripts, and TLP/NoREC instances, per candidate (default "
                          f"{DEFAULT_QUERIES}; 0 for none)")
    sql.add_argument("--budget", type=seconds, metavar="SECONDS",
                     help="time budget of each invariant and of each generated check")
    sql.add_argument("--corpus-budget", type=seconds, default=DEFAULT_CORPUS_BUDGET_S, metavar="SECONDS",
                     help=f"time budget of the corpus (default {DEFAULT_CORPUS_BUDGET_S:g})")
    sql.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT_S, metavar="SECONDS",
                     help=f"time limit of one record or one unit of work (default {DEFAULT_TIMEOUT_S:g})")
    add_run_options(sql, seed="seed for generated scripts and the order of timings",
                    quiet="no progress and no details, table only")
    sql.add_argument("--list", action="store_true", help="list the invariants and their thresholds, and exit")
    sql.set_defaults(handler=handle_sql)
    return sql


def options_from(arguments: argparse.Namespace) -> SqlOptions:
    """SqlOptions from parsed arguments (the default corpus found here); SpecError for a malformed one."""
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
    return SqlOptions(
        candidates=list(arguments.candidate), reference=arguments.reference, corpus=_corpus(arguments),
        invariants=invariants, thresholds=thresholds, budget_s=arguments.budget,
        corpus_budget_s=arguments.corpus_budget, timeout_s=arguments.timeout, seed=arguments.seed,
        queries=arguments.queries,
    )


def _corpus(arguments: argparse.Namespace) -> list[Path]:
    """The corpus to run: --corpus, none, or signoff's own."""
    if arguments.no_corpus:
        return []
    return list(arguments.corpus) if arguments.corpus else [DEFAULT_CORPUS]


def handle_sql(arguments: argparse.Namespace, console: Console, errors: Console) -> int:
    """Run ``signoff sql``; print the verdict table (and details of failures); the exit status."""
    if arguments.list:
        console.print(invariant_table())
        return 0
    options = options_from(arguments)
    validate(options)  # a malformed command line fails before any worker starts or the store is touched
    run = Run(arguments, console, errors)
    result = run.execute(
        Plan(reference=options.reference, candidates=options.candidates),
        lambda hooks: run_sql(replace(options, seed=hooks.seed, progress=hooks.progress,
                                      on_check=hooks.on_check)))
    return run.finish(Outcome(result))


def invariant_table() -> Table:
    table = Table(title="signoff sql: performance invariants", title_justify="left")
    for column in ("invariant", "kind", "threshold", "budget", "what it measures"):
        table.add_column(column, overflow="fold")
    for invariant in INVARIANTS.values():
        bound = invariant.threshold if isinstance(invariant.threshold, str) else f"{invariant.threshold:g}x"
        budget = f"{invariant.budget_s:g} s"
        table.add_row(invariant.name, invariant.kind, bound, budget, invariant.explanation)
    return table
