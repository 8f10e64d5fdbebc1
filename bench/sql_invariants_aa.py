"""A/A on every SQL performance invariant: sqlite3 judged against itself.

    .venv/bin/python bench/sql_invariants_aa.py [--runs 50] [--engine sqlite3] [--invariants a,b]

Each run is a full ``run_sql`` with only the invariants (no corpus, no
generated queries), its own seed, the invariants' default bounds and budgets.
An engine judged against itself must pass: targets (issue 13) fail <= 1% and
inconclusive <= 5% per invariant. Run it with two CPU hogs beside it; the load
average (1 minute) is printed at the start, the end, and after every run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import Counter, defaultdict

from rich.console import Console
from rich.table import Table

from signoff.sql import SqlOptions, run_sql


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--engine", default="sqlite3", help="judged against sqlite3, itself by default")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--invariants", default="", help="only these, comma-separated (default: all)")
    arguments = parser.parse_args()
    console = Console()
    loads = [os.getloadavg()[0]]
    console.print(f"load average at start: {loads[0]:.2f}")
    verdicts: dict[str, Counter[str]] = defaultdict(Counter)
    seconds: dict[str, list[float]] = defaultdict(list)
    odd: list[str] = []
    started = time.perf_counter()
    for seed in range(arguments.first_seed, arguments.first_seed + arguments.runs):
        only = [name for name in arguments.invariants.split(",") if name] or None
        result = run_sql(SqlOptions(candidates=[arguments.engine], queries=0, seed=seed, invariants=only))
        for check in result.candidates[0].checks:
            if check.verdict == "skipped":
                continue
            verdicts[check.criterion][check.verdict] += 1
            seconds[check.criterion].append(float(check.evidence.get("duration_s", 0.0)))
            if check.verdict != "pass":
                odd.append(f"seed {seed} {check.criterion} {check.verdict}: {check.summary}")
        loads.append(os.getloadavg()[0])
        console.print(f"seed {seed}: load {loads[-1]:.2f}, "
                      + ", ".join(f"{c.criterion} {c.verdict}" for c in result.candidates[0].checks
                                  if c.verdict not in ("pass", "skipped")))
    table = Table(title=f"{arguments.engine} against sqlite3, {arguments.runs} runs, "
                        f"load {min(loads):.1f}-{max(loads):.1f}")
    for column in ("invariant", "pass", "inconclusive", "fail", "fail %", "inconclusive %", "median s"):
        table.add_column(column)
    for name, counts in verdicts.items():
        total = sum(counts.values())
        table.add_row(name, str(counts["pass"]), str(counts["inconclusive"]), str(counts["fail"]),
                      f"{100 * counts['fail'] / total:.0f}", f"{100 * counts['inconclusive'] / total:.0f}",
                      f"{statistics.median(seconds[name]):.1f}")
    console.print(table)
    for line in odd:
        console.print(line, markup=False)
    console.print(f"{time.perf_counter() - started:.0f} s; load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
